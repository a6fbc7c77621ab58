// Wires the page together: URL state, pack/URL loading, engine worker, panels, keyboard.
// All matching maths runs in the WASM core inside the worker; this file only orchestrates.
//
// One owner per load: every load or match is a "run" with its own AbortController. Starting a
// new run supersedes the old one (its fetches are aborted, the engine restarted if it was busy);
// a run changes the app's state only in commit(), and only while it is still the newest. Until
// then the page, the URL and Copy link keep describing what is drawn.
/* global d3 */
import { EngineClient } from './engine-client.js';
import { loadManifest, PackLoader, clearPackCaches } from './pack-loader.js';
import { parseState, writeState, selectLayers, parseLayerSpec, checkSource } from './state.js';
import { chainOrder } from './layout.js';
import { GraphPanel } from './panels/graph.js';
import { DetailPanel } from './panels/detail.js';
import { HistogramPanel } from './panels/histogram.js';
import { ProgressPanel } from './panels/progress.js';
import { SourcesPanel } from './panels/sources.js';
import { Notices } from './notices.js';
import { hopTest, chainRuns, describeRuns, CRITERION_TEXT, CRITERION_SHORT, NULL_PERCENTILE } from './persistence.js';
import { exportCsv, exportAllCsv, exportJson, exportSvg, exportPng } from './export.js';
import { layerName, packSources, urlSource, formatNote } from './layer-sources.js';
import { catalogSource } from './catalog.js';
import { bindCatalogControls } from './catalog-ui.js';
import { Explanations } from './neuronpedia.js';
import { registerServiceWorker } from './sw-register.js';
import { Explorer, matchOptions } from './explorer.js';
import { GapResultBox, setGapControl, optimalityText, gapPercent } from './gap-budget.js';
import { LayerStore, MAX_HELD } from './layer-store.js';
import { estimateRun, describeEstimate, warmUpToPair } from './run-estimate.js';
import { hopsFor, readResults, elsewhereInfo } from './result-pack.js';

const $ = (id) => document.getElementById(id);
const NULL_SAMPLES = 256;  // features rotated at random per pair for the null baseline
// A promise with its resolve/reject at hand (layers that arrive while matching waits for them).
function deferred() {
  const d = {};
  d.promise = new Promise((resolve, reject) => { d.resolve = resolve; d.reject = reject; });
  return d;
}
// The matching rate (F_A·F_B·d per second) of the last real pair this browser matched, kept
// across visits: it prices the next long run better than the small warm-up match does.
const RATE_KEY = 'saematch-rate';
const SLOWEST_RATE = 5e8;  // F_A·F_B·d per second, well below any measured browser (bench/RESULTS.md)
function rememberRate(rate) { try { localStorage.setItem(RATE_KEY, String(rate)); } catch { /* storage refused: warm-up rate next time */ } }
function measuredRate() { try { const r = Number(localStorage.getItem(RATE_KEY)); return r > 0 && Number.isFinite(r) ? r : 0; } catch { return 0; } }
const sameSettings = (a, b) => ['w_dec', 'w_enc', 'w_b', 'cosine', 'int8'].every((k) => a[k] === b[k]) && (a.gap || 0) === (b.gap || 0);
export const STALE_TEXT = 'Settings changed — match again: the graph, chain and exports still show the result of the previous settings.';
export const STALE_EXPORT = 'Not exported: the matching settings were changed after this result was computed. Match again (or undo the change) so the file describes the result it holds.';

class App {
  constructor() {
    const { state, problems } = parseState();
    this.state = state;
    this.notices = new Notices($('notices'));
    this.linkProblems = problems.map((p) => `Link: ${p}`);  // shown by the first load (it clears notices)
    this.engine = new EngineClient();
    this.engine.onRestart = null;  // restartEngine() decides whether the layers go back in
    this.layers = null;        // the shown model's LayerStore: where its layers can be re-read (layer-store.js)
    this.model = null;         // the committed result: { F, pairs, order, rankOf, labels, norms, layerIds, layerNames, sources, origin, settings }
    this.chain = null;
    this.run = null;           // the newest load or match; only it may commit
    this.status = 'starting';
    this.build = { name: 'saematch-web', version: 'dev', commit: 'unknown' };
    this.graph = new GraphPanel($('graph'), {
      onSelect: (l, f) => this.select(l, f),
      onZoom: (z) => { this.state.zoom = z; this.saveState(); },
    });
    this.detail = new DetailPanel($('detail'));
    this.detail.update(null);
    this.hist = new HistogramPanel($('histogram'), { onPair: (i) => { this.state.pair = i; this.saveState(); this.renderHistogram(); } });
    this.progress = new ProgressPanel($('progress'));
    this.explanations = new Explanations();
    this.sourcesPanel = new SourcesPanel($('sources'));
    this.sourcesPanel.update(null);
    this.bindControls();
    this.explorer = new Explorer(this);  // overview, chain view, comparison, layer skip, tour
    $('verify-pair').addEventListener('click', () => this.verifyPair(Math.max(0, Math.min(this.state.pair, this.model ? this.model.pairs.length - 1 : 0))));
  }

  // ---- status, busy state, messages -------------------------------------------------------
  setStatus(s, text) { this.status = s; document.body.dataset.status = s; $('status').textContent = text || s; }
  // The one place buttons follow what the app is doing: null | 'loading' | 'matching' | 'cancelling'.
  setBusy(kind) {
    this.busy = kind;
    document.body.dataset.busy = kind || '';
    $('match-btn').disabled = !!kind || !this.model;
    $('cancel-btn').disabled = !(kind === 'loading' || kind === 'matching');
    this.renderStale();
  }
  showError(msg) { const e = $('error'); e.textContent = msg; e.hidden = false; }
  clearError() { $('error').hidden = true; $('error').textContent = ''; }
  notice(msg, kind) { return this.notices.add(msg, kind); }
  saveState() { writeState(this.state); }
  // The source fields as the state has them: what the shown data came from.
  showSourceFields() {
    const s = this.state;
    $('pack-url').value = s.urls.length ? '' : s.pack;
    $('layers').value = s.layers;
    $('sae-urls').value = s.urls.join('\n');
  }

  // ---- controls ---------------------------------------------------------------------------
  // The matching settings the form asks for now (what Match would use).
  formSettings() {
    return { w_dec: Number($('w-dec').value), w_enc: Number($('w-enc').value), w_b: Number($('w-b').value), cosine: $('cosine').checked, int8: $('int8').checked, gap: Number($('gap').value) };
  }

  bindControls() {
    const s = this.state;
    $('w-dec').value = s.wdec; $('w-enc').value = s.wenc; $('w-b').value = s.wb; $('cosine').checked = s.cos; $('int8').checked = s.i8;
    setGapControl($('gap'), s.gap);
    this.gapBox = new GapResultBox($('gap-result'), { onContinue: () => this.continueExact() });
    $('q').value = s.q; $('q-value').textContent = s.q.toFixed(2);
    $('criterion').value = s.crit; $('smin').value = s.smin;
    this.showSourceFields();
    if (s.urls.length) $('url-details').open = true;
    for (const id of ['w-dec', 'w-enc', 'w-b', 'cosine', 'int8', 'gap']) $(id).addEventListener('input', () => this.renderStale());
    $('match-btn').addEventListener('click', () => this.rematch());
    $('cancel-btn').addEventListener('click', () => this.cancel());
    $('q').addEventListener('input', () => { $('q-value').textContent = Number($('q').value).toFixed(2); });
    $('q').addEventListener('change', () => { s.q = Number($('q').value); this.saveState(); this.thresholdsChanged(); });
    $('criterion').addEventListener('change', () => { s.crit = $('criterion').value; this.saveState(); this.persistenceChanged(); });
    $('smin').addEventListener('change', () => {
      const v = Number($('smin').value);
      if (!(v >= -1 && v <= 1)) { this.showError(`score threshold: ${$('smin').value} is not a number between -1 and 1`); $('smin').value = s.smin; return; }
      s.smin = v; this.saveState(); this.persistenceChanged();
    });
    $('load-pack').addEventListener('click', () => {
      const pack = $('pack-url').value.trim() || 'demo/manifest.json';
      const layers = $('layers').value.trim();
      try { checkSource('pack', pack); parseLayerSpec(layers); } catch (e) { this.showError(e.message); return; }
      this.load({ pack, urls: [], cat: '', layers, mh: '', sel: null, zoom: null });
    });
    $('load-urls').addEventListener('click', () => {
      const urls = $('sae-urls').value.split(/\s+/).filter(Boolean);
      try { urls.forEach((u) => checkSource('urls', u)); } catch (e) { this.showError(e.message); return; }
      this.load({ pack: s.pack, urls, cat: '', layers: $('layers').value.trim(), mh: '', sel: null, zoom: null });  // layers: only to say it does not apply
    });
    $('clear-cache').addEventListener('click', async () => { const n = await clearPackCaches(); this.notice(`Cleared ${n} cached pack(s).`); });
    $('copy-link').addEventListener('click', async () => {
      const url = writeState(this.state);
      try { await navigator.clipboard.writeText(url); this.notice('Link copied.'); } catch { this.notice(url); }
    });
    $('search').addEventListener('keydown', (e) => { if (e.key === 'Enter') this.search($('search').value.trim()); });
    $('export-csv').addEventListener('click', () => this.exportChain('csv'));
    $('export-json').addEventListener('click', () => this.exportChain('json'));
    $('export-all').addEventListener('click', () => this.exportGuarded(() => exportAllCsv(this.model, this.exportCtx(), this.exportMeta())));
    $('export-svg').addEventListener('click', () => this.exportGuarded(() => exportSvg(this.graph, this.figureMeta(), this.exportName())));
    $('export-png').addEventListener('click', () => this.exportGuarded(() => exportPng(this.graph, this.figureMeta(), this.exportName())));
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

  // The shown result again, exactly: its own settings with no gap budget (edits pending in the form are dropped).
  continueExact() {
    const w = this.model.settings;
    $('w-dec').value = w.w_dec; $('w-enc').value = w.w_enc; $('w-b').value = w.w_b; $('cosine').checked = w.cosine; $('int8').checked = w.int8;
    setGapControl($('gap'), 0);
    this.rematch();
  }

  // "Settings changed — match again" while the form differs from the shown result's settings.
  renderStale() {
    const stale = !!this.model && !sameSettings(this.formSettings(), this.model.settings);
    $('stale').hidden = !stale;
    $('stale').textContent = stale ? STALE_TEXT : '';
    document.body.dataset.stale = stale ? '1' : '';
    this.gapBox.update(this.model, this.busy);
    return stale;
  }

  async start() {
    fetch('app/version.json', { cache: 'no-cache' }).then((r) => (r.ok ? r.json() : null)).then((v) => { if (v) Object.assign(this.build, v); }).catch(() => {});
    try {
      const info = await this.engine.info;
      this.engineInfo = info;
      const simd = info.coarseScreen ? 'relaxed SIMD' : 'SIMD128';
      $('engine-flavour').textContent = info.flavour === 'mt'
        ? `WASM threaded (${simd}, ${info.threads} threads)` : `WASM single-thread (${simd}; page not cross-origin isolated)`;
      $('engine-flavour').dataset.flavour = info.flavour;
      $('engine-flavour').dataset.relaxedSimd = info.coarseScreen ? '1' : '0';
      $('engine-flavour').title = info.coarseScreen
        ? 'int8 pairs are screened with relaxed SIMD\'s byte dot product (about twice as fast; the same optimum)' : '';
    } catch (e) {
      this.setStatus('error', 'engine failed');
      this.showError(e.message);
      return;
    }
    const s = this.state;
    await this.load({ pack: s.pack, urls: s.urls, cat: s.cat, layers: s.layers, mh: s.mh, sel: s.sel, zoom: s.zoom });
  }

  // ---- runs: one owner at a time ------------------------------------------------------------
  beginRun(kind, target) {
    const previous = this.run;
    if (previous) previous.controller.abort();
    const run = { kind, target, controller: new AbortController(), settings: this.formSettings() };
    run.signal = run.controller.signal;
    this.run = run;
    return { run, previous };
  }
  owns(run) { return this.run === run; }
  // Throws once a newer run (or a cancel) has taken over: the rest of this one is discarded.
  check(run) { if (!this.owns(run) || run.signal.aborted) throw new Error('cancelled'); }

  // Terminates the worker and starts a fresh one (restart), and/or puts the shown model's
  // layers and matches back in (refill). Nothing else talks to the engine until that is done.
  restartEngine({ refill, restart = true }) {
    const p = (async () => {
      if (restart) await this.engine.cancel();
      else await this.engine.call('clear');
      if (this.layers) this.layers.reset();  // the engine holds no layer now
      if (refill) await this.reloadLayersIntoEngine();
    })();
    const mine = p.finally(() => { if (this.restarting === mine) this.restarting = null; });
    this.restarting = mine;
    return mine;
  }

  // ---- load stages --------------------------------------------------------------------------
  // Loads a pack or direct URLs (target: {pack, urls, layers, mh, sel, zoom}), matches all
  // consecutive pairs and commits the result, unless a newer run took over meanwhile.
  async load(target) {
    const { run, previous } = this.beginRun('load', target);
    this.notices.clear();
    for (const p of this.linkProblems.splice(0)) this.notice(p, 'warning');
    this.clearError();
    this.setBusy('loading');
    this.setStatus('loading', 'loading weights…');
    try {
      if (previous) await this.restartEngine({ refill: false });  // stops the superseded run's engine work
      else if (this.restarting) await this.restarting.catch(() => {});
      this.check(run);
      await this.engine.call('clear');
      if (this.layers) this.layers.reset();
      this.check(run);
      const { input, model } = target.cat ? await this.loadCatalogAndMatch(target, run)
        : target.urls.length ? await this.loadUrlsAndMatch(target.urls, run) : await this.loadPackAndMatch(target.pack, run);
      this.check(run);
      await this.commit(run, input, model);
    } catch (e) {
      if (!this.owns(run)) return;  // superseded or cancelled: whoever took over reports
      this.run = null;
      run.controller.abort();  // downloads still in flight stop, and put nothing into the engine
      if (run.store) run.store.dispose();
      this.progress.hide();
      this.showError(e.message);
      // Keep the last good state usable: refill the engine with what worked before.
      try { await this.restartEngine({ refill: true, restart: false }); } catch { /* nothing older to restore */ }
      if (this.run) return;
      this.setBusy(null);
      this.setStatus(this.model ? 'ready' : 'error', this.model ? 'ready (previous data kept)' : 'failed');
    }
  }

  // Pack layers go to the engine as they arrive, and each pair is matched as soon as both of
  // its layers are there: on a slow link most of the chain is done when the download ends.
  // The engine holds at most MAX_HELD layers: a layer downloads only once the pair before the
  // one it starts has been matched and its first layer dropped (layer-store.js re-reads it).
  async loadPackAndMatch(url, run) {
    const plan = await this.openPack(url, run);
    this.check(run);
    const m = plan.pack.manifest;
    const store = this.newStore(run);
    plan.chosen.forEach((l, i) => store.addPackLayer(i, plan.pack, l, plan.layerNames[i]));
    const input = {
      kind: 'pack', F: plan.F, d: m.d_model, labels: plan.labels, layerIds: plan.layerIds, hooks: plan.hooks, layerNames: plan.layerNames,
      int8Stored: m.quant === 'int8', manifest: m, packHash: plan.pack.hash, plan, store,
      sources: packSources(plan.pack, plan.chosen), origin: { kind: 'pack', url: plan.pack.url, hash: plan.pack.hash, title: m.title || '', format: `saematch pack, ${m.quant}` },
    };
    if (m.results && hopsFor(m, plan.chosen)) return { input, model: await this.openResults(plan, input, run) };
    if (m.results) this.notice('This result pack\'s results pair consecutive layers only, and the chosen layers skip some: these pairs are matched in this browser.', 'warning');
    await this.confirmEstimate(run, plan.chosen.map((l) => ({ F: l.F, bytes: l.shards.reduce((a, x) => a + x.bytes, 0) })), m.d_model, input.int8Stored);
    if (plan.loader.memoryOnly) store.warnIfMemoryWillNotFit(store.totalBytes());
    const arrived = plan.chosen.map(() => deferred());  // resolves once the engine holds the layer
    const done = plan.chosen.map(() => deferred());     // resolves once pair l is matched and layer l dropped
    input.pairDone = (l) => done[l].resolve();
    const room = (i) => (i >= MAX_HELD && store.streaming() ? done[i - MAX_HELD].promise : null);
    const downloads = this.downloadLayers(plan, run, async (i, blob) => {
      store.arrived(i, plan.loader, blob);  // keeps a copy only if storage refused the shards
      arrived[i].resolve(this.engine.call('setPackLayer', [i, JSON.stringify(plan.chosen[i]), blob], { transfer: [blob] }));
      await arrived[i].promise;
    }, room).then(() => {
      if (this.owns(run) && this.status === 'matching') $('status').textContent = 'matching…';  // nothing left to download
    }, (e) => {
      for (const a of arrived) a.reject(e);  // wakes a match waiting for a layer that will not come
      throw e;
    });
    for (const a of arrived) a.promise.catch(() => {});  // surfaced by whoever awaits it
    const matching = this.runMatch(input, { layerArrived: (i) => arrived[i].promise, run });
    matching.catch((e) => { for (const d of done) d.reject(e); });  // wakes a download waiting for room
    for (const d of done) d.promise.catch(() => {});
    const [, model] = await Promise.all([downloads, matching]);
    return { input, model };
  }

  // A store for the run's layers; it becomes the app's when the run commits.
  newStore(run) {
    run.store = new LayerStore(this.engine, {
      notice: (t) => { if (this.owns(run) || this.layers === run.store) this.notice(t, 'warning'); },
      status: (t) => { $('layer-status').textContent = t; $('layer-status').hidden = !t; },
    });
    return run.store;
  }

  // Before a long or big run: its estimate, and Start / Cancel. Short small runs start at once;
  // a run whose peak memory cannot fit is refused with one message.
  // layers: [{ F, bytes }] of the run, in order.
  async confirmEstimate(run, layers, d, int8Stored) {
    const w = run.settings;
    const int8 = w.int8 && int8Stored && w.w_enc === 0 && w.w_b === 0 && !w.cosine;
    const measured = measuredRate();
    const coarse = int8 && !!(this.engineInfo && this.engineInfo.coarseScreen);
    const price = (rate) => estimateRun({ layers, d, int8, coarse, rate, downloadBytes: layers.reduce((a, l) => a + l.bytes, 0) });
    // Short even at a very slow rate (the demos, small shared packs): start without waiting for the warm-up.
    this.estimate = price(measured || SLOWEST_RATE);
    if (!this.estimate.long) return;
    const e = measured ? this.estimate : price(warmUpToPair(coarse) * await this.engine.call('warmUpRate'));
    this.check(run);
    this.estimate = e;
    const text = describeEstimate(e, layers.length - 1, measured ? 'from the pairs this browser matched before' : 'scaled from a small warm-up match on this machine, on the long side');
    if (!e.fits) throw new Error(`Too big for this browser: ${text} Match it natively (saematch chain … --pack) and open the result pack here.`);
    if (!e.long) return;
    this.setStatus('confirm', 'waiting for your go');
    $('estimate-text').textContent = text;
    $('estimate').hidden = false;
    const go = await new Promise((resolve) => {
      const answer = (yes) => () => resolve(yes);
      $('estimate-start').onclick = answer(true);
      $('estimate-cancel').onclick = answer(false);
      run.signal.addEventListener('abort', answer(false), { once: true });
      $('estimate-start').focus();
    });
    $('estimate').hidden = true;
    if (!go && this.owns(run)) await this.cancel();
    this.check(run);
    this.setStatus('loading', 'loading weights…');
  }

  // A result pack: its pairs, norms and null cuts go straight to the app and the engine
  // (setPair); no layer is downloaded until a question needs it (layer store).
  async openResults(plan, input, run) {
    const m = plan.pack.manifest;
    this.progress.hide();
    this.setStatus('loading', 'reading the result pack…');
    const buf = await plan.loader.loadResults(m.results, () => {});
    this.check(run);
    for (let i = 0; i < plan.chosen.length; i++) plan.labels[i] = await plan.loader.labels(plan.chosen[i]);
    this.check(run);
    const { pairs, norms } = readResults(m, plan.chosen, buf);
    for (let l = 0; l < pairs.length; l++) {
      const p = pairs[l];
      await this.engine.call('setPair', [l, { a_to_b: p.a_to_b, cost: p.cost, score: p.score, FB: p.FB }]);
    }
    this.check(run);
    const st = m.results.settings || {};
    const settings = { w_dec: Number(st.w_dec ?? 1), w_enc: Number(st.w_enc ?? 0), w_b: Number(st.w_b ?? 0), cosine: !!st.cosine, int8: !!st.int8 };
    settings.int8_used = settings.int8 && input.int8Stored && settings.w_enc === 0 && settings.w_b === 0;
    return {
      F: input.F, pairs, labels: input.labels, norms, layerIds: input.layerIds, layerNames: input.layerNames, hooks: input.hooks,
      sources: input.sources, origin: input.origin, settings, seconds: 0, elsewhere: elsewhereInfo(m, pairs, input.layerNames),
    };
  }

  // Manifest, checks and the choice of layers; starts the download progress bars.
  async openPack(url, run) {
    const pack = await loadManifest(url, { signal: run.signal, hashPrefix: run.target.mh });
    this.check(run);
    await this.engine.call('validateManifest', [pack.text]);
    this.check(run);
    const m = pack.manifest;
    const target = run.target;
    if (target.mh && !pack.hash.startsWith(target.mh)) {
      this.notice(`This link was made for a different version of the pack (hash ${target.mh}, now ${pack.hash.slice(0, 12)}): results may differ.`, 'warning');
    }
    target.mh = pack.hash.slice(0, 12);
    const chosen = selectLayers(target.layers, m.layers.map((l) => l.layer)).map((i) => m.layers[i]);
    const loader = new PackLoader(pack, { onNotice: (t) => { if (this.owns(run)) this.notice(t, 'warning'); }, signal: run.signal });
    await loader.storeManifest();
    this.check(run);
    this.progress.startDownload(chosen.map((l) => layerName(l.layer, l.hook)), chosen.map((l) => l.shards.reduce((a, s) => a + s.bytes, 0)));
    return {
      pack, chosen, loader, F: chosen.map((l) => l.F), layerIds: chosen.map((l) => l.layer), hooks: chosen.map((l) => l.hook || ''),
      layerNames: chosen.map((l) => layerName(l.layer, l.hook)),
      labels: chosen.map(() => null),  // filled as the layers arrive
    };
  }

  // Downloads and verifies the chosen layers in order; await onLayer(i, bytes) as each one is
  // ready. room(i): null or a promise that layer i must wait for (the engine's layer budget).
  async downloadLayers(plan, run, onLayer, room = () => null) {
    for (let i = 0; i < plan.chosen.length; i++) {
      await room(i);
      this.check(run);
      const layer = plan.chosen[i];
      const blob = await plan.loader.loadLayer(layer, (n, cached) => { if (this.owns(run)) this.progress.addBytes(i, n, cached); });
      plan.labels[i] = await plan.loader.labels(layer);
      this.check(run);
      await onLayer(i, blob);
    }
    this.downloadedAt = performance.now();  // for the benchmark: when the last layer was verified
  }

  // A release from the catalog: its layers' hub URLs, ids and Neuronpedia source.
  async loadCatalogAndMatch(target, run) {
    const src = await catalogSource(target.cat, target.layers);
    this.check(run);
    return this.loadUrlsAndMatch(src.urls, run, src);
  }

  async loadUrlsAndMatch(urls, run, src = null) {
    const input = await this.loadUrls(urls, run, src);
    this.check(run);
    this.progress.hide();
    const model = await this.runMatch(input, { run });
    return { input, model };
  }

  // Direct SAE files: each read by the worker (Range requests for .npz), then its real layer
  // id and hook asked back from the engine (cfg.json's hook_layer/hook_name, else the path).
  // src: a catalog entry's layers (catalog.js catalogSource), or null for URLs typed by the user.
  async loadUrls(urls, run, src = null) {
    if (urls.length < 2) throw new Error('give at least two SAE URLs (one per layer)');
    if (run.target.layers && !src) this.notice('The Layers field applies to packs only: every URL given was loaded.', 'warning');
    const NET = self.NetPolicy;
    // The worker resolves relative URLs against its own script, so resolve against the page here.
    const abs = urls.map((u, i) => NET.checkUrl(u, location.href, `layer ${i}: the SAE URL`));
    const names = urls.map((u, i) => (src ? layerName(src.layerIds[i], '') : `file ${i + 1}`));
    this.progress.startDownload(names, urls.map(() => 0));
    const store = this.newStore(run);
    const F = [], sources = [];
    let d = null;
    for (let i = 0; i < urls.length; i++) {
      let r, info;
      try {
        r = await this.engine.call('loadUrlLayer', [i, abs[i], { layer: `layer ${i}`, net: self.SAEMATCH_NET }], {
          onProgress: (p) => { if (this.owns(run)) this.progress.setBytes(i, p.loaded, p.total); }, signal: run.signal,
        });
        this.check(run);
        info = await this.engine.call('layerInfo', [i]);
      } catch (e) {
        const hub = / is a gated repository /.test(e.message) && NET.hubParts(abs[i]);
        if (hub) {  // a link to the repository page, built with DOM APIs (never markup from a server)
          const a = document.createElement('a');
          a.href = hub.page; a.target = '_blank'; a.rel = 'noopener noreferrer'; a.textContent = `${hub.repo} repository page`;
          this.notice([`Layer ${i} comes from a gated repository: request access on the `, a, '.'], 'warning gated');
        }
        // Say which layer and file failed unless the message already does (errors from the engine).
        const named = e.message === 'cancelled' || e.message.startsWith(`layer ${i}`);
        throw named ? e : new Error(`layer ${i}, ${NET.fileOf(abs[i])}: ${e.message}`);
      }
      this.check(run);
      if (d !== null && r.d !== d) throw new Error(`d_model mismatch: ${urls[i]} has d_model=${r.d}, ${urls[0]} has ${d}`);
      d = r.d;
      // Its packed form goes to storage once; the engine keeps only the first pair's layers.
      await store.capture(i, names[i]);
      if (i >= 2) await store.release(i);
      this.check(run);
      F.push(r.F);
      sources.push(urlSource(abs[i], info, i));
    }
    let ids = src ? src.layerIds.slice() : sources.map((s) => s.id);
    if (new Set(ids).size !== ids.length) {
      this.notice(`Two files claim the same layer (${ids.join(', ')}): layers are numbered by position instead.`, 'warning');
      ids = ids.map((_, i) => i);
    }
    sources.forEach((s, i) => { s.id = ids[i]; s.name = layerName(ids[i], s.hook); });
    return {
      kind: 'urls', F, labels: urls.map(() => null), layerIds: ids, hooks: sources.map((s) => s.hook), layerNames: sources.map((s) => s.name),
      int8Stored: true, manifest: src ? src.manifest : null, packHash: '', store, d, sources,
      origin: { kind: src ? 'catalog' : 'urls', url: '', hash: '', title: src ? src.title : '', format: formatNote(urls) },
    };
  }

  // After a restart the engine holds nothing: the shown model's matches go back in, and its
  // layers come back on demand (layer store) when a question needs them.
  async reloadLayersIntoEngine() {
    if (this.layers) this.layers.reset();
    if (this.model) {
      for (let l = 0; l < this.model.pairs.length; l++) {
        const p = this.model.pairs[l];
        await this.engine.call('setPair', [l, { a_to_b: p.a_to_b, cost: p.cost, score: p.score, FB: p.FB }]);
      }
    }
  }

  // Runs fn() once the engine holds layers `need` (re-read from storage with progress, others
  // evicted). The explorer's questions and "verify this pair" come through here.
  async engineWithLayers(need, fn) {
    if (this.restarting) await this.restarting.catch(() => {});
    if (this.run) throw new Error('busy: wait until the running load or match ends');
    if (!this.layers) return fn();
    return this.layers.withLayers(need, fn);
  }

  layerD() { return this.model.sources[0].d; }

  // ---- matching -----------------------------------------------------------------------------
  // Matches every consecutive pair of input's layers with the run's settings and computes each
  // pair's null baseline; returns the model without showing it (commit() does).
  // layerArrived(i): a promise for layer i being in the engine, when layers are still arriving.
  async runMatch(input, { layerArrived = null, run }) {
    const w = run.settings;
    const L = input.F.length;
    const pairs = [];
    if (this.owns(run)) this.setStatus('matching', layerArrived ? 'matching while the layers download…' : 'matching…');
    const t0 = performance.now();
    // The integer kernel only for int8 layers with a decoder-only cost: re-quantising the stored
    // rows then gives back exactly the stored integers, so nothing is approximated.
    const int8 = w.int8 && input.int8Stored && w.w_enc === 0 && w.w_b === 0;
    const opts = { w_dec: w.w_dec, w_enc: w.w_enc, w_b: w.w_b, cosine: w.cosine, int8, gap: w.gap };
    const stage = (l, text, f) => { if (this.owns(run)) this.progress.stage(`${input.layerNames[l]} → ${input.layerNames[l + 1]}: ${text}`, (l + f) / (L - 1)); };
    const store = input.store;
    const norms = [];
    for (let l = 0; l + 1 < L; l++) {
      if (layerArrived) await Promise.all([layerArrived(l), layerArrived(l + 1)]);
      this.check(run);
      await store.ensure([l, l + 1], { signal: run.signal });  // re-read from storage if dropped
      this.check(run);
      const r = await this.engine.call('match', [l, l + 1, opts], { onProgress: (p) => stage(l, p.stage, p.fraction || 0) });
      this.check(run);
      stage(l, 'null baseline', 0.95);
      const scores = await this.engine.call('nullBaseline', [l, l + 1, opts, NULL_SAMPLES, l + 1]);
      this.check(run);
      r.nullScores = scores;
      r.nullCut = await this.engine.call('quantile', [scores, NULL_PERCENTILE]);
      r.significant = Array.from(r.score).filter((s) => s > r.nullCut).length;
      pairs.push(r);
      if (input.d && r.ms > 250) rememberRate((r.FA * r.FB * input.d) / (r.ms / 1000));  // for the next estimate
      norms.push(await this.engine.call('decoderNorms', [l]));
      if (l + 2 === L) norms.push(await this.engine.call('decoderNorms', [l + 1]));
      await store.release(l);  // the next pairs do not need it: when streaming, the engine keeps at most MAX_HELD layers
      if (input.pairDone) input.pairDone(l);
    }
    this.check(run);
    return {
      F: input.F, pairs, labels: input.labels, norms, layerIds: input.layerIds, layerNames: input.layerNames, hooks: input.hooks,
      sources: input.sources, origin: input.origin, settings: { ...w, int8_used: int8 }, seconds: (performance.now() - t0) / 1000,
    };
  }

  // Match again with the form's settings, on the layers the engine holds.
  async rematch() {
    if (!this.model || this.busy) return;
    const { run } = this.beginRun('match', null);
    this.clearError();
    this.setBusy('matching');
    const m = this.model;
    try {
      const store = this.layers;
      await store.idle();  // a question still being answered finishes before matching moves layers
      const layers = m.F.map((F, i) => ({ F, bytes: store.sources.get(i).bytes }));
      await this.confirmEstimate(run, layers, this.layerD(), m.int8Stored);
      const model = await this.runMatch({ F: m.F, d: this.layerD(), labels: m.labels, layerIds: m.layerIds, hooks: m.hooks, layerNames: m.layerNames, sources: m.sources, origin: m.origin, int8Stored: m.int8Stored, store }, { run });
      model.int8Stored = m.int8Stored;
      if (m.elsewhere || m.rematchedElsewhere) model.rematchedElsewhere = true;  // the pack's own results are replaced: say so
      this.check(run);
      await this.commit(run, { store, manifest: this.manifest, packHash: this.packHash }, model);
    } catch (e) {
      if (!this.owns(run)) return;
      this.run = null;
      this.progress.hide();
      this.showError(e.message);
      this.setBusy(null);
      this.setStatus('ready', 'ready (last action failed)');
    }
  }

  // The run's result becomes what the app shows: model, sources, title, URL state, panels.
  async commit(run, input, model) {
    this.check(run);
    this.progress.hide();
    const s = this.state;
    if (model.int8Stored === undefined) model.int8Stored = input.int8Stored;
    this.model = model;
    if (this.layers !== input.store) {
      if (this.layers) this.layers.dispose();
      this.layers = input.store;
    }
    if (run.kind === 'load') {
      this.manifest = input.manifest; this.packHash = input.packHash;
      const t = run.target;
      const direct = t.urls.length > 0 && !t.cat;  // URLs typed by the user: the Layers field does not apply
      Object.assign(s, { pack: t.urls.length ? s.pack : t.pack, urls: t.cat ? [] : t.urls, cat: t.cat || '', layers: direct ? '' : t.layers, mh: t.urls.length || t.cat ? '' : t.mh, sel: t.sel, zoom: t.zoom });
      this.showOrigin(input);
      this.chain = null; this.runs = null;  // the old chain indexes the old layers
    }
    this.renderSources();
    this.renderVerify();
    const w = model.settings;
    Object.assign(s, { wdec: w.w_dec, wenc: w.w_enc, wb: w.w_b, cos: w.cosine, i8: w.int8, gap: w.gap || 0 });
    if (model.elsewhere) {  // the form shows the settings the pack's results were computed with
      $('w-dec').value = w.w_dec; $('w-enc').value = w.w_enc; $('w-b').value = w.w_b; $('cosine').checked = w.cosine; $('int8').checked = w.int8;
      setGapControl($('gap'), w.gap || 0);
    }
    this.saveState();
    this.run = null;
    await this.applyThresholds();
    this.graph.setZoom(s.zoom);
    if (s.sel) {  // the URL names the layer by its id, like the search does
      const pos = model.layerIds.indexOf(s.sel[0]);
      if (pos >= 0) await this.select(pos, s.sel[1]);
      else { this.notice(`Link: sel: layer ${s.sel[0]} is not loaded (loaded: ${model.layerIds.join(', ')}); ignored`, 'warning'); s.sel = null; this.saveState(); }
    }
    if (this.run) return;  // a newer run started meanwhile and owns the status
    this.setBusy(null);
    const L = model.F.length;
    this.setStatus('ready', model.elsewhere ? `ready: ${L - 1} layer pairs from the result pack (computed elsewhere, not matched here)`
      : `ready: ${L - 1} layer pairs matched in ${model.seconds.toFixed(1)} s${model.settings.gap > 0 ? `, within ${gapPercent(model.settings.gap)} of optimal (proven)` : ''}`);
  }

  // Title, format note, Sources box and the load fields, for the committed input.
  showOrigin(input) {
    const names = input.layerNames;
    if (input.kind === 'pack') {
      const m = input.manifest;
      const which = input.plan.chosen.length === m.layers.length ? `${m.layers.length} layers` : `layers ${input.layerIds.join(', ')} of ${m.layers.length}`;
      $('pack-title').textContent = `${m.title || m.model || 'pack'} · ${which} · F=${input.F[0]} · d=${m.d_model} · ${m.quant}`;
      const acts = new Set(input.plan.chosen.map((l) => l.activation));
      $('fold-note').textContent = acts.has('jumprelu')
        ? 'JumpReLU thresholds are folded into the weights before matching.'
        : `${[...acts].join('/')} SAEs have no threshold: folding is the identity.`;
      $('pack-url').value = this.state.pack;
    } else {
      $('pack-title').textContent = input.origin.title
        ? `${input.origin.title} · ${names.length} layers (${names.join(', ')})`
        : `${names.length} SAEs from URLs (${names.join(', ')}) · d=${input.sources[0].d}`;
      $('fold-note').textContent = `Weights read directly: ${input.origin.format}; folded and quantised to int8 in the worker.`;
      $('pack-url').value = '';
    }
  }

  // The Sources box: where the layers came from, and where the shown results were computed.
  renderSources() {
    const m = this.model;
    if (!m) return;
    const computed = m.elsewhere ? { where: 'elsewhere', ...m.elsewhere, verified: m.pairs.map((p) => p.verified || null) }
      : { where: m.rematchedElsewhere ? 'browser-rematch' : 'browser', verified: m.pairs.map((p) => p.verified || null) };
    this.sourcesPanel.update({ origin: m.origin, sources: m.sources, computed, layerNames: m.layerNames });
  }

  // What "persists" means changed: every view that counts or colours persistence follows.
  persistenceChanged() {
    this.render();
    if (this.model && !this.run) this.explorer.modelChanged().catch((e) => this.showError(e.message));
  }

  // q changed: thresholds now if nothing is running, else the running load applies them.
  thresholdsChanged() {
    if (this.run || !this.model) return;
    this.applyThresholds().catch((e) => this.showError(e.message));
  }

  async applyThresholds() {
    if (!this.model) return;
    // Chain queries return the per-pair q-quantiles computed in the core.
    const m = this.model;
    const c = await this.engine.call('chain', [m.F.length, 0, 0, this.state.q]);
    m.pairs.forEach((p, i) => { p.threshold = c.thresholds[i]; });
    if (this.chain) await this.select(this.chain.layer, this.chain.selected);
    this.render();
    await this.explorer.modelChanged();
  }

  // ---- rendering ----------------------------------------------------------------------------
  persistsTest() {
    const s = this.state;
    const key = `${s.crit}|${s.smin}|${s.q}|${this.model && this.model.pairs.map((p) => p.threshold).join(',')}`;
    if (!this.persistsCache || this.persistsCache.key !== key || this.persistsCache.model !== this.model) {
      this.persistsCache = { key, model: this.model, fn: hopTest(this.model, s) };
    }
    return this.persistsCache.fn;
  }

  // One render path: every panel gets its view from the committed model, the chain and the state.
  render() {
    const m = this.model;
    if (!m) return;
    const s = this.state;
    const persists = this.persistsTest();
    if (m.persistsFor !== persists) { Object.assign(m, chainOrder(m.F, m.pairs, persists)); m.persistsFor = persists; }
    const runs = this.chain ? chainRuns(this.chain, persists) : null;
    if (runs) runs.names = m.layerIds.map((id) => `L${id}`);
    this.runs = runs;
    $('crit-help').textContent = `Persists = ${CRITERION_TEXT[s.crit](s)}.`;
    $('smin-row').hidden = s.crit !== 'score';
    this.graph.update({ model: m, chain: this.chain, persists, runs, criterion: CRITERION_SHORT[s.crit](s) });
    this.detail.update(this.chain ? { chain: this.chain, ctx: this.ctx(), runs, persists } : null);
    this.renderHistogram();
    this.renderStale();
  }

  renderHistogram() {
    const m = this.model;
    if (!m) return;
    const s = this.state;
    const i = Math.max(0, Math.min(s.pair, m.pairs.length - 1));
    let hop = null;
    if (this.chain && this.chain.hops[i] && this.chain.hops[i].from >= 0) {
      const h = this.chain.hops[i];
      hop = { cost: h.cost, score: h.score, breaks: this.runs ? this.runs.breaks.includes(i) : false };
    }
    this.hist.update({ pairs: m.pairs, index: i, layerNames: m.layerNames, q: s.q, hop, crit: s.crit, smin: s.smin });
    this.renderVerify();
  }

  ctx() {
    const m = this.model;
    return { labels: m.labels, norms: m.norms, layerNames: m.layerNames, layerIds: m.layerIds, neuronpedia: this.manifest && this.manifest.neuronpedia };
  }

  // ---- selection, search, keys --------------------------------------------------------------
  async select(layer, feature) {
    if (this.restarting) await this.restarting.catch(() => {});
    if (!this.model || this.run) return;  // the engine holds the running load's layers or half-made matches
    const F = this.model.F;
    if (!(layer >= 0 && layer < F.length && feature >= 0 && feature < F[layer])) {
      this.showError(`no feature ${layer}:${feature} here (${F.length} layers, features 0…${F[0] - 1})`);
      return;
    }
    try {
      const model = this.model;
      const c = await this.engine.call('chain', [model.F.length, layer, feature, this.state.q]);
      if (this.model !== model) return;
      c.layer = layer; c.selected = feature;
      this.chain = c;
      this.state.sel = [model.layerIds[layer], feature];
      // The histogram opens on the pair where the chain breaks nearest the selection.
      const runs = chainRuns(c, this.persistsTest());
      if (runs.breaks.length) {
        const after = runs.breaks.find((b) => b >= layer);
        this.state.pair = after !== undefined ? after : runs.breaks[runs.breaks.length - 1];
      }
      this.saveState();
      this.render();
      this.explanations.forChain(this.detail.root, this.ctx());  // fills in later; never awaited
      this.explorer.chainChanged(c);
    } catch (e) { this.showError(e.message); }
  }

  dropChain() { this.chain = null; this.runs = null; this.render(); if (!this.model) this.detail.update(null); this.explorer.chainChanged(null); }

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
    m = /^#(\d+)$/.exec(q) || /^(\d+)$/.exec(q);
    if (m) this.select(this.chain ? this.chain.layer : 0, Number(m[1]));
    // Label text, also for "#97": a label like "python code #97" stays findable.
    const needle = q.toLowerCase();
    const hits = [];
    this.model.labels.forEach((labels, l) => {
      if (!labels) return;
      for (let f = 0; f < labels.length && hits.length < 30; f++) if (String(labels[f]).toLowerCase().includes(needle)) hits.push({ l, f, label: labels[f] });
    });
    if (!hits.length) { if (!m) out.textContent = 'no feature label contains this text (search by layer:feature, e.g. 3:120, or #120 in the selected layer)'; return; }
    if (m) out.append(Object.assign(document.createElement('p'), { className: 'muted small', textContent: 'labels containing this text:' }));
    for (const h of hits) {
      const b = document.createElement('button');
      b.textContent = `${this.model.layerNames[h.l]} feature ${h.f} · ${h.label}`;
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

  // Stops the running load or match: its fetches are aborted, the worker terminated mid-
  // computation and refilled with the shown model's layers.
  async cancel() {
    const run = this.run;
    if (!run) return;
    run.controller.abort();
    this.run = null;
    this.progress.hide();
    this.setBusy('cancelling');
    this.setStatus('cancelling', 'cancelling…');
    try {
      await this.restartEngine({ refill: true });
      if (this.run) return;
      this.clearError();
      this.showSourceFields();  // not the cancelled run's source (the state is only committed with its results)
      this.setStatus(this.model ? 'ready' : 'idle', 'cancelled: previous results kept');
    } catch (e) {
      if (this.run) return;
      this.showError(`engine restart failed: ${e.message}`);
      this.setStatus('error', 'engine restart failed');
    } finally {
      if (!this.run) this.setBusy(null);
    }
  }

  // ---- verify this pair ------------------------------------------------------------------------
  // Re-certifies pair i in this browser from its duals (the engine's verifyPair): its two
  // layers are re-read or downloaded through the layer store first. A failure stays visible:
  // in this box, as a notice, in the Sources box and in every export's provenance.
  async verifyPair(i) {
    const m = this.model;
    if (!m || this.run || !m.pairs[i]) return;
    const p = m.pairs[i];
    const name = `${m.layerNames[i]} → ${m.layerNames[i + 1]}`;
    const out = $('verify-result');
    out.hidden = false; out.className = 'verify small'; out.textContent = `verifying ${name}…`;
    $('verify-pair').disabled = true;
    try {
      if (!p.u || !p.v) throw new Error('this pair has no duals to check (matched by an engine that did not return them)');
      const r = await this.engineWithLayers([i, i + 1], () => this.engine.call('verifyPair', [i, i + 1, matchOptions(this),
        { a_to_b: p.a_to_b, u: p.u, v: p.v, total: p.total, gap_budget: p.gap_budget || 0 }], { onProgress: (x) => { out.textContent = `verifying ${name}: ${x.stage || ''}…`; } }));
      if (this.model !== m) return;
      p.verified = { ...r, pair: name };
      if (!r.passed) this.notice(`Verification FAILED for ${name}: ${r.reason}`, 'warning');
    } catch (e) {
      if (this.model !== m) return;
      p.verified = { passed: false, error: true, reason: `could not verify: ${e.message}`, pair: name };
    } finally {
      $('verify-pair').disabled = false;
    }
    this.renderVerify();
    this.renderSources();
  }

  // The verification box follows the histogram's pair.
  renderVerify() {
    const m = this.model;
    const out = $('verify-result');
    const i = m ? Math.max(0, Math.min(this.state.pair, m.pairs.length - 1)) : 0;
    const v = m && m.pairs[i] && m.pairs[i].verified;
    $('verify-pair').hidden = !m;
    if (!v) { out.hidden = true; out.textContent = ''; return; }
    out.hidden = false;
    out.className = `verify small ${v.passed ? 'pass' : 'fail'}`;
    out.dataset.passed = String(!!v.passed);
    const num = (x, n = 6) => (Number.isFinite(x) ? Number(x.toPrecision(n)) : x);
    // A pair matched under a gap budget is proven within the budget, not optimal.
    const p = m.pairs[i];
    const claim = p.certified || !(p.gap_budget > 0) ? 'is optimal' : `is within ${gapPercent(p.gap_budget)} of optimal`;
    out.textContent = v.passed
      ? `Verified in this browser: ${v.pair} ${claim}. ${v.pairs_checked} pairs checked, worst reduced cost ${num(v.worst_reduced_cost)} (tolerance ${num(v.tolerance)}), total ${num(v.total_recomputed)} ≥ lower bound ${num(v.lower_bound)} (proven gap ${num(v.proven_gap)}).`
      : v.error ? `Not verified: ${v.pair}: ${v.reason}`
        : `Verification FAILED: ${v.pair}: ${v.reason} (${v.violations} violations in ${v.pairs_checked} pairs checked, worst reduced cost ${num(v.worst_reduced_cost)}, tolerance ${num(v.tolerance)}, total recomputed ${num(v.total_recomputed)}).`;
  }

  // ---- exports ------------------------------------------------------------------------------
  exportName() { return this.chain ? `chain-${this.model.layerNames[this.chain.layer].split(' ')[0]}-${this.chain.selected}` : 'saematch-graph'; }

  // Every export goes through here: nothing while a run is going, nothing when the settings
  // in the form are not the ones the shown result was computed with.
  exportGuarded(fn) {
    if (!this.model) { this.notice('Nothing to export yet: load and match some layers first.', 'warning'); return false; }
    if (this.renderStale()) { this.notice(STALE_EXPORT, 'warning'); return false; }
    fn();
    return true;
  }

  exportChain(kind) {
    if (this.model && !this.chain) { this.notice(`No chain selected: click a feature (or search one) to export its chain as ${kind.toUpperCase()}; "All matches" exports every pair.`, 'warning'); return; }
    this.exportGuarded(() => (kind === 'csv' ? exportCsv : exportJson)(this.chain, this.exportCtx(), this.exportMeta()));
  }

  exportCtx() {
    const m = this.model;
    const summary = this.chain && this.runs ? describeRuns(this.runs, this.runs.names) : '';
    return { ...this.ctx(), hooks: m.hooks, persists: this.persistsTest(), thresholds: m.pairs.map((p) => p.threshold), summary };
  }

  // Provenance of the shown result (export-provenance.js).
  exportMeta() {
    const m = this.model, s = this.state;
    const round = (x, n = 6) => (Number.isFinite(x) ? Number(x.toPrecision(n)) : null);
    return {
      app: { ...this.build }, created: new Date().toISOString(), link: writeState(s), origin: m.origin,
      sources: m.sources.map((x) => ({ ...x })),
      settings: { w_dec: m.settings.w_dec, w_enc: m.settings.w_enc, w_b: m.settings.w_b, cosine: m.settings.cosine, int8: m.settings.int8_used },
      optimum: { gap_budget: m.settings.gap || 0 },
      criterion: { criterion: s.crit, text: CRITERION_TEXT[s.crit](s), q: s.q, score_min: s.smin, null_percentile: NULL_PERCENTILE, null_samples: NULL_SAMPLES },
      pairs: m.pairs.map((p, l) => ({
        pair: `${m.layerNames[l]} -> ${m.layerNames[l + 1]}`, q_quantile_cost: round(p.threshold), null_score_cut: round(p.nullCut, 4),
        hops_above_null: p.significant, certified: p.certified, gap_bound: round(p.gap_bound), gap_budget: p.gap_budget || 0, optimality: optimalityText(p), method: p.method, total_cost: round(p.total),
        verified_here: p.verified ? { passed: !!p.verified.passed, reason: p.verified.reason || '' } : null,
      })),
      computed: m.elsewhere
        ? { where: 'elsewhere (result pack; not matched in this browser)', producer: m.elsewhere.producer, created: m.elsewhere.created, settings: m.elsewhere.settings }
        : { where: m.rematchedElsewhere ? 'this browser (re-matched; the result pack\'s own results were replaced)' : 'this browser' },
      selection: this.chain ? `${m.layerNames[this.chain.layer]} feature ${this.chain.selected}${this.runs ? ` (${describeRuns(this.runs, this.runs.names)})` : ''}` : '',
    };
  }

  // Title, settings and source lines drawn into exported pictures.
  figureMeta() {
    const meta = this.exportMeta();
    const m = this.model, s = this.state, w = meta.settings;
    const title = m.origin.kind === 'pack' ? (this.manifest.title || this.manifest.model || 'saematch pack') : `${m.F.length} SAEs from URLs`;
    return {
      ...meta,
      title,
      subtitle: `layers ${m.layerNames.join(', ')} · persists = ${meta.criterion.text} · q = ${s.q.toFixed(2)} · w_dec=${w.w_dec} w_enc=${w.w_enc} w_b=${w.w_b}${w.cosine ? ' cosine' : ''}${w.int8 ? ' int8' : ''}${meta.optimum.gap_budget > 0 ? ` · within ${gapPercent(meta.optimum.gap_budget)} of optimal (proven)` : ''}`,
      footer: `source: ${m.origin.kind === 'pack' ? `${m.origin.url} (sha256 ${m.origin.hash.slice(0, 12)})` : m.sources.map((x) => x.file).join(', ')} · saematch-web ${this.build.commit} · ${meta.created.slice(0, 10)}`,
    };
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
