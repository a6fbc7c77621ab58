// Feature-chain graph: layers as columns, one row per feature. Thousands of match links are
// drawn on a canvas; the selected chain, axes, legend and hover are SVG on top. d3.zoom drives
// both (mouse wheel/drag, and touch: one finger pans, two pinch).
/* global d3 */
const MARGIN = { left: 56, right: 56, top: 28, bottom: 12 };
const SCORE_BUCKETS = 8;  // persisting links coloured by score, in this many shades

// Colour of a persisting link of score s (0…1; lower scores clamp to the first shade).
export function scoreBucket(s) { return Math.max(0, Math.min(SCORE_BUCKETS - 1, Math.floor(s * SCORE_BUCKETS))); }
export function bucketColour(i) { return d3.interpolateViridis((i + 0.5) / SCORE_BUCKETS); }

export class GraphPanel {
  constructor(root, { onSelect, onZoom }) {
    this.root = root;
    this.onSelect = onSelect;
    this.onZoom = onZoom;
    this.canvas = root.querySelector('canvas');
    this.svg = d3.select(root.querySelector('svg'));
    this.axis = this.svg.append('g').attr('class', 'axis');
    this.world = this.svg.append('g').attr('class', 'world');
    this.nodesG = this.world.append('g').attr('class', 'features');  // visible features, once rows are tall enough
    this.chainG = this.world.append('g').attr('class', 'chain');
    this.legendG = this.svg.append('g').attr('class', 'legend');
    this.tip = d3.select(root).append('div').attr('class', 'tooltip').style('display', 'none');
    this.transform = d3.zoomIdentity;
    this.view = { model: null, chain: null, persists: null, runs: null, criterion: '' };
    this.paths = null;  // link paths in world coordinates, built once per model/criterion
    this.zoom = d3.zoom().scaleExtent([1, 500]).on('zoom', (e) => {
      this.transform = e.transform;
      this.repaint();
      if (e.sourceEvent && this.onZoom) this.onZoom([e.transform.k, e.transform.x, e.transform.y]);
    });
    this.svg.call(this.zoom).on('dblclick.zoom', null);
    this.svg.on('click', (e) => {
      const hit = this.hitTest(d3.pointer(e));
      if (hit) this.onSelect(hit.layer, hit.feature);
    });
    this.svg.on('mousemove', (e) => this.hover(d3.pointer(e)));
    this.svg.on('mouseleave', () => this.tip.style('display', 'none'));
    new ResizeObserver(() => this.resize()).observe(root);
    this.resize();
  }

  get model() { return this.view.model; }
  get chain() { return this.view.chain; }

  // view: { model, chain, persists(l, cost, score), runs (chainRuns of the chain), criterion }
  update(view) {
    if (view.model !== this.view.model || view.persists !== this.view.persists) this.paths = null;
    this.view = { ...this.view, ...view };
    this.repaint();
  }

  setZoom(z) {
    const t = z ? d3.zoomIdentity.translate(z[1], z[2]).scale(z[0]) : d3.zoomIdentity;
    this.svg.call(this.zoom.transform, t);
  }

  resize() {
    const r = this.root.getBoundingClientRect();
    this.width = Math.max(300, r.width);
    this.height = Math.max(300, r.height);
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = this.width * dpr; this.canvas.height = this.height * dpr;
    this.canvas.style.width = `${this.width}px`; this.canvas.style.height = `${this.height}px`;
    this.svg.attr('width', this.width).attr('height', this.height);
    this.zoom.extent([[0, 0], [this.width, this.height]]).translateExtent([[0, 0], [this.width, this.height]]);
    this.paths = null;
    this.repaint();
  }

  x(l) {
    const L = this.model.F.length;
    return MARGIN.left + (L > 1 ? l * (this.width - MARGIN.left - MARGIN.right) / (L - 1) : 0);
  }
  rowH(l) { return (this.height - MARGIN.top - MARGIN.bottom) / this.model.F[l]; }
  y(l, f) { return MARGIN.top + (this.model.rankOf[l][f] + 0.5) * this.rowH(l); }

  // Screen position of a feature, for tests and keyboard focus.
  screenPosition(l, f) {
    const [sx, sy] = this.transform.apply([this.x(l), this.y(l, f)]);
    const r = this.root.getBoundingClientRect();
    return { x: r.left + sx, y: r.top + sy };
  }

  hitTest(p) {
    if (!this.model) return null;
    const [wx, wy] = this.transform.invert(p);
    const L = this.model.F.length;
    let best = -1, bestD = Infinity;
    for (let l = 0; l < L; l++) { const d = Math.abs(wx - this.x(l)); if (d < bestD) { bestD = d; best = l; } }
    const colW = L > 1 ? (this.width - MARGIN.left - MARGIN.right) / (L - 1) : 100;
    if (bestD * this.transform.k > Math.max(12, colW * this.transform.k / 4)) return null;
    const rank = Math.floor((wy - MARGIN.top) / this.rowH(best));
    if (rank < 0 || rank >= this.model.F[best]) return null;
    return { layer: best, feature: this.model.order[best][rank] };
  }

  featureText(l, f) {
    const labels = this.model.labels[l];
    return `${this.model.layerNames[l]} feature ${f}${labels && labels[f] ? ' · ' + labels[f] : ''}`;
  }

  hover(p) {
    const hit = this.hitTest(p);
    if (!hit) { this.tip.style('display', 'none'); return; }
    this.tip.style('display', 'block').style('left', `${p[0] + 12}px`).style('top', `${p[1] + 8}px`)
      .text(this.featureText(hit.layer, hit.feature));
  }

  // Link paths by colour, in world coordinates: a zoom only changes the canvas transform.
  buildPaths() {
    const { pairs } = this.model;
    const persists = this.view.persists;
    const good = Array.from({ length: SCORE_BUCKETS }, () => new Path2D());
    const used = new Array(SCORE_BUCKETS).fill(0);
    const broken = new Path2D(), undecided = new Path2D();
    let nBroken = 0, nUndecided = 0;
    for (let l = 0; l < pairs.length; l++) {
      const p = pairs[l], x1 = this.x(l), x2 = this.x(l + 1);
      for (let f = 0; f < p.a_to_b.length; f++) {
        const g = p.a_to_b[f];
        if (g < 0) continue;
        const ok = persists(l, p.cost[f], p.score[f]);
        let path;
        if (ok === null) { path = undecided; nUndecided++; } else if (ok) { const b = scoreBucket(p.score[f]); path = good[b]; used[b]++; } else { path = broken; nBroken++; }
        path.moveTo(x1, this.y(l, f)); path.lineTo(x2, this.y(l + 1, g));
      }
    }
    this.paths = { good, used, broken, undecided, nBroken, nUndecided };
  }

  repaint() {
    const ctx = this.canvas.getContext('2d');
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.model || !this.view.persists) { this.legendG.selectAll('*').remove(); this.axis.selectAll('*').remove(); this.chainG.selectAll('*').remove(); this.nodesG.selectAll('*').remove(); return; }
    if (!this.paths) this.buildPaths();
    const t = this.transform;
    const css = getComputedStyle(this.root);
    ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
    ctx.lineWidth = 1 / t.k;
    ctx.globalAlpha = 0.25;
    ctx.strokeStyle = css.getPropertyValue('--broken').trim() || '#d33';
    ctx.stroke(this.paths.broken);
    ctx.strokeStyle = css.getPropertyValue('--node').trim() || '#888';
    ctx.stroke(this.paths.undecided);
    ctx.globalAlpha = Math.min(0.6, 0.15 + 0.1 * t.k);
    this.paths.good.forEach((path, i) => { ctx.strokeStyle = bucketColour(i); ctx.stroke(path); });
    ctx.globalAlpha = 1;
    // Zoomed out, a column is a bar on the canvas; zoomed in, the visible features become SVG nodes.
    ctx.fillStyle = css.getPropertyValue('--node').trim() || '#888';
    const nodes = [];
    const [, top] = t.invert([0, 0]), [, bottom] = t.invert([0, this.height]);
    for (let l = 0; l < this.model.F.length; l++) {
      const h = this.rowH(l);
      if (h * t.k < 4) { ctx.fillRect(this.x(l) - 1.5 / t.k, MARGIN.top, 3 / t.k, this.height - MARGIN.top - MARGIN.bottom); continue; }
      const r0 = Math.max(0, Math.floor((top - MARGIN.top) / h)), r1 = Math.min(this.model.F[l], Math.ceil((bottom - MARGIN.top) / h));
      for (let r = r0; r < r1; r++) nodes.push({ l, f: this.model.order[l][r], y: MARGIN.top + (r + 0.5) * h, h });
    }
    this.drawNodes(nodes);
    this.drawAxis();
    this.drawChain();
    this.drawLegend();
  }

  // The links as SVG path data in screen coordinates (the current zoom), one entry per colour,
  // for a vector export; null when there are too many to keep the file reasonable.
  vectorLinks(limit = 60000) {
    if (!this.model || !this.view.persists) return null;
    const { pairs } = this.model;
    if (pairs.reduce((a, p) => a + p.a_to_b.length, 0) > limit) return null;
    const t = this.transform;
    const css = getComputedStyle(this.root);
    const groups = new Map();
    const add = (key, colour, alpha, x1, y1, x2, y2) => {
      if (!groups.has(key)) groups.set(key, { colour, alpha, d: [] });
      const [a, b] = t.apply([x1, y1]), [c, e] = t.apply([x2, y2]);
      if (Math.max(b, e) < 0 || Math.min(b, e) > this.height) return;  // off screen
      groups.get(key).d.push(`M${a.toFixed(1)} ${b.toFixed(1)}L${c.toFixed(1)} ${e.toFixed(1)}`);
    };
    const goodAlpha = Math.min(0.6, 0.15 + 0.1 * t.k);
    for (let l = 0; l < pairs.length; l++) {
      const p = pairs[l];
      for (let f = 0; f < p.a_to_b.length; f++) {
        const g = p.a_to_b[f];
        if (g < 0) continue;
        const ok = this.view.persists(l, p.cost[f], p.score[f]);
        const args = [this.x(l), this.y(l, f), this.x(l + 1), this.y(l + 1, g)];
        if (ok === null) add('undecided', css.getPropertyValue('--node').trim() || '#888', 0.25, ...args);
        else if (!ok) add('broken', css.getPropertyValue('--broken').trim() || '#d33', 0.25, ...args);
        else { const b = scoreBucket(p.score[f]); add(`b${b}`, bucketColour(b), goodAlpha, ...args); }
      }
    }
    // Broken links first, so persisting ones are drawn on top as on screen.
    return [...groups.entries()].sort((a, b) => (a[0] === 'broken' ? -1 : b[0] === 'broken' ? 1 : 0))
      .map(([key, g]) => ({ key, colour: g.colour, alpha: g.alpha, d: g.d.join('') }));
  }

  // Kept for callers that only changed the theme.
  redraw() { this.paths = null; this.repaint(); }

  drawNodes(nodes) {
    const k = this.transform.k;
    this.nodesG.selectAll('rect').data(nodes.length <= 5000 ? nodes : [], (d) => `${d.l}:${d.f}`).join(
      (enter) => enter.append('rect').attr('class', 'feature').call((r) => r.append('title')),
    )
      .attr('x', (d) => this.x(d.l) - 4 / k).attr('width', 8 / k)
      .attr('y', (d) => d.y - 0.35 * d.h).attr('height', (d) => 0.7 * d.h)
      .attr('data-layer', (d) => d.l).attr('data-feature', (d) => d.f)
      .select('title').text((d) => this.featureText(d.l, d.f));
  }

  drawAxis() {
    const L = this.model.F.length;
    const xs = d3.range(L).map((l) => this.transform.applyX(this.x(l)));
    // "L3 · resid_pre" where columns are wide enough, else "L3" (the full name as its tooltip).
    const names = this.model.layerNames;
    const roomy = L < 2 || xs[1] - xs[0] > 7 * Math.max(...names.map((n) => n.length));
    const text = this.axis.selectAll('text').data(xs).join('text').attr('x', (d) => d).attr('y', 16).attr('text-anchor', 'middle')
      .text((_, l) => (roomy ? names[l] : names[l].split(' · ')[0]));
    text.selectAll('title').data((_, l) => (roomy ? [] : [names[l]])).join('title').text((n) => n);
  }

  drawChain() {
    this.world.attr('transform', this.transform.toString());
    const c = this.chain;
    const k = this.transform.k;
    if (!c || !this.model) { this.chainG.selectAll('*').remove(); return; }
    // The selected feature's run is drawn solid; a breaking hop dashed red; everything beyond
    // a break (another feature, by the criterion) greyed.
    const runs = this.view.runs;
    const own = runs && runs.own >= 0 ? runs.runs[runs.own] : { from: 0, to: c.feature.length - 1 };
    const inOwn = (l) => l >= own.from && l <= own.to;
    const pts = [];
    c.feature.forEach((f, l) => { if (f >= 0) pts.push({ l, f, x: this.x(l), y: this.y(l, f) }); });
    const segs = [];
    for (let l = 0; l + 1 < c.feature.length; l++) {
      const h = c.hops[l];
      if (h.from < 0) continue;
      const breaks = runs ? runs.breaks.includes(l) : false;
      const cls = breaks ? 'hop broken' : inOwn(l) && inOwn(l + 1) ? 'hop persisting' : 'hop beyond';
      segs.push({ l, x1: this.x(l), y1: this.y(l, h.from), x2: this.x(l + 1), y2: this.y(l + 1, h.to), cls });
    }
    this.chainG.selectAll('line').data(segs).join('line')
      .attr('x1', (d) => d.x1).attr('y1', (d) => d.y1).attr('x2', (d) => d.x2).attr('y2', (d) => d.y2)
      .attr('class', (d) => d.cls).attr('data-hop', (d) => d.l).attr('stroke-width', 3 / k);
    this.chainG.selectAll('circle').data(pts).join('circle')
      .attr('cx', (d) => d.x).attr('cy', (d) => d.y).attr('r', 5 / k).attr('stroke-width', 1.5 / k)
      .attr('class', (d) => (d.l === c.layer && d.f === c.selected ? 'node selected' : inOwn(d.l) ? 'node' : 'node beyond'))
      .attr('data-layer', (d) => d.l).attr('data-feature', (d) => d.f);
  }

  // Legend of exactly the colours on the canvas (from the counts of the last build), the
  // criterion they follow, and what the row order means.
  drawLegend() {
    const p = this.paths;
    const rows = [];
    const shades = p.used.map((n, i) => ({ n, i })).filter((b) => b.n > 0);
    if (shades.length) rows.push({ kind: 'shades', shades, text: `persists; shade = score ${(shades[0].i / SCORE_BUCKETS).toFixed(2)}…${((shades[shades.length - 1].i + 1) / SCORE_BUCKETS).toFixed(2)}` });
    if (p.nBroken) rows.push({ kind: 'line', cls: 'broken', text: 'does not persist' });
    if (p.nUndecided) rows.push({ kind: 'line', cls: 'undecided', text: 'not decided yet (null baseline running)' });
    rows.push({ kind: 'text', text: `persists = ${this.view.criterion}` });
    rows.push({ kind: 'text', text: 'rows: first layer by persisting length, then each feature follows its match' });
    const g = this.legendG;
    g.selectAll('*').remove();
    const W = Math.min(420, this.width - 16), lineH = 15;
    g.attr('transform', `translate(${this.width - W - 8},${this.height - rows.length * lineH - 14})`);
    g.append('rect').attr('class', 'legend-bg').attr('width', W).attr('height', rows.length * lineH + 8).attr('rx', 4);
    rows.forEach((r, i) => {
      const y = 4 + i * lineH + lineH / 2;
      const row = g.append('g').attr('class', `legend-row ${r.kind}`).attr('transform', `translate(6,${y})`);
      let x = 0;
      if (r.kind === 'shades') {
        r.shades.forEach((b, j) => row.append('rect').attr('class', 'swatch').attr('data-bucket', b.i).attr('x', j * 8).attr('y', -4).attr('width', 8).attr('height', 8).attr('fill', bucketColour(b.i)));
        x = r.shades.length * 8 + 6;
      } else if (r.kind === 'line') {
        row.append('line').attr('class', `swatch ${r.cls}`).attr('x1', 0).attr('x2', 24).attr('y1', 0).attr('y2', 0);
        x = 30;
      }
      row.append('text').attr('x', x).attr('y', 4).text(r.text);
    });
  }
}
