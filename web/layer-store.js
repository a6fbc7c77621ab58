// Layers on demand: the engine holds only the layers the current question needs (at most
// MAX_HELD), and this store knows where every loaded layer's bytes can be read again.
//   pack layers: the Cache API, where PackLoader keeps the verified shards (re-read and
//     re-verified by a PackLoader of their own, so an aborted run never blocks a re-read);
//   URL / catalog layers: the engine's packed form, exported once and stored in the Cache API;
//   memory: only when browser storage refused the bytes (with a notice if that will not fit).
// 26 layers of Gemma Scope 65k int8 are 3.9 GB, past WASM's 4 GiB: holding them all is not an option.
import { PackLoader } from './pack-loader.js';

export const MAX_HELD = 3;                 // a pair's two layers + the next one while it downloads
// Layers that together take less than this stay whole in the engine (the demos, small shared
// packs): no re-reads, explorer answers as fast as before. self.SAEMATCH_RESIDENT_BYTES overrides
// it (the tests stream small fixtures with 0).
const RESIDENT_BYTES = 256 * 2 ** 20;
const LAYER_CACHE = 'saematch-layers';     // URL layers' packed form (keys are never fetched)
const MEMORY_WARN_BYTES = 1.5 * 2 ** 30;   // beyond this, layers kept in a tab's memory may not fit
const gb = (n) => `${(n / 2 ** 30).toFixed(n < 2 ** 30 ? 2 : 1)} GB`;

export class LayerStore {
  // engine: EngineClient; notice(text): a warning for the user; status(text|''): progress text.
  constructor(engine, { notice = () => {}, status = () => {} } = {}) {
    this.engine = engine;
    this.notice = notice;
    this.status = status;
    this.sources = new Map();  // index -> { kind: 'pack', pack, layer, name, blob? } | { kind: 'stored', key, name, blob? }
    this.held = new Set();     // what the engine holds now (reset() after it was cleared or restarted)
    this.lock = Promise.resolve();
    this.session = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    this.memoryBytes = 0;
    this.warnedMemory = false;
  }

  // A pack layer: re-read through the pack's cache (downloaded again if the browser evicted it).
  addPackLayer(index, pack, layer, name) {
    this.sources.set(index, { kind: 'pack', pack, layer, name, bytes: layer.shards.reduce((a, s) => a + s.bytes, 0), loader: null });
  }

  // The engine has just received pack layer `index` (blob: its verified bytes). When storage
  // refused the shards (loader.memoryOnly), the store keeps the bytes itself.
  arrived(index, loader, blob) {
    this.held.add(index);
    const s = this.sources.get(index);
    if (loader.memoryOnly && s && !s.blob) this.keepInMemory(s, blob.slice(0));
  }

  // A URL layer the engine read itself: export its packed form once and store it.
  async capture(index, name) {
    this.held.add(index);
    const x = await this.engine.call('exportLayer', [index]);
    const key = new URL(`/__saematch-layers/${this.session}/${index}`, location.href).href;
    const s = { kind: 'stored', key, name, entry: x.entry, bytes: x.blob.byteLength };
    try {
      if (!('caches' in self)) throw new Error('no Cache API');
      await (await caches.open(LAYER_CACHE)).put(key, new Response(x.blob));
    } catch (e) {
      this.keepInMemory(s, x.blob, e);
    }
    this.sources.set(index, s);
  }

  keepInMemory(s, blob, why = null) {
    s.blob = blob;
    this.memoryBytes += blob.byteLength;
    if (why && !this.warnedStorage) {
      this.warnedStorage = true;
      this.notice(`Browser storage refused the layers (${why.name || why.message}); they stay in this tab's memory.`);
    }
    if (this.memoryBytes > MEMORY_WARN_BYTES && !this.warnedMemory) {
      this.warnedMemory = true;
      this.notice(`Storage refused: ${gb(this.memoryBytes)} of layers now stay in this tab's memory, which may not fit (the tab can crash). Allow site storage, free disk space or choose fewer layers.`);
    }
  }

  // Whether storage refused so much that keeping `bytes` more in memory will not fit: said once.
  warnIfMemoryWillNotFit(bytes) {
    if (bytes > MEMORY_WARN_BYTES && !this.warnedMemory) {
      this.warnedMemory = true;
      this.notice(`Browser storage refused the weights: all ${gb(bytes)} of layers must stay in this tab's memory, which may not fit (the tab can crash). Allow site storage, free disk space or choose fewer layers.`);
    }
  }

  // Whether layers are streamed (at most MAX_HELD in the engine) or all stay resident.
  streaming() {
    const o = self.SAEMATCH_RESIDENT_BYTES;
    return this.totalBytes() > (Number.isFinite(o) ? o : RESIDENT_BYTES);
  }

  // A layer the next steps do not need: dropped when streaming, kept when everything fits.
  async release(index) { if (this.streaming()) await this.drop(index); }

  // The engine was cleared or restarted: it holds nothing now.
  reset() { this.held.clear(); }

  // Runs fn() with layers `need` in the engine, evicting others; one such section at a time,
  // so nobody drops a layer another question is using. signal: aborts a re-read.
  withLayers(need, fn, { signal = null } = {}) {
    const run = this.lock.then(async () => {
      await this.ensure(need, { signal });
      return fn();
    });
    this.lock = run.catch(() => {});
    return run;
  }

  // Resolves when no withLayers section is running or queued.
  idle() { return this.lock; }

  // Puts `need` into the engine (dropping the held layers it does not name, as far as needed).
  async ensure(need, { signal = null } = {}) {
    const want = [...new Set(need)];
    const missing = want.filter((i) => !this.held.has(i));
    for (const i of this.streaming() ? [...this.held] : []) {
      if (this.held.size + missing.length <= MAX_HELD) break;
      if (!want.includes(i)) await this.drop(i);
    }
    for (const i of missing) await this.restore(i, signal);
  }

  async drop(index) {
    if (!this.held.has(index)) return;
    await this.engine.call('dropLayer', [index]);
    this.held.delete(index);
  }

  async restore(index, signal) {
    const s = this.sources.get(index);
    if (!s) throw new Error(`layer ${index} was never loaded`);
    const total = s.bytes;
    let read = 0;
    const say = (n, cached) => {
      read += n;
      this.status(`${cached ? 'reading' : 'downloading'} ${s.name} (${(read / 2 ** 20).toFixed(0)} of ${(total / 2 ** 20).toFixed(0)} MB)…`);
    };
    this.status(`reading ${s.name}…`);
    try {
      if (s.kind === 'pack') {
        let blob = s.blob ? s.blob.slice(0) : null;  // the engine gets a copy; the kept one stays
        if (!blob) {
          blob = await this.packLoader(s, signal).loadLayer(s.layer, say);
          if (s.loader.memoryOnly) { this.warnIfMemoryWillNotFit(this.totalBytes()); this.keepInMemory(s, blob.slice(0)); }
        }
        await this.engine.call('setPackLayer', [index, JSON.stringify(s.layer), blob], { transfer: [blob] });
      } else {
        const blob = s.blob ? s.blob.slice(0) : await this.readStored(s);
        await this.engine.call('setPackLayer', [index, s.entry, blob], { transfer: [blob] });
      }
      this.held.add(index);
    } finally {
      this.status('');
    }
  }

  packLoader(s, signal) {
    if (!s.loader) s.loader = new PackLoader(s.pack, { onNotice: (t) => this.notice(t) });
    s.loader.signal = signal;
    return s.loader;
  }

  async readStored(s) {
    const hit = await (await caches.open(LAYER_CACHE)).match(s.key);
    if (!hit) throw new Error(`${s.name}: its stored copy is gone (browser storage was cleared); load the layers again`);
    return hit.arrayBuffer();
  }

  totalBytes() { let n = 0; for (const s of this.sources.values()) n += s.bytes; return n; }

  // The model this store served was replaced: its stored URL layers are not needed any more.
  async dispose() {
    const keys = [...this.sources.values()].filter((s) => s.kind === 'stored' && !s.blob).map((s) => s.key);
    this.sources.clear();
    if (!keys.length || !('caches' in self)) return;
    try { const c = await caches.open(LAYER_CACHE); await Promise.all(keys.map((k) => c.delete(k))); } catch { /* gone already */ }
  }
}

export async function clearLayerCache() {
  if ('caches' in self) await caches.delete(LAYER_CACHE);
}
