// Histogram of matched costs for one layer pair, with the q-quantile threshold marked:
// hops right of the line are the ones called "not persisting".
/* global d3 */
export class HistogramPanel {
  constructor(root, { onPair }) {
    this.root = root;
    this.select = root.querySelector('select');
    this.svg = d3.select(root.querySelector('svg'));
    this.caption = root.querySelector('.caption');
    this.select.addEventListener('change', () => onPair(Number(this.select.value)));
  }

  show(pairs, index, layerNames) {
    if (!pairs.length) return;
    index = Math.max(0, Math.min(index, pairs.length - 1));
    this.select.innerHTML = '';
    pairs.forEach((_, i) => {
      const o = document.createElement('option');
      o.value = i; o.textContent = `${layerNames[i]} → ${layerNames[i + 1]}`;
      if (i === index) o.selected = true;
      this.select.appendChild(o);
    });
    const p = pairs[index];
    const costs = Array.from(p.cost).filter(Number.isFinite);
    const W = 300, H = 120, m = { l: 38, r: 8, t: 6, b: 18 };
    this.svg.attr('viewBox', `0 0 ${W} ${H}`).selectAll('*').remove();
    // Costs are bimodal (persisting features near 0, dead/born ones orders of magnitude
    // higher), so bins are log-spaced; zero costs go into the first bin.
    const pos = costs.filter((c) => c > 0);
    const lo = pos.length ? d3.min(pos) : 1e-6, hi = Math.max(d3.max(costs) || 1, lo * 10);
    const x = d3.scaleLog().domain([lo, hi]).range([m.l, W - m.r]).clamp(true);
    const edges = d3.range(41).map((i) => lo * Math.pow(hi / lo, i / 40));
    edges[40] = hi * 1.000001;
    const bins = d3.bin().domain([lo, edges[40]]).thresholds(edges.slice(1, 40))(costs.map((c) => Math.max(c, lo)));
    const y = d3.scaleLinear().domain([0, d3.max(bins, (b) => b.length) || 1]).range([H - m.b, m.t]);
    this.svg.append('g').selectAll('rect').data(bins).join('rect')
      .attr('x', (b) => x(b.x0) + 0.5).attr('width', (b) => Math.max(0, x(b.x1) - x(b.x0) - 1))
      .attr('y', (b) => y(b.length)).attr('height', (b) => y(0) - y(b.length))
      .attr('class', (b) => (b.x0 >= p.threshold ? 'bar over' : 'bar'));
    this.svg.append('line').attr('class', 'threshold').attr('x1', x(p.threshold)).attr('x2', x(p.threshold)).attr('y1', m.t).attr('y2', H - m.b);
    this.svg.append('g').attr('transform', `translate(0,${H - m.b})`).call(d3.axisBottom(x).ticks(4, '~g'));
    this.svg.append('g').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(3));
    const persisting = costs.filter((c) => c <= p.threshold).length;
    this.caption.textContent = `${persisting} of ${costs.length} hops persist (cost ≤ ${p.threshold.toFixed(4)}); total cost ${p.total.toFixed(3)}, ${p.certified ? 'certified optimal' : 'not certified'} (${p.method}, ${Math.round(p.ms)} ms)`;
  }
}
