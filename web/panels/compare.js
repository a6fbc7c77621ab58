// Method comparison for a layer pair (or along the selected chain): SAE Match as configured
// against no folding, top-1 decoder cosine (Feature Flow) and an encoder + decoder cost.
// Agreement, totals under the configured cost and the features where methods disagree, all
// computed by the engine (compareMethods in the worker; `saematch compare` gives the same).
/* global d3 */
import { matchOptions } from '../explorer.js';

const SHOWN = 100;  // disagreeing features listed

export class ComparePanel {
  constructor(root, { explorer, onFeature }) {
    this.root = root;
    this.explorer = explorer;
    this.onFeature = onFeature;
    this.cache = new Map();
    root.innerHTML = `
      <p class="xhint">Would a simpler rule have matched the same features? Each method's partners are priced with the configured cost, so the totals compare directly (SAE Match's is the optimum).</p>
      <div class="row">
        <label>layer pair <select id="cmp-pair"></select></label>
        <button type="button" id="cmp-run">Compare</button>
        <button type="button" id="cmp-chain">Along the selected chain</button>
      </div>
      <p id="cmp-status" class="xhint" aria-live="polite"></p>
      <div id="cmp-out"></div>`;
    this.pairSel = root.querySelector('#cmp-pair');
    root.querySelector('#cmp-run').addEventListener('click', () => this.runPair(Number(this.pairSel.value)));
    root.querySelector('#cmp-chain').addEventListener('click', () => this.runChain());
  }

  setPairs(names) {
    const keep = this.pairSel.value;
    this.pairSel.innerHTML = '';
    names.forEach((n, i) => { const o = document.createElement('option'); o.value = i; o.textContent = n; this.pairSel.appendChild(o); });
    if (keep && Number(keep) < names.length) this.pairSel.value = keep;
    this.cache.clear();  // new matches or options
  }

  status(text) { this.root.querySelector('#cmp-status').textContent = text; }

  async compare(a) {
    const o = matchOptions(this.explorer.app);
    const key = `${a}:${JSON.stringify(o)}`;
    if (!this.cache.has(key)) this.cache.set(key, this.explorer.call('compareMethods', [a, a + 1, o]).catch((e) => { this.cache.delete(key); throw e; }));
    return this.cache.get(key);
  }

  async runPair(a) {
    this.pairSel.value = a;
    this.status('comparing in the engine…');
    try {
      const r = await this.compare(a);
      this.status('');
      this.showPair(a, r);
      return r;
    } catch (e) { this.status(`comparison failed: ${e.message}`); return null; }
  }

  showPair(a, r) {
    const names = this.explorer.model.layerNames;
    const out = d3.select(this.root).select('#cmp-out').html('');
    const t = out.append('table').attr('class', 'xtable').attr('id', 'cmp-table');
    t.append('caption').text(`${names[a]} → ${names[a + 1]}: ${r.disagree.length} of ${this.explorer.model.F[a]} features are matched differently by at least one method`);
    t.append('thead').append('tr').selectAll('th').data(['method', 'agreement with SAE Match', 'total configured cost', 'one-to-one', 'certified optimal'])
      .join('th').attr('scope', 'col').text((d) => d);
    const tr = t.append('tbody').selectAll('tr').data(r.methods).join('tr').attr('data-key', (m) => m.key);
    tr.append('th').attr('scope', 'row').text((m) => m.name);
    tr.append('td').attr('class', 'agreement').attr('colspan', (m) => (m.available ? null : 4))
      .text((m) => (m.available ? `${(100 * m.agreement).toFixed(2)}%` : `unavailable: ${m.reason}`));
    const avail = tr.filter((m) => m.available);
    avail.append('td').attr('class', 'total').text((m) => m.configured_total.toFixed(4));
    avail.append('td').text((m) => (m.one_to_one ? 'yes' : `no (${m.collisions} features share a partner)`));
    avail.append('td').text((m) => (m.key === 'top1cos' ? 'not an assignment' : m.certified ? 'yes' : 'no'));
    if (!r.disagree.length) return;
    const methods = r.methods.filter((m) => m.available);
    const d = out.append('table').attr('class', 'xtable').attr('id', 'cmp-disagree');
    d.append('caption').text(`Where the methods disagree (first ${Math.min(SHOWN, r.disagree.length)} of ${r.disagree.length}; click a feature to see its chain)`);
    d.append('thead').append('tr').selectAll('th').data([`${names[a]} feature`, ...methods.map((m) => `${names[a + 1]} partner: ${m.name}`)])
      .join('th').attr('scope', 'col').text((x) => x);
    const rows = d.append('tbody').selectAll('tr').data(r.disagree.slice(0, SHOWN)).join('tr').attr('data-feature', (f) => f);
    rows.append('th').attr('scope', 'row').append('button').attr('type', 'button').attr('class', 'linkish')
      .text((f) => `#${f}`).on('click', (_, f) => this.onFeature(a, f));
    for (const m of methods) {
      rows.append('td').attr('class', (f) => (m.a_to_b[f] !== methods[0].a_to_b[f] ? 'differs' : ''))
        .text((f) => (m.a_to_b[f] >= 0 ? `#${m.a_to_b[f]}` : '—'));
    }
  }

  // The selected chain's partner at every hop under each method.
  async runChain() {
    const chain = this.explorer.app.chain;
    if (!chain) { this.status('select a feature first: its chain is compared hop by hop'); return; }
    const names = this.explorer.model.layerNames;
    const rows = [];
    try {
      for (let l = 0; l + 1 < chain.feature.length; l++) {
        const f = chain.feature[l];
        if (f < 0) continue;
        this.status(`comparing ${names[l]} → ${names[l + 1]}…`);
        const r = await this.compare(l);
        rows.push({ l, f, methods: r.methods });
      }
    } catch (e) { this.status(`comparison failed: ${e.message}`); return; }
    this.status('');
    const out = d3.select(this.root).select('#cmp-out').html('');
    const methods = rows.length ? rows[0].methods.filter((m) => m.available) : [];
    const t = out.append('table').attr('class', 'xtable').attr('id', 'cmp-chain-table');
    t.append('caption').text(`Chain of ${names[chain.layer]} #${chain.selected}: the partner each method gives at every hop`);
    t.append('thead').append('tr').selectAll('th').data(['hop', ...methods.map((m) => m.name)]).join('th').attr('scope', 'col').text((x) => x);
    const tr = t.append('tbody').selectAll('tr').data(rows).join('tr').attr('data-hop', (r) => r.l);
    tr.append('th').attr('scope', 'row').text((r) => `${names[r.l]} #${r.f} →`);
    for (const [k, m0] of methods.entries()) {
      tr.append('td').attr('class', (r) => (r.methods.find((m) => m.key === m0.key).a_to_b[r.f] !== r.methods[0].a_to_b[r.f] ? 'differs' : ''))
        .text((r) => { const p = r.methods.find((m) => m.key === methods[k].key).a_to_b[r.f]; return p >= 0 ? `#${p}` : '—'; });
    }
  }
}
