// The Sources box: where every loaded layer came from (file, hook, activation, d, F, folding,
// hash), permanently beside the graph rather than in notices that scroll away; and where the
// shown results were computed (this browser, or elsewhere for a result pack, with its proof per hop).
/* global d3 */
const settingsText = (w) => Object.entries(w || {}).map(([k, v]) => `${k}=${v}`).join(' ');

export class SourcesPanel {
  constructor(root) { this.root = root; }

  // view: { origin: {kind, url, hash, title, format}, sources: [{name, file, hook, activation, d, F, folding, sha256, quant}],
  //         computed: { where: 'browser'|'browser-rematch'|'elsewhere', producer, created, settings, hops, verified }, layerNames } or null
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
    if (view.computed) this.computed(root, view.computed);
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

  computed(root, c) {
    const failed = (c.verified || []).some((v) => v && !v.passed);
    const box = root.append('div').attr('id', 'sources-results').attr('class', `results-note small${failed ? ' fail' : ''}`).attr('data-where', c.where);
    if (c.where === 'elsewhere') {
      box.append('p').text(`Results computed elsewhere, not matched in this browser: ${c.producer}, ${c.created}; settings ${settingsText(c.settings)}. The layers are downloaded only when a question needs them.`);
      const ul = box.append('ul').attr('class', 'results-hops');
      c.hops.forEach((h, i) => {
        const v = c.verified && c.verified[i];
        const proof = h.certified ? 'certified optimal' : `within a proven gap of ${h.gap_bound}`;
        const check = !v ? '' : v.passed ? '; verified here: passed' : `; verified here: FAILED (${v.reason})`;
        ul.append('li').attr('class', v && !v.passed ? 'fail' : null).text(`${h.pair}: ${proof}${check}`);
      });
    } else {
      box.append('p').text(c.where === 'browser-rematch'
        ? 'Results computed in this browser: the result pack\'s own results were replaced when you matched again.'
        : 'Results computed in this browser.');
      const bad = (c.verified || []).map((v, i) => (v && !v.passed ? `pair ${i}: ${v.reason}` : null)).filter(Boolean);
      if (bad.length) box.append('p').attr('class', 'fail').text(`Verification FAILED: ${bad.join('; ')}`);
    }
  }
}
