// Detail panel for the selected chain: where it breaks (by the chosen criterion), per-hop cost,
// score and persistence, a decoder-norm sparkline, labels, and links out to Neuronpedia when
// the pack names a source.
/* global d3 */
import { describeRuns } from '../persistence.js';

export function neuronpediaUrl(np, layer, feature) {
  if (!np || !np.model || !np.source) return null;
  return `https://www.neuronpedia.org/${encodeURIComponent(np.model)}/${layer}-${encodeURIComponent(np.source)}/${feature}`;
}

export const SCORE_HELP = 'score = 1 − cost / (|a|² + |b|²) on the folded, weighted rows: 1 = the same direction and norm, 0 = unrelated (orthogonal)';
export const COST_HELP = 'hop cost = weighted squared distance |a − b|² between the folded rows of the feature in the row above and this one (squared residual-stream units; unitless with cosine)';

export class DetailPanel {
  constructor(root) { this.root = root; }

  // view: { chain, ctx: {labels, norms, layerNames, neuronpedia, layerIds}, runs, persists } or null
  update(view) {
    if (!view || !view.chain) { this.clear(); return; }
    this.show(view);
  }

  clear() {
    this.root.innerHTML = '<p class="hint">Click a feature (or search) to follow its chain through the layers. Arrow keys move along the chain, Esc clears.</p>';
  }

  show({ chain, ctx, runs, persists }) {
    const names = ctx.layerNames;
    const rows = chain.feature.map((f, l) => {
      const hop = l > 0 && chain.hops[l - 1].from >= 0 ? chain.hops[l - 1] : null;
      const ok = hop ? persists(l - 1, hop.cost, hop.score) : null;
      return { l, f, hop, ok, label: f >= 0 && ctx.labels[l] ? ctx.labels[l][f] : '', norm: f >= 0 && ctx.norms[l] ? ctx.norms[l][f] : null };
    });
    const short = runs.names || names;
    const summary = runs.breaks.length === 0 && runs.runs.length === 1
      ? `same feature through all ${chain.feature.length} layers (${short[0]}–${short[short.length - 1]}): no hop breaks`
      : describeRuns(runs, short);
    this.root.innerHTML = '';
    const head = d3.select(this.root).append('div').attr('class', 'chain-head');
    head.append('h3').text(`${names[chain.layer]} feature ${chain.selected}`);
    head.append('p').attr('class', 'summary').attr('id', 'chain-summary').text(summary);
    this.sparkline(head, rows, names);
    const table = d3.select(this.root).append('table').attr('class', 'hops').attr('id', 'chain-table');
    const heads = [['layer', ''], ['feature', ''], ['label', ''], ['hop cost', COST_HELP], ['score', SCORE_HELP], ['persists', 'by the criterion chosen under Persistence'], ['', '']];
    table.append('thead').append('tr').selectAll('th').data(heads).join('th').text((d) => d[0]).attr('title', (d) => d[1] || null);
    const tr = table.append('tbody').selectAll('tr').data(rows).join('tr')
      .attr('class', (r) => [r.l === chain.layer ? 'current' : '', r.ok === false ? 'break' : ''].join(' ').trim())
      .attr('data-layer', (r) => r.l).attr('data-feature', (r) => r.f);
    tr.append('td').text((r) => names[r.l]);
    tr.append('td').text((r) => (r.f >= 0 ? r.f : '—'));
    tr.append('td').attr('class', 'label').attr('title', (r) => r.label || '').text((r) => r.label || '');
    tr.append('td').text((r) => (r.hop ? r.hop.cost.toPrecision(3) : ''));
    tr.append('td').text((r) => (r.hop ? r.hop.score.toFixed(3) : ''));
    tr.append('td').attr('class', (r) => (r.ok === true ? 'yes' : r.ok === false ? 'no' : ''))
      .text((r) => (r.ok === true ? 'yes' : r.ok === false ? 'breaks' : r.hop ? '…' : ''));
    tr.append('td').each(function link(r) {
      const url = r.f >= 0 ? neuronpediaUrl(ctx.neuronpedia, ctx.layerIds[r.l], r.f) : null;
      if (url) d3.select(this).append('a').attr('href', url).attr('target', '_blank').attr('rel', 'noopener').text('Neuronpedia ↗');
    });
    d3.select(this.root).append('p').attr('class', 'muted small defs').text(`${COST_HELP}. ${SCORE_HELP}.`);
  }

  // Folded decoder-row norm along the chain, with its axes named.
  sparkline(head, rows, names) {
    const pts = rows.filter((r) => r.f >= 0 && r.norm !== null);
    if (pts.length < 2) return;
    const W = 240, H = 64, m = { l: 34, r: 6, t: 14, b: 14 };
    const spark = head.append('svg').attr('class', 'sparkline').attr('width', W).attr('height', H);
    const x = d3.scaleLinear().domain([0, rows.length - 1]).range([m.l, W - m.r]);
    const ext = d3.extent(pts, (r) => r.norm);
    const y = d3.scaleLinear().domain(ext[0] === ext[1] ? [ext[0] * 0.9, ext[1] * 1.1 || 1] : ext).nice().range([H - m.b, m.t]);
    spark.append('path').attr('class', 'norm-line').attr('d', d3.line().x((r) => x(r.l)).y((r) => y(r.norm))(pts));
    spark.selectAll('circle').data(pts).join('circle').attr('cx', (r) => x(r.l)).attr('cy', (r) => y(r.norm)).attr('r', 2);
    spark.append('g').attr('class', 'sp-axis').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(2).tickSizeOuter(0));
    spark.append('text').attr('class', 'axis-label').attr('x', m.l).attr('y', 9).text('decoder-row norm |d| (folded)');
    spark.append('text').attr('class', 'axis-label').attr('x', W - m.r).attr('y', H - 2).attr('text-anchor', 'end')
      .text(`layer ${names[0]} → ${names[names.length - 1]}`);
    spark.append('title').text('folded decoder-row norm along the chain');
  }
}
