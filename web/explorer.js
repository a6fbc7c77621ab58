// The explorer card above the feature-lines graph: depth overview (the default picture), the
// selected chain with its alternatives, method comparison, layer skip with your activations,
// and the guided tour. Every number comes from the engine worker; this file only wires panels.
import { OverviewPanel } from './panels/overview.js';
import { ChainView } from './panels/chain-view.js';
import { ComparePanel } from './panels/compare.js';
import { LayerSkipPanel } from './panels/layerskip.js';
import { Tour } from './panels/tour.js';

export const VIEWS = ['overview', 'chain', 'compare', 'skip', 'lines'];
const $ = (id) => document.getElementById(id);
// The layers each engine question reads (the engine keeps only a few: web/layer-store.js).
const LAYERS_NEEDED = {
  explainChain: ([L]) => Array.from({ length: L }, (_, i) => i),  // only when every layer fits (not streamed)
  explainHop: ([a]) => [a, a + 1],
  costExcerpt: ([a, b]) => [a, b],
  compareMethods: ([a, b]) => [a, b],
  layerSkip: ([a, b]) => [a, b],
  nullBaseline: ([a, b]) => [a, b],
  decoderNorms: ([i]) => [i],
  layerInfo: ([i]) => [i],
};

// The cost options the shown result was matched with (App.runMatch records them), so the
// worker's alternatives and comparisons use the matcher's own costs.
export function matchOptions(app) {
  const w = app.model.settings;
  return { w_dec: w.w_dec, w_enc: w.w_enc, w_b: w.w_b, cosine: w.cosine, int8: w.int8_used };
}

// The engine counts persistence by the q-quantile; the page lets the user choose what
// "persists" means (chance level, a score threshold, or q), so the counts follow that choice.
function countByCriterion(summary, model, persists) {
  summary.forEach((row, l) => {
    const p = model.pairs[l];
    let n = 0;
    for (let i = 0; i < p.a_to_b.length; i++) if (p.a_to_b[i] >= 0 && persists(l, p.cost[i], p.score[i]) === true) n++;
    Object.assign(row, { persisting: n, dying: row.FA - n, newborn: row.FB - n, share_persisting: row.FA ? n / row.FA : 0 });
  });
}

export class Explorer {
  constructor(app) {
    this.app = app;
    this.seq = 0;  // drops answers to chain requests that a newer selection has overtaken
    const select = (l, f) => app.select(l, f);
    this.overview = new OverviewPanel($('ov-panel'), { onPair: (i) => this.openPair(i), onHop: select });
    this.chainView = new ChainView($('cv-panel'), {
      onPick: select,
      onK: (k) => { app.state.alt = k; app.saveState(); this.chainChanged(app.chain); },
    });
    this.compare = new ComparePanel($('cmp-panel'), { explorer: this, onFeature: select });
    this.skip = new LayerSkipPanel($('skip-panel'), { explorer: this });
    this.tour = new Tour(app, this);
    for (const b of document.querySelectorAll('#explorer-tabs [data-view]')) b.addEventListener('click', () => this.setView(b.dataset.view));
    $('explorer-tabs').addEventListener('keydown', (e) => this.tabKey(e));
    this.setView(app.state.view, { save: false });
  }

  // Questions that read layers get them put back into the engine first (layer store).
  call(cmd, args, opts) {
    const need = LAYERS_NEEDED[cmd] ? LAYERS_NEEDED[cmd](args) : null;
    return need ? this.app.engineWithLayers(need, () => this.app.engine.call(cmd, args, opts)) : this.app.engine.call(cmd, args, opts);
  }
  get model() { return this.app.model; }
  layerCount() { return this.model ? this.model.F.length : 0; }
  pairNames() { const n = this.model.layerNames; return n.slice(0, -1).map((x, i) => `${x} → ${n[i + 1]}`); }

  setView(view, { save = true } = {}) {
    const v = VIEWS.includes(view) ? view : 'overview';
    this.app.state.view = v;
    for (const b of document.querySelectorAll('#explorer-tabs [data-view]')) {
      const on = b.dataset.view === v;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
    for (const [name, id] of [['overview', 'ov-panel'], ['chain', 'cv-panel'], ['compare', 'cmp-panel'], ['skip', 'skip-panel']]) $(id).hidden = name !== v;
    document.getElementById('explorer').dataset.view = v;
    if (save) this.app.saveState();
  }

  // Arrow keys move between tabs (the ARIA tab pattern).
  tabKey(e) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = VIEWS.indexOf(this.app.state.view) + (e.key === 'ArrowRight' ? 1 : -1);
    const v = VIEWS[(i + VIEWS.length) % VIEWS.length];
    this.setView(v);
    document.querySelector(`#explorer-tabs [data-view="${v}"]`).focus();
    e.preventDefault(); e.stopPropagation();
  }

  // Called by the app when matches or q changed.
  async modelChanged() {
    if (!this.model) return;
    const m = this.model;
    try {
      const summary = await this.call('depthSummary', [m.F.length, this.app.state.q, 5]);
      if (this.model !== m) return;
      countByCriterion(summary, m, this.app.persistsTest());
      this.summary = summary;
      this.overview.show(summary, m.layerNames, this.app.state.pair);
    } catch (e) { this.overview.error(e.message); }
    this.compare.setPairs(this.pairNames());
    this.skip.setPairs(this.pairNames());
    if (this.app.state.tour) this.tour.open(this.app.state.tour);
  }

  // Called by the app when the selection changed (chain = null: cleared).
  async chainChanged(chain) {
    const token = ++this.seq;
    if (!chain || !this.model) { this.chainView.clear(); return; }
    if (this.app.state.view === 'overview') this.setView('chain');
    try {
      const k = Math.min(5, Math.max(1, Math.round(this.app.state.alt) || 3));  // the link may say anything
      const args = [this.model.F.length, chain.layer, chain.selected, this.app.state.q];
      const streamed = this.app.layers && this.app.layers.streaming();
      // All layers in the engine: one call. Streamed: hop by hop, each with only its two layers.
      const c = await this.call(streamed ? 'chain' : 'explainChain', streamed ? args : [...args, k, matchOptions(this.app)]);
      if (streamed) {
        c.explained = [];
        for (let l = 0; l < c.hops.length; l++) {
          if (token !== this.seq) return;
          c.explained.push(c.feature[l] >= 0 ? await this.call('explainHop', [l, c.feature[l], k, c.thresholds[l], matchOptions(this.app)]) : null);
        }
      }
      if (token !== this.seq) return;
      c.layer = chain.layer; c.selected = chain.selected;
      this.explained = c;
      this.chainView.show(c, { layerNames: this.model.layerNames, labels: this.model.labels, k });
    } catch (e) { if (token === this.seq) this.chainView.error(e.message); }
  }

  // A pair clicked in the overview: its histogram, and its best and worst hops listed.
  openPair(i) {
    this.app.state.pair = i;
    this.app.saveState();
    this.app.renderHistogram();
    if (this.summary) this.overview.showPair(i, this.summary[i], this.model);
  }
}
