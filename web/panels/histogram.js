// Histogram of matched costs for one layer pair, with the q-quantile marked, the selected
// chain's hop in that pair marked, and a caption that says what the numbers mean.
/* global d3 */
import { NULL_PERCENTILE } from '../persistence.js';
import { optimalityText } from '../gap-budget.js';

// What the method names in the caption mean, in plain words.
export function methodHelp(method) {
  const parts = [];
  if (/^dense/.test(method)) parts.push('dense = the whole cost matrix solved exactly');
  if (/sparse\+certify/.test(method)) parts.push('sparse+certify = solved on each feature\'s nearest candidates, then proven optimal against every pair');
  if (/int8 screen/.test(method)) parts.push('int8 screen = integer dot products with an error bound pick the pairs that need exact float costs');
  else if (/int8/.test(method)) parts.push('int8 = costs from integer dot products of the stored int8 rows (exact for those rows)');
  if (/coarse screen/.test(method)) parts.push('coarse screen = the int8 rows of one layer halved to 7 bits for a faster integer kernel (relaxed SIMD), with an error bound; pairs it cannot decide are priced exactly, so the optimum is the same');
  return parts.join('; ');
}

export class HistogramPanel {
  constructor(root, { onPair }) {
    this.root = root;
    this.select = root.querySelector('select');
    this.svg = d3.select(root.querySelector('svg'));
    this.caption = root.querySelector('.caption');
    this.select.addEventListener('change', () => onPair(Number(this.select.value)));
  }

  // view: { pairs, index, layerNames, q, hop: {cost, score, breaks} | null, crit, smin }
  update(view) {
    if (!view || !view.pairs || !view.pairs.length) { this.svg.selectAll('*').remove(); this.caption.textContent = ''; this.select.innerHTML = ''; return; }
    const { pairs, layerNames } = view;
    const index = Math.max(0, Math.min(view.index, pairs.length - 1));
    this.select.innerHTML = '';
    pairs.forEach((_, i) => {
      const o = document.createElement('option');
      o.value = i; o.textContent = `${layerNames[i]} → ${layerNames[i + 1]}`;
      if (i === index) o.selected = true;
      this.select.appendChild(o);
    });
    const p = pairs[index];
    const costs = Array.from(p.cost).filter(Number.isFinite);
    const W = 300, H = 138, m = { l: 40, r: 8, t: 8, b: 32 };
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
    this.svg.append('line').attr('class', 'threshold').attr('x1', x(p.threshold)).attr('x2', x(p.threshold)).attr('y1', m.t).attr('y2', H - m.b)
      .append('title').text(`q-quantile (q = ${view.q.toFixed(2)}): cost ${p.threshold.toPrecision(3)}`);
    if (view.hop) {
      const hx = x(Math.max(view.hop.cost, lo));
      const g = this.svg.append('g').attr('class', `hop-mark${view.hop.breaks ? ' breaks' : ''}`);
      g.append('line').attr('x1', hx).attr('x2', hx).attr('y1', m.t).attr('y2', H - m.b);
      g.append('text').attr('x', Math.min(hx + 3, W - 60)).attr('y', m.t + 8).text(view.hop.breaks ? 'this hop (breaks)' : 'this hop');
    }
    this.svg.append('g').attr('transform', `translate(0,${H - m.b})`).call(d3.axisBottom(x).ticks(4, '~g'));
    this.svg.append('g').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(3));
    this.svg.append('text').attr('class', 'axis-label').attr('x', (m.l + W - m.r) / 2).attr('y', H - 2).attr('text-anchor', 'middle')
      .text('hop cost |a − b|² (log scale)');
    this.svg.append('text').attr('class', 'axis-label').attr('transform', `translate(10,${(m.t + H - m.b) / 2}) rotate(-90)`).attr('text-anchor', 'middle')
      .text('features');
    const within = costs.filter((c) => c <= p.threshold).length;
    const nullText = p.nullCut === undefined ? 'null baseline: computing…'
      : `chance level (${NULL_PERCENTILE * 100}th percentile of best scores against a randomly rotated ${layerNames[index + 1]}): score ${p.nullCut.toFixed(3)}; ${p.significant} of ${costs.length} hops score above it`;
    const scoreText = view.crit === 'score' ? `; ${Array.from(p.score).filter((s) => s >= view.smin).length} hops have score ≥ ${view.smin}` : '';
    this.caption.textContent = `q = ${view.q.toFixed(2)} is a rank, not a test: the dashed line is the ${view.q.toFixed(2)}-quantile of this pair's costs, so ${within} of ${costs.length} hops fall at or below it by construction. ${nullText}${scoreText}. Total cost ${p.total.toFixed(3)}, ${optimalityText(p)} (${p.method}${Number.isFinite(p.ms) ? `, ${Math.round(p.ms)} ms` : ', computed elsewhere'}).`;
    this.caption.title = methodHelp(p.method);
    this.root.querySelector('.method-help').textContent = methodHelp(p.method);
  }
}
