// The Sources box: where every loaded layer came from (file, hook, activation, d, F, folding,
// hash), permanently beside the graph rather than in notices that scroll away.
/* global d3 */
export class SourcesPanel {
  constructor(root) { this.root = root; }

  // view: { origin: {kind, url, hash, title, format}, sources: [{name, file, hook, activation, d, F, folding, sha256, quant}] } or null
  update(view) {
    const root = d3.select(this.root);
    root.selectAll('*').remove();
    root.append('h2').text('Sources');
    if (!view) { root.append('p').attr('class', 'muted').text('nothing loaded yet'); return; }
    const o = view.origin;
    const head = root.append('p').attr('class', 'muted small').attr('id', 'sources-origin');
    head.text(o.kind === 'pack'
      ? `pack ${o.url} (manifest sha256 ${o.hash.slice(0, 12)}…, ${o.format})`
      : `${view.sources.length} SAE files read directly (${o.format})`);
    const table = root.append('table').attr('class', 'hops sources').attr('id', 'sources-table');
    table.append('thead').append('tr').selectAll('th').data(['layer', 'hook', 'act.', 'd', 'F', 'folding', 'file']).join('th').text((d) => d);
    const tr = table.append('tbody').selectAll('tr').data(view.sources).join('tr').attr('data-layer-id', (s) => s.id);
    tr.append('td').text((s) => s.name);
    tr.append('td').text((s) => s.hook || '—');
    tr.append('td').text((s) => s.activation);
    tr.append('td').text((s) => s.d);
    tr.append('td').text((s) => s.F);
    tr.append('td').text((s) => s.folding);
    tr.append('td').attr('class', 'label').attr('title', (s) => `${s.file}${s.sha256 ? `\nsha256 ${s.sha256}` : ''}`).text((s) => s.file.split('/').slice(-2).join('/'));
  }
}
