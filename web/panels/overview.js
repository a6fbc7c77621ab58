// Depth overview: per layer pair, the share of features persisting at the current q and the
// median score, drawn across depth, and the flow between adjacent layers (persisting / dying /
// newborn). Clicking a pair opens its histogram and lists its best and worst hops. Numbers come
// from the engine's depthSummary; this file only draws them.
/* global d3 */
const pct = (x) => `${(100 * x).toFixed(1)}%`;

export class OverviewPanel {
  constructor(root, { onPair, onHop }) {
    this.root = root;
    this.onPair = onPair;
    this.onHop = onHop;
    root.innerHTML = `
      <p class="xhint">How much of the model persists at each depth, by the criterion chosen under <em>Persistence</em> (chance level by default). Click a layer pair for its costs and its best and worst hops.</p>
      <div class="ov-figs">
        <svg class="ov-depth" role="img" aria-labelledby="ov-depth-title"><title id="ov-depth-title">share persisting and median score per layer pair</title></svg>
        <svg class="ov-flow" role="img" aria-labelledby="ov-flow-title"><title id="ov-flow-title">flow between adjacent layers: persisting, dying, newborn features</title></svg>
      </div>
      <table class="xtable" id="ov-table"><caption>Per layer pair (text equivalent of the figures)</caption>
        <thead><tr><th scope="col">pair</th><th scope="col">persisting</th><th scope="col">share</th><th scope="col">median score</th><th scope="col">dying</th><th scope="col">newborn</th></tr></thead><tbody></tbody></table>
      <div id="ov-pair" class="ov-pair" aria-live="polite"></div>`;
    this.depthSvg = d3.select(root.querySelector('.ov-depth'));
    this.flowSvg = d3.select(root.querySelector('.ov-flow'));
  }

  error(msg) { this.root.querySelector('#ov-pair').textContent = `overview failed: ${msg}`; }

  show(summary, layerNames, current) {
    this.summary = summary;
    const names = summary.map((_, i) => `${layerNames[i]}→${layerNames[i + 1]}`);
    // The figures' ticks are narrow: layer ids only ("L3→L4"); the table below has the hooks.
    const id = (n) => n.split(' · ')[0];
    const ticks = summary.map((_, i) => `${id(layerNames[i])}→${id(layerNames[i + 1])}`);
    this.drawDepth(summary, ticks, current);
    this.drawFlow(summary, ticks, current);
    const tr = d3.select(this.root).select('#ov-table tbody').selectAll('tr').data(summary).join('tr')
      .attr('class', (_, i) => (i === current ? 'current' : '')).attr('data-pair', (_, i) => i);
    tr.html('');
    tr.append('th').attr('scope', 'row').append('button').attr('type', 'button').attr('class', 'linkish')
      .text((_, i) => names[i]).on('click', (_, s) => this.onPair(summary.indexOf(s)));
    tr.append('td').attr('class', 'persisting').text((s) => `${s.persisting} / ${s.FA}`);
    tr.append('td').attr('class', 'share').text((s) => pct(s.share_persisting));
    tr.append('td').attr('class', 'median').text((s) => s.median_score.toFixed(3));
    tr.append('td').attr('class', 'dying').text((s) => s.dying);
    tr.append('td').attr('class', 'newborn').text((s) => s.newborn);
  }

  drawDepth(summary, names, current) {
    const W = 420, H = 150, m = { l: 36, r: 10, t: 10, b: 22 };
    const svg = this.depthSvg.attr('viewBox', `0 0 ${W} ${H}`);
    svg.selectAll(':not(title)').remove();
    const x = d3.scalePoint().domain(d3.range(summary.length)).range([m.l, W - m.r]).padding(0.5);
    const y = d3.scaleLinear().domain([0, 1]).range([H - m.b, m.t]);
    svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${H - m.b})`)
      .call(d3.axisBottom(x).tickFormat((i) => names[i]).tickSizeOuter(0));
    svg.append('g').attr('class', 'axis').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(4, '.0%'));
    const series = [['share', (s) => s.share_persisting, 'share persisting'], ['median', (s) => Math.max(0, s.median_score), 'median score']];
    for (const [cls, val] of series) {
      svg.append('path').attr('class', `ov-line ${cls}`).attr('d', d3.line().x((_, i) => x(i)).y((s) => y(val(s)))(summary));
      svg.append('g').selectAll('circle').data(summary).join('circle').attr('class', `ov-dot ${cls}`)
        .attr('cx', (_, i) => x(i)).attr('cy', (s) => y(val(s))).attr('r', (_, i) => (i === current ? 5 : 3.5))
        .on('click', (_, s) => this.onPair(summary.indexOf(s)))
        .append('title').text((s, i) => `${names[i]}: ${cls === 'share' ? pct(s.share_persisting) : s.median_score.toFixed(3)}`);
    }
    const legend = svg.append('g').attr('class', 'ov-legend').attr('transform', `translate(${m.l + 8},${H - m.b - 12})`);  // bottom: the lines sit high
    series.forEach(([cls, , label], k) => {
      legend.append('line').attr('class', `ov-line ${cls}`).attr('x1', k * 130).attr('x2', k * 130 + 16).attr('y1', 0).attr('y2', 0);
      legend.append('text').attr('x', k * 130 + 20).attr('y', 4).text(label);
    });
  }

  // One block per pair: left bar = layer t (persisting | dying), right bar = layer t+1
  // (persisting | newborn), a ribbon for the persisting features.
  drawFlow(summary, names, current) {
    const W = 420, H = 120, top = 8, bar = 80, bw = 8;
    const svg = this.flowSvg.attr('viewBox', `0 0 ${W} ${H}`);
    svg.selectAll(':not(title)').remove();
    const step = (W - 10) / summary.length;
    const Fmax = d3.max(summary, (s) => Math.max(s.FA, s.FB)) || 1;
    const h = (n) => (n / Fmax) * bar;
    summary.forEach((s, i) => {
      const g = svg.append('g').attr('class', `ov-pairblock${i === current ? ' current' : ''}`).attr('data-pair', i)
        .attr('transform', `translate(${5 + i * step},0)`).on('click', () => this.onPair(i));
      const x0 = step * 0.15, x1 = step * 0.85 - bw;
      g.append('path').attr('class', 'flow-persist')
        .attr('d', `M${x0 + bw},${top} L${x1},${top} L${x1},${top + h(s.persisting)} L${x0 + bw},${top + h(s.persisting)} Z`);
      g.append('rect').attr('class', 'flow-bar persist').attr('x', x0).attr('y', top).attr('width', bw).attr('height', h(s.persisting));
      g.append('rect').attr('class', 'flow-bar dying').attr('x', x0).attr('y', top + h(s.persisting)).attr('width', bw).attr('height', h(s.dying));
      g.append('rect').attr('class', 'flow-bar persist').attr('x', x1).attr('y', top).attr('width', bw).attr('height', h(s.persisting));
      g.append('rect').attr('class', 'flow-bar newborn').attr('x', x1).attr('y', top + h(s.persisting)).attr('width', bw).attr('height', h(s.newborn));
      g.append('text').attr('x', step / 2).attr('y', H - 6).attr('text-anchor', 'middle').text(names[i]);
      g.append('title').text(`${names[i]}: ${s.persisting} persisting, ${s.dying} dying, ${s.newborn} newborn`);
    });
  }

  // The pair's best and worst hops as buttons that select the feature.
  showPair(i, s, model) {
    const box = d3.select(this.root).select('#ov-pair');
    box.html('');
    const names = model.layerNames;
    box.append('h3').text(`${names[i]} → ${names[i + 1]}: ${s.persisting} of ${s.FA} persist (threshold ${s.threshold.toFixed(4)})`);
    const p = model.pairs[i];
    for (const [title, list, cls] of [['Best hops (lowest cost)', s.best, 'best'], ['Worst hops (highest cost)', s.worst, 'worst']]) {
      const col = box.append('div').attr('class', `ov-hops ${cls}`);
      col.append('h4').text(title);
      const ul = col.append('ul');
      for (const f of list) {
        ul.append('li').append('button').attr('type', 'button').attr('class', 'linkish').attr('data-feature', f)
          .text(`${names[i]} #${f} → ${names[i + 1]} #${p.a_to_b[f]} · cost ${p.cost[f].toFixed(4)}`)
          .on('click', () => this.onHop(i, f));
      }
    }
  }
}
