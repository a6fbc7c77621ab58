// Wires the page together: URL state, pack/URL loading, engine worker, panels, keyboard.
// All matching maths runs in the WASM core inside the worker; this file only orchestrates.
/* global d3 */
import { EngineClient } from './engine-client.js';
import { loadManifest, PackLoader, clearPackCaches } from './pack-loader.js';
import { readState, writeState, selectLayers } from './state.js';
import { chainOrder } from './layout.js';
import { GraphPanel } from './panels/graph.js';
import { DetailPanel } from './panels/detail.js';
import { HistogramPanel } from './panels/histogram.js';
import { ProgressPanel } from './panels/progress.js';
import { exportCsv, exportJson, exportSvg, exportPng } from './export.js';
import { catalogSource } from './catalog.js';
import { bindCatalogControls } from './catalog-ui.js';
import { Explanations } from './neuronpedia.js';
import { registerServiceWorker } from './sw-register.js';
import { Explorer } from './explorer.js';

const $ = (id) => document.getElementById(id);
// A promise with its resolve/reject at hand (layers that arrive while matching waits for them).
function deferred() {
  const d = {};
  d.promise = new Promise((resolve, reject) => { d.resolve = resolve; d.reject = reject; });
  return d;
}

class App {
  constructor() {
    this.state = readState();
    this.engine = new EngineClient();
    this.engine.onRestart = () => this.reloadLayersIntoEngine();
    this.layerBlobs = [];      // what the engine holds, kept to refill it after a cancel
    this.model = null;         // { F, pairs, order, rankOf, labels, norms, layerNames, layerIds }
    this.chain = null;
    this.status = 'starting';
    this.graph = new GraphPanel($('graph'), {
      onSelect: (l, f) => this.select(l, f),
      onZoom: (z) => { this.state.zoom = z; this.saveState(); },
    });
    this.detail = new DetailPanel($('detail'));
    this.detail.clear();
    this.hist = new HistogramPanel($('histogram'), { onPair: (i) => { this.state.pair = i; this.saveState(); this.drawHistogram(); } });
    this.progress = new ProgressPanel($('progress'));
    this.explanations = new Explanations();
    this.bindControls();
    this.explorer = new Explorer(this);  // overview, chain view, comparison, layer skip, tour
  }

  setStatus(s, text) { this.status = s; document.body.dataset.status = s; $('status').textContent = text || s; }
  showError(msg) { const e = $('error'); e.textContent = msg; e.hidden = false; }
  clearError() { $('error').hidden = true; $('error').textContent = ''; }
  notice(msg) { const n = document.createElement('div'); n.className = 'notice'; n.textContent = msg; $('notices').appendChild(n); }
  saveState() { writeState(this.state); }
  // Errors from user actions end up in the banner, and the app stays usable.
  guard(promise) {
    return promise.catch((e) => {
      this.progress.hide();
      this.showError(e.message || String(e));
      $('match-btn').disabled = false; $('cancel-btn').disabled = true;
      this.setStatus(this.model ? 'ready' : 'error', this.model ? 'ready (last action failed)' : 'failed');
    });
  }

  bindControls() {
    const s = this.state;
    $('w-dec').value = s.wdec; $('w-enc').value = s.wenc; $('w-b').value = s.wb; $('cosine').checked = s.cos; $('int8').checked = s.i8;
    $('q').value = s.q; $('q-value').textContent = s.q.toFixed(2);
    $('pack-url').value = s.urls.length ? '' : s.pack;
    $('layers').value = s.layers;
    $('sae-urls').value = s.urls.join('\n');
    const readWeights = () => {
      s.wdec = Number($('w-dec').value); s.wenc = Number($('w-enc').value); s.wb = Number($('w-b').value); s.cos = $('cosine').checked;
      s.i8 = $('int8').checked;
    };
    $('match-btn').addEventListener('click', () => { readWeights(); this.saveState(); this.guard(this.runMatch()); });
    $('cancel-btn').addEventListener('click', () => this.cancel());
    $('q').addEventListener('input', () => { $('q-value').textContent = Number($('q').value).toFixed(2); });
    $('q').addEventListener('change', () => { s.q = Number($('q').value); this.saveState(); this.guard(this.applyThresholds()); });
    $('load-pack').addEventListener('click', () => {
      s.pack = $('pack-url').value.trim(); s.layers = $('layers').value.trim(); s.urls = []; s.cat = ''; s.sel = null; s.zoom = null; this.saveState(); this.load();
    });
    $('load-urls').addEventListener('click', () => {
      s.urls = $('sae-urls').value.split(/\s+/).filter(Boolean); s.cat = ''; s.sel = null; s.zoom = null; this.saveState(); this.load();
    });
    $('clear-cache').addEventListener('click', async () => { const n = await clearPackCaches(); this.notice(`Cleared ${n} cached pack(s).`); });
    $('copy-link').addEventListener('click', async () => {
      const url = writeState(this.state);
      try { await navigator.clipboard.writeText(url); this.notice('Link copied.'); } catch { this.notice(url); }
    });
    $('search').addEventListener('keydown', (e) => { if (e.key === 'Enter') this.search($('search').value.trim()); });
    $('export-csv').addEventListener('click', () => this.chain && exportCsv(this.chain, this.ctx()));
    $('export-json').addEventListener('click', () => this.chain && exportJson(this.chain, this.ctx(), this.state));
    $('export-svg').addEventListener('click', () => exportSvg($('graph'), this.exportName()));
    $('export-png').addEventListener('click', () => exportPng($('graph'), this.exportName()));
    $('theme-toggle').addEventListener('click', () => {
      const dark = document.documentElement.dataset.theme ? document.documentElement.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
      document.documentElement.dataset.theme = dark ? 'light' : 'dark';
      localStorage.setItem('saematch-theme', document.documentElement.dataset.theme);
      this.graph.redraw();
    });
    document.addEventListener('keydown', (e) => this.key(e));
    bindCatalogControls(this);
    this.explanations.bindToggle($('np-toggle'), () => this.chain && this.select(this.chain.layer, this.chain.selected));
  }

  exportName() { return this.chain ? `chain-L${this.chain.layer}-${this.chain.selected}` : 'saematch-graph'; }

  ctx() {
    const m = this.model;
    return { labels: m.labels, norms: m.norms, layerNames: m.layerNames, layerIds: m.layerIds, neuronpedia: this.manifest && this.manifest.neuronpedia, manifestHash: this.packHash };
  }

  async start() {
    try {
      const info = await this.engine.info;
      this.engineInfo = info;
      $('engine-flavour').textContent = info.flavour === 'mt'
        ? `WASM threaded (SIMD128, ${info.threads} threads)` : 'WASM single-thread (SIMD128; page not cross-origin isolated)';
      $('engine-flavour').dataset.flavour = info.flavour;
    } catch (e) {
      this.setStatus('error', 'engine failed');
      this.showError(e.message);
      return;
    }
    await this.load();
  }

  // Loads the pack (or direct URLs) named by the state, then matches all consecutive pairs.
  async load() {
    if (this.restarting) await this.restarting;
    this.clearError();
    const prev = { model: this.model, blobs: this.layerBlobs, manifest: this.manifest };
    const run = { cancelled: false };  // cancel() flags the load in progress
    this.loading = run;
    try {
      this.setStatus('loading', 'loading weights…');
      await this.engine.call('clear');
      if (this.state.cat || this.state.urls.length) {
        const src = this.state.cat ? await catalogSource(this.state.cat, this.state.layers) : null;
        await this.loadUrls(src ? src.urls : this.state.urls, src);
        this.progress.hide();
        this.dropChain();  // the old chain indexes the old layers
        await this.runMatch();
      } else {
        await this.loadPackAndMatch(this.state.pack, run);
      }
    } catch (e) {
      this.progress.hide();
      const cancelled = e.message === 'cancelled';
      if (!cancelled) this.showError(e.message);
      // Keep the last good state usable: refill the engine with what worked before (after a
      // cancel, the restarted engine has been refilled with it already).
      this.model = prev.model; this.layerBlobs = prev.blobs; this.manifest = prev.manifest; this.pending = null;
      if (this.restarting) await this.restarting;
      if (!cancelled) {
        try { await this.engine.call('clear'); await this.reloadLayersIntoEngine(); } catch { /* nothing older to restore */ }
      }
      if (cancelled) this.setStatus(this.model ? 'ready' : 'idle', 'cancelled: previous results kept');
      else this.setStatus(this.model ? 'ready' : 'error', this.model ? 'ready (previous data kept)' : 'failed');
    } finally {
      if (this.loading === run) this.loading = null;
    }
  }

  // Pack layers go to the engine as they arrive, and each pair is matched as soon as both of
  // its layers are there: on a slow link most of the chain is done when the download ends.
  async loadPackAndMatch(url, run) {
    const plan = await this.openPack(url);
    const arrived = plan.chosen.map(() => deferred());  // resolves once the engine holds the layer
    this.pending = { F: plan.F, labels: plan.labels, layerIds: plan.layerIds };
    this.manifest = plan.pack.manifest; this.packHash = plan.pack.hash;  // matching reads its quantisation
    this.dropChain();  // the old chain indexes the old layers
    const downloads = this.downloadLayers(plan, run, (i, entry) => {
      arrived[i].resolve(this.sendPackLayer(entry));
    }).then((blobs) => {
      if (this.status === 'matching') $('status').textContent = 'matching…';  // nothing left to download
      return blobs;
    }, (e) => {
      for (const a of arrived) a.reject(e);  // wakes a match waiting for a layer that will not come
      throw e;
    });
    for (const a of arrived) a.promise.catch(() => {});  // surfaced by whoever awaits it
    const matching = this.runMatch({ layerArrived: (i) => arrived[i].promise, run });
    let blobs;
    try {
      [blobs] = await Promise.all([downloads, matching]);
    } catch (e) {
      run.cancelled = true;  // whichever failed, the other stops at its next step
      throw e;
    }
    if (run.cancelled) throw new Error('cancelled');
    this.layerBlobs = blobs;
    this.showPackInfo(plan);
  }

  // Manifest, checks and the choice of layers; starts the download progress bars.
  async openPack(url) {
    const signal = this.loading ? this.loading.signal : undefined;  // the load token's AbortController
    const pack = await loadManifest(url, { signal, hashPrefix: this.state.mh });
    await this.engine.call('validateManifest', [pack.text]);
    const m = pack.manifest;
    if (this.state.mh && !pack.hash.startsWith(this.state.mh)) {
      this.notice(`This link was made for a different version of the pack (hash ${this.state.mh}, now ${pack.hash.slice(0, 12)}): results may differ.`);
    }
    this.state.mh = pack.hash.slice(0, 12);
    this.saveState();
    const chosen = selectLayers(this.state.layers, m.layers.map((l) => l.layer)).map((i) => m.layers[i]);
    const loader = new PackLoader(pack, { onNotice: (t) => this.notice(t), signal });
    await loader.storeManifest();
    this.progress.startDownload(chosen.map((l) => `layer ${l.layer}`), chosen.map((l) => l.shards.reduce((a, s) => a + s.bytes, 0)));
    return {
      pack, chosen, loader, F: chosen.map((l) => l.F), layerIds: chosen.map((l) => l.layer),
      labels: chosen.map(() => null),  // filled as the layers arrive
    };
  }

  // Downloads and verifies the chosen layers in order; onLayer(i, entry) as each one is ready.
  async downloadLayers(plan, run, onLayer) {
    const blobs = [];
    for (let i = 0; i < plan.chosen.length; i++) {
      if (run.cancelled) throw new Error('cancelled');
      const layer = plan.chosen[i];
      const blob = await plan.loader.loadLayer(layer, (n, cached) => this.progress.addBytes(i, n, cached));
      plan.labels[i] = await plan.loader.labels(layer);
      if (run.cancelled) throw new Error('cancelled');
      const entry = { kind: 'pack', index: i, json: JSON.stringify(layer), blob };
      blobs.push(entry);
      onLayer(i, entry);
    }
    this.downloadedAt = performance.now();  // for the benchmark: when the last layer was verified
    return blobs;
  }

  showPackInfo(plan) {
    const m = plan.pack.manifest;
    const chosen = plan.chosen;
    const which = chosen.length === m.layers.length ? `${m.layers.length} layers` : `layers ${chosen.map((l) => l.layer).join(', ')} of ${m.layers.length}`;
    $('pack-title').textContent = `${m.title || m.model || 'pack'} · ${which} · F=${plan.F[0]} · d=${m.d_model} · ${m.quant}`;
    const acts = new Set(m.layers.map((l) => l.activation));
    $('fold-note').textContent = acts.has('jumprelu')
      ? 'JumpReLU thresholds are folded into the weights before matching.'
      : `${[...acts].join('/')} SAEs have no threshold: folding is the identity.`;
  }

  // src: a catalog entry's layers (catalog.js catalogSource), or null for URLs typed by the user.
  async loadUrls(urls, src = null) {
    if (urls.length < 2) throw new Error('give at least two SAE URLs (one per layer)');
    const NET = self.NetPolicy;
    // The worker resolves relative URLs against its own script, so resolve against the page here.
    const abs = urls.map((u, i) => NET.checkUrl(u, location.href, `layer ${i}: the SAE URL`));
    const signal = this.loading ? this.loading.signal : undefined;  // the load token's AbortController
    this.progress.startDownload(urls.map((u, i) => `layer ${i}`), urls.map(() => 0));
    const blobs = [], F = [];
    let d = null;
    for (let i = 0; i < urls.length; i++) {
      let r;
      try {
        r = await this.engine.call('loadUrlLayer', [i, abs[i], { layer: `layer ${i}`, net: self.SAEMATCH_NET }], {
          onProgress: (p) => this.progress.setBytes(i, p.loaded, p.total), signal,
        });
      } catch (e) {
        const hub = / is a gated repository /.test(e.message) && NET.hubParts(abs[i]);
        if (hub) {  // a link to the repository page, built with DOM APIs (never markup from a server)
          const n = document.createElement('div');
          const a = document.createElement('a');
          n.className = 'notice gated';
          a.href = hub.page; a.target = '_blank'; a.rel = 'noopener noreferrer'; a.textContent = `${hub.repo} repository page`;
          n.append(`Layer ${i} comes from a gated repository: request access on the `, a, '.');
          document.getElementById('notices').appendChild(n);
        }
        // Say which layer and file failed unless the message already does (errors from the engine).
        const named = e.message === 'cancelled' || e.message.startsWith(`layer ${i}`);
        throw named ? e : new Error(`layer ${i}, ${NET.fileOf(abs[i])}: ${e.message}`);
      }
      if (d !== null && r.d !== d) throw new Error(`d_model mismatch: ${urls[i]} has d_model=${r.d}, ${urls[0]} has ${d}`);
      d = r.d;
      blobs.push({ kind: 'url', index: i, url: abs[i] });
      F.push(r.F);
      this.notice(`layer ${i}: ${r.description}`);
    }
    this.layerBlobs = blobs;
    this.manifest = src ? src.manifest : null; this.packHash = '';
    $('pack-title').textContent = src ? src.title : `${urls.length} SAEs from URLs · d=${d}`;
    $('fold-note').textContent = 'Weights read directly (HTTP Range for .npz); folded and quantised to int8 in the worker.';
    this.pending = { F, labels: urls.map(() => null), layerIds: src ? src.layerIds : urls.map((_, i) => i) };
  }

  // A copy goes to the worker (moved, not cloned again): the app keeps its own to refill a restarted engine.
  sendPackLayer(entry) {
    const copy = entry.blob.slice(0);
    return this.engine.call('setPackLayer', [entry.index, entry.json, copy], { transfer: [copy] });
  }

  async reloadLayersIntoEngine() {
    for (const b of this.layerBlobs) {
      if (b.kind === 'pack') await this.sendPackLayer(b);
      else await this.engine.call('loadUrlLayer', [b.index, b.url, { layer: `layer ${b.index}`, net: self.SAEMATCH_NET }]);
    }
    if (this.model) {
      for (let l = 0; l < this.model.pairs.length; l++) {
        const p = this.model.pairs[l];
        await this.engine.call('setPair', [l, { a_to_b: p.a_to_b, cost: p.cost, score: p.score, FB: p.FB }]);
      }
    }
  }

  // layerArrived(i): a promise for layer i being in the engine, when layers are still arriving
  // (run: the load they belong to; a cancel stops the matching between pairs).
  async runMatch({ layerArrived = null, run = null } = {}) {
    if (this.restarting) await this.restarting;  // a cancelled engine is still getting its layers back
    const info = this.pending || (this.model && { F: this.model.F, labels: this.model.labels, layerIds: this.model.layerIds });
    if (!info) return;
    const s = this.state;
    const L = info.F.length;
    const pairs = [];
    $('cancel-btn').disabled = false; $('match-btn').disabled = true;
    this.setStatus('matching', layerArrived ? 'matching while the layers download…' : 'matching…');
    const t0 = performance.now();
    try {
      for (let l = 0; l + 1 < L; l++) {
        if (layerArrived) await Promise.all([layerArrived(l), layerArrived(l + 1)]);
        if (run && run.cancelled) throw new Error('cancelled');
        // The integer kernel only for int8 packs with a decoder-only cost: re-quantising the stored
        // rows then gives back exactly the stored integers, so nothing is approximated.
        // Layers read from URLs are stored int8 too (quantised in the worker).
        const int8Stored = this.manifest ? this.manifest.quant === 'int8' : this.state.urls.length > 0;
        const int8 = s.i8 && int8Stored && s.wenc === 0 && s.wb === 0;
        const r = await this.engine.call('match', [l, l + 1, { w_dec: s.wdec, w_enc: s.wenc, w_b: s.wb, cosine: s.cos, int8 }], {
          onProgress: (p) => this.progress.stage(`layers ${l}→${l + 1}: ${p.stage}`, (l + (p.fraction || 0)) / (L - 1)),
        });
        pairs.push(r);
      }
    } catch (e) {
      this.progress.hide();
      $('cancel-btn').disabled = true; $('match-btn').disabled = false;
      if (e.message === 'cancelled') return;  // cancel() reports once the engine is back
      throw e;
    }
    this.progress.hide();
    $('cancel-btn').disabled = true; $('match-btn').disabled = false;
    const norms = [];
    for (let l = 0; l < L; l++) norms.push(await this.engine.call('decoderNorms', [l]));
    this.model = { F: info.F, pairs, labels: info.labels, norms, layerIds: info.layerIds, layerNames: info.layerIds.map((x) => `L${x}`) };
    this.pending = null;
    await this.applyThresholds();
    this.matchSeconds = (performance.now() - t0) / 1000;
    this.setStatus('ready', `ready: ${L - 1} layer pairs matched in ${this.matchSeconds.toFixed(1)} s`);
    this.graph.setZoom(s.zoom);
    if (s.sel) await this.select(s.sel[0], s.sel[1]);
  }

  async applyThresholds() {
    if (!this.model) return;
    // Chain queries return the per-pair q-quantiles computed in the core.
    const m = this.model;
    const c = await this.engine.call('chain', [m.F.length, 0, 0, this.state.q]);
    m.pairs.forEach((p, i) => { p.threshold = c.thresholds[i]; });
    Object.assign(m, chainOrder(m.F, m.pairs));
    this.graph.model = null;
    this.graph.setModel(m);
    this.drawHistogram();
    await this.explorer.modelChanged();
    if (this.chain) await this.select(this.chain.layer, this.chain.selected);
  }

  drawHistogram() { if (this.model) this.hist.show(this.model.pairs, this.state.pair, this.model.layerNames); }

  async select(layer, feature) {
    if (this.restarting) await this.restarting;
    if (!this.model) return;
    const F = this.model.F;
    if (!(layer >= 0 && layer < F.length && feature >= 0 && feature < F[layer])) {
      this.showError(`no feature ${layer}:${feature} here (${F.length} layers, features 0…${F[0] - 1})`);
      return;
    }
    try {
      const c = await this.engine.call('chain', [this.model.F.length, layer, feature, this.state.q]);
      c.layer = layer; c.selected = feature;
      this.chain = c;
      this.graph.setChain(c);
      this.detail.show(c, this.ctx());
      this.explanations.forChain(this.detail.root, this.ctx());  // fills in later; never awaited
      this.explorer.chainChanged(c);
      this.state.sel = [layer, feature];
      this.saveState();
    } catch (e) { this.showError(e.message); }
  }

  dropChain() { this.chain = null; this.graph.setChain(null); this.detail.clear(); this.explorer.chainChanged(null); }

  clearSelection() {
    this.dropChain();
    this.state.sel = null; this.saveState();
  }

  search(q) {
    const out = $('search-results');
    out.innerHTML = '';
    if (!this.model || !q) return;
    let m = /^L?(\d+)\s*[:#]\s*(\d+)$/i.exec(q);
    if (m) {  // "L3:120" names the model's layer 3, wherever it sits among the loaded layers
      const pos = this.model.layerIds.indexOf(Number(m[1]));
      if (pos < 0) { out.textContent = `layer ${m[1]} is not loaded (loaded: ${this.model.layerIds.join(', ')})`; return; }
      this.select(pos, Number(m[2]));
      return;
    }
    m = /^#?(\d+)$/.exec(q);
    if (m) { this.select(this.chain ? this.chain.layer : 0, Number(m[1])); return; }
    const needle = q.toLowerCase();
    const hits = [];
    this.model.labels.forEach((labels, l) => {
      if (!labels) return;
      for (let f = 0; f < labels.length && hits.length < 30; f++) if (String(labels[f]).toLowerCase().includes(needle)) hits.push({ l, f, label: labels[f] });
    });
    if (!hits.length) { out.textContent = 'no match'; return; }
    for (const h of hits) {
      const b = document.createElement('button');
      b.textContent = `${this.model.layerNames[h.l]} #${h.f} ${h.label}`;
      b.addEventListener('click', () => this.select(h.l, h.f));
      out.appendChild(b);
    }
    this.explanations.forSearch(out, hits, this.ctx());
  }

  key(e) {
    if (e.target && /INPUT|TEXTAREA|SELECT/.test(e.target.tagName)) return;
    if (e.key === 'Escape') { this.clearSelection(); return; }
    if (!this.chain || !this.model) return;
    const { layer, feature } = { layer: this.chain.layer, feature: this.chain.selected };
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const l = layer + (e.key === 'ArrowRight' ? 1 : -1);
      if (l >= 0 && l < this.model.F.length && this.chain.feature[l] >= 0) this.select(l, this.chain.feature[l]);
      e.preventDefault();
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      const r = this.model.rankOf[layer][feature] + (e.key === 'ArrowDown' ? 1 : -1);
      if (r >= 0 && r < this.model.F[layer]) this.select(layer, this.model.order[layer][r]);
      e.preventDefault();
    }
  }

  // Terminates the worker mid-computation and refills a fresh one with the loaded layers;
  // nothing else talks to the engine until that is done.
  async cancel() {
    if (this.loading) this.loading.cancelled = true;  // a load in progress stops too; its previous state returns
    this.setStatus('cancelling', 'cancelling…');
    $('match-btn').disabled = true; $('cancel-btn').disabled = true;
    this.restarting = this.engine.cancel();
    try {
      await this.restarting;
      this.setStatus(this.model ? 'ready' : 'idle', 'cancelled: previous results kept');
    } catch (e) {
      this.showError(`engine restart failed: ${e.message}`);
      this.setStatus('error', 'engine restart failed');
    } finally {
      this.restarting = null;
      $('match-btn').disabled = false;
    }
  }
}

// Offline app shell and, on static hosts, cross-origin isolation (see sw-register.js);
// resolves true when the page is about to reload itself isolated, so the app does not start twice.
const reloading = registerServiceWorker();
const saved = localStorage.getItem('saematch-theme');
if (saved) document.documentElement.dataset.theme = saved;
if (typeof d3 === 'undefined') {
  document.getElementById('error').hidden = false;
  document.getElementById('error').textContent = 'D3 failed to load (app/d3.min.js missing: run ./run.sh to build).';
} else {
  const app = new App();
  window.saematchApp = app;
  reloading.then((yes) => { if (!yes) app.start(); });
}
