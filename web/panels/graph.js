// Feature-chain graph: layers as columns, one row per feature. Thousands of match links are
// drawn on a canvas; the selected chain, axes and hover are SVG on top. d3.zoom drives both.
/* global d3 */
const MARGIN = { left: 48, right: 48, top: 28, bottom: 12 };

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
    this.tip = d3.select(root).append('div').attr('class', 'tooltip').style('display', 'none');
    this.transform = d3.zoomIdentity;
    this.model = null;
    this.chain = null;
    this.zoom = d3.zoom().scaleExtent([1, 500]).on('zoom', (e) => {
      this.transform = e.transform;
      this.redraw();
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

  resize() {
    const r = this.root.getBoundingClientRect();
    this.width = Math.max(300, r.width);
    this.height = Math.max(300, r.height);
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = this.width * dpr; this.canvas.height = this.height * dpr;
    this.canvas.style.width = `${this.width}px`; this.canvas.style.height = `${this.height}px`;
    this.svg.attr('width', this.width).attr('height', this.height);
    this.zoom.extent([[0, 0], [this.width, this.height]]).translateExtent([[0, 0], [this.width, this.height]]);
    this.redraw();
  }

  // model: { F: [..], pairs: [{a_to_b, cost, score, threshold}], order, rankOf, labels }
  setModel(model) { this.model = model; this.redraw(); }
  setChain(chain) { this.chain = chain; this.drawChain(); }
  setZoom(z) {
    const t = z ? d3.zoomIdentity.translate(z[1], z[2]).scale(z[0]) : d3.zoomIdentity;
    this.svg.call(this.zoom.transform, t);
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

  hover(p) {
    const hit = this.hitTest(p);
    if (!hit) { this.tip.style('display', 'none'); return; }
    const label = this.model.labels[hit.layer] ? this.model.labels[hit.layer][hit.feature] : '';
    this.tip.style('display', 'block').style('left', `${p[0] + 12}px`).style('top', `${p[1] + 8}px`)
      .text(`L${hit.layer} #${hit.feature}${label ? ' · ' + label : ''}`);
  }

  redraw() {
    const ctx = this.canvas.getContext('2d');
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.model) return;
    const t = this.transform;
    ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
    const { pairs } = this.model;
    // Links bucketed by colour so each bucket is one stroke call.
    const buckets = 12;
    const good = Array.from({ length: buckets }, () => new Path2D());
    const broken = new Path2D();
    for (let l = 0; l < pairs.length; l++) {
      const p = pairs[l], x1 = this.x(l), x2 = this.x(l + 1);
      for (let f = 0; f < p.a_to_b.length; f++) {
        const g = p.a_to_b[f];
        if (g < 0) continue;
        const y1 = this.y(l, f), y2 = this.y(l + 1, g);
        // Persisting hops coloured by how far below the q-threshold they sit (yellow = close match).
        const rel = p.threshold > 0 ? p.cost[f] / p.threshold : 0;
        const path = p.cost[f] <= p.threshold ? good[Math.max(0, Math.min(buckets - 1, Math.floor((1 - rel) * buckets)))] : broken;
        path.moveTo(x1, y1); path.lineTo(x2, y2);
      }
    }
    ctx.lineWidth = 1 / t.k;
    ctx.globalAlpha = 0.25;
    ctx.strokeStyle = getComputedStyle(this.root).getPropertyValue('--broken').trim() || '#d33';
    ctx.stroke(broken);
    ctx.globalAlpha = Math.min(0.6, 0.15 + 0.1 * t.k);
    good.forEach((path, i) => { ctx.strokeStyle = d3.interpolateViridis((i + 0.5) / buckets); ctx.stroke(path); });
    ctx.globalAlpha = 1;
    // Zoomed out, a column is a bar on the canvas; zoomed in, the visible features become SVG nodes.
    ctx.fillStyle = getComputedStyle(this.root).getPropertyValue('--node').trim() || '#888';
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
  }

  drawNodes(nodes) {
    const k = this.transform.k;
    const labels = this.model.labels;
    this.nodesG.selectAll('rect').data(nodes.length <= 5000 ? nodes : [], (d) => `${d.l}:${d.f}`).join(
      (enter) => enter.append('rect').attr('class', 'feature').call((r) => r.append('title')),
    )
      .attr('x', (d) => this.x(d.l) - 4 / k).attr('width', 8 / k)
      .attr('y', (d) => d.y - 0.35 * d.h).attr('height', (d) => 0.7 * d.h)
      .attr('data-layer', (d) => d.l).attr('data-feature', (d) => d.f)
      .select('title').text((d) => `L${d.l} #${d.f}${labels[d.l] ? ' · ' + labels[d.l][d.f] : ''}`);
  }

  drawAxis() {
    const L = this.model.F.length;
    const xs = d3.range(L).map((l) => this.transform.applyX(this.x(l)));
    const sel = this.axis.selectAll('text').data(xs);
    sel.join('text').attr('x', (d) => d).attr('y', 16).attr('text-anchor', 'middle')
      .text((_, l) => this.model.layerNames ? this.model.layerNames[l] : `L${l}`);
  }

  drawChain() {
    this.world.attr('transform', this.transform.toString());
    const c = this.chain;
    const k = this.transform.k;
    if (!c || !this.model) { this.chainG.selectAll('*').remove(); return; }
    const pts = [];
    c.feature.forEach((f, l) => { if (f >= 0) pts.push({ l, f, x: this.x(l), y: this.y(l, f) }); });
    const segs = [];
    for (let l = 0; l + 1 < c.feature.length; l++) {
      const h = c.hops[l];
      if (h.from < 0) continue;
      segs.push({ x1: this.x(l), y1: this.y(l, h.from), x2: this.x(l + 1), y2: this.y(l + 1, h.to), ok: h.persisting });
    }
    this.chainG.selectAll('line').data(segs).join('line')
      .attr('x1', (d) => d.x1).attr('y1', (d) => d.y1).attr('x2', (d) => d.x2).attr('y2', (d) => d.y2)
      .attr('class', (d) => (d.ok ? 'hop persisting' : 'hop broken')).attr('stroke-width', 3 / k);
    this.chainG.selectAll('circle').data(pts).join('circle')
      .attr('cx', (d) => d.x).attr('cy', (d) => d.y).attr('r', 5 / k).attr('stroke-width', 1.5 / k)
      .attr('class', (d) => (d.l === c.layer && d.f === c.selected ? 'node selected' : 'node'))
      .attr('data-layer', (d) => d.l).attr('data-feature', (d) => d.f);
  }
}
