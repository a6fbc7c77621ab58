// Detail panel for the selected chain: per-hop cost, score and persistence, decoder-norm
// sparkline, labels, and links out to Neuronpedia when the pack names a source.
/* global d3 */
export function neuronpediaUrl(np, layer, feature) {
  if (!np || !np.model || !np.source) return null;
  return `https://www.neuronpedia.org/${encodeURIComponent(np.model)}/${layer}-${encodeURIComponent(np.source)}/${feature}`;
}

export class DetailPanel {
  constructor(root) { this.root = root; }

  clear() {
    this.root.innerHTML = '<p class="hint">Click a feature (or search) to follow its chain through the layers. Arrow keys move along the chain, Esc clears.</p>';
  }

  // chain: {feature[], hops[], first_break, layer, selected}; ctx: {labels, norms, layerNames, neuronpedia, layerIds}
  show(chain, ctx) {
    const rows = chain.feature.map((f, l) => {
      const hop = l > 0 ? chain.hops[l - 1] : null;
      return { l, f, hop, label: f >= 0 && ctx.labels[l] ? ctx.labels[l][f] : '', norm: f >= 0 && ctx.norms[l] ? ctx.norms[l][f] : null };
    });
    const reached = rows.filter((r) => r.f >= 0);
    const breakAt = chain.first_break;
    const summary = breakAt < 0
      ? `persists through all ${chain.feature.length - 1} hops`
      : `stops persisting after ${ctx.layerNames[breakAt]} (hop ${ctx.layerNames[breakAt]}→${ctx.layerNames[breakAt + 1]} costs more than the q-quantile)`;
    this.root.innerHTML = '';
    const head = d3.select(this.root).append('div').attr('class', 'chain-head');
    head.append('h3').text(`${ctx.layerNames[chain.layer]} #${chain.selected}`);
    head.append('p').attr('class', 'summary').attr('id', 'chain-summary').text(summary);
    const spark = head.append('svg').attr('class', 'sparkline').attr('width', 220).attr('height', 40);
    const pts = reached.filter((r) => r.norm !== null);
    if (pts.length > 1) {
      const x = d3.scaleLinear().domain([0, chain.feature.length - 1]).range([4, 216]);
      const y = d3.scaleLinear().domain(d3.extent(pts, (r) => r.norm)).nice().range([36, 4]);
      spark.append('path').attr('d', d3.line().x((r) => x(r.l)).y((r) => y(r.norm))(pts));
      spark.selectAll('circle').data(pts).join('circle').attr('cx', (r) => x(r.l)).attr('cy', (r) => y(r.norm)).attr('r', 2);
      spark.append('title').text('folded decoder-row norm along the chain');
    }
    const table = d3.select(this.root).append('table').attr('class', 'hops').attr('id', 'chain-table');
    table.append('thead').append('tr').selectAll('th').data(['layer', 'feature', 'label', 'hop cost', 'score', 'persisting', ''])
      .join('th').text((d) => d);
    const tr = table.append('tbody').selectAll('tr').data(rows).join('tr')
      .attr('class', (r) => (r.l === chain.layer ? 'current' : ''))
      .attr('data-layer', (r) => r.l).attr('data-feature', (r) => r.f);
    tr.append('td').text((r) => ctx.layerNames[r.l]);
    tr.append('td').text((r) => (r.f >= 0 ? r.f : '—'));
    tr.append('td').attr('class', 'label').attr('title', (r) => r.label || '').text((r) => r.label || '');
    tr.append('td').text((r) => (r.hop && r.hop.from >= 0 ? r.hop.cost.toFixed(4) : ''));
    tr.append('td').text((r) => (r.hop && r.hop.from >= 0 ? r.hop.score.toFixed(3) : ''));
    tr.append('td').attr('class', (r) => (r.hop && r.hop.from >= 0 ? (r.hop.persisting ? 'yes' : 'no') : ''))
      .text((r) => (r.hop && r.hop.from >= 0 ? (r.hop.persisting ? 'yes' : 'no') : ''));
    tr.append('td').each(function link(r) {
      const url = r.f >= 0 ? neuronpediaUrl(ctx.neuronpedia, ctx.layerIds[r.l], r.f) : null;
      if (url) d3.select(this).append('a').attr('href', url).attr('target', '_blank').attr('rel', 'noopener').text('Neuronpedia ↗');
    });
  }
}
