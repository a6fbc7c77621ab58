// Web Worker hosting the WASM engine, so the page never freezes while matching.
// Picks the threaded build when the page is cross-origin isolated (SharedArrayBuffer usable),
// otherwise the single-thread SIMD build. Classic worker: Emscripten's pthread workers need importScripts.
/* global createSaematch, SaeRangeLoader */
const isolated = self.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
const flavour = isolated ? 'mt' : 'st';
const engineScript = `saematch_engine_${flavour}.js`;
importScripts(engineScript, 'read-body.js', 'net/fetch-policy.js', 'range-loader.js');

let M = null;
const warmUp = {};  // resolves to the warm-up match's rate in F_A*F_B*d per second
warmUp.promise = new Promise((r) => { warmUp.resolve = r; });
const calls = {};  // how often each command reached the engine (layersHeld reports it, for tests)
let peakHeld = 0;  // the most layers the engine held after any command (layersHeld reports and resets it)
let engine = null;
const downloads = new Map();  // call id -> AbortController of a URL layer being fetched

function errorText(err) {
  if (typeof err === 'number' && M) {
    try { return M.errorMessage(err); } catch { return `engine error ${err}`; }
  }
  if (err && err.message) return err.message;
  return String(err);
}

const ready = createSaematch({ mainScriptUrlOrBlob: engineScript }).then((mod) => {
  M = mod;
  engine = new M.Engine();
  // Right after start-up replies, while layers are still downloading: a small match that gets
  // the optimising compiler to the hot functions before the first real pair needs them.
  // A second, timed run gives this machine's matching rate for the estimate before a long run
  // (warmUpRate); the first one mostly measures the compiler (0.47 s against 0.14 s, node here).
  setTimeout(() => {
    try {
      M.warmUp();
      const t0 = performance.now();
      M.warmUp();
      warmUp.resolve((2048 * 2048 * 256) / Math.max(1e-3, (performance.now() - t0) / 1000));
    } catch (err) { console.warn(`warm-up failed: ${errorText(err)}`); warmUp.resolve(0); }
  }, 0);
  // coarseScreen: int8 pairs are screened with the relaxed-SIMD kernel (this browser runs it).
  return { flavour, threads: M.threads(), isolated, coarseScreen: M.coarseScreenKernel() };
});

// Typed arrays returned by Embind views point into WASM memory: copy them out before posting.
function detach(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) out[k] = ArrayBuffer.isView(v) ? v.slice() : v;
  return out;
}

const handlers = {
  info: async () => ready,
  validateManifest: async (_id, text) => { M.validateManifest(text); return true; },
  setPackLayer: async (_id, index, layerJson, blob) => {
    engine.setPackLayer(index, layerJson, new Uint8Array(blob));
    return { F: engine.layerF(index), d: engine.layerD(index) };
  },
  // opts (optional): { layer: name for messages, net: NetPolicy overrides }. Abortable by id.
  loadUrlLayer: async (id, index, url, opts) => {
    const progress = (loaded, total) => postMessage({ id, progress: { stage: 'download', loaded, total } });
    const ctl = new AbortController();
    downloads.set(id, ctl);
    try {
      const description = await SaeRangeLoader.load(M, engine, index, url, progress,
        { signal: ctl.signal, cfg: opts && opts.net, layer: opts && opts.layer });
      return { F: engine.layerF(index), d: engine.layerD(index), description };
    } finally {
      downloads.delete(id);
    }
  },
  abort: async (_id, target) => { const ctl = downloads.get(target); if (ctl) ctl.abort(); return !!ctl; },
  clear: async () => { engine.clear(); return true; },
  heapBytes: async () => M.heapBytes(),
  // Sums where the relaxed-SIMD kernel disagrees with the portable loop on random rows (tests).
  coarseKernelCheck: async (_id, na, nb, stride, seed) => M.coarseKernelMismatches(na, nb, stride, seed),
  setTrace: async (_id, on) => { engine.setTrace(!!on); return true; },
  decoderNorms: async (_id, index) => engine.decoderNorms(index).slice(),
  match: async (id, a, b, o) => {
    if (engine.layerD(a) !== engine.layerD(b)) {
      throw new Error(`d_model mismatch: layer ${a} has d_model=${engine.layerD(a)}, layer ${b} has ${engine.layerD(b)}`);
    }
    engine.setGapBudget(o.gap || 0);  // 0: exact; else stop once proven within o.gap of the optimum
    const t0 = performance.now();
    const r = engine.matchPair(a, b, o.w_dec, o.w_enc, o.w_b, !!o.cosine, o.topk || 32, o.dense_max || 2048, !!o.int8,
      (stage, fraction) => { postMessage({ id, progress: { stage, fraction } }); return true; });
    const out = detach(r);
    out.ms = performance.now() - t0;
    return out;
  },
  layerInfo: async (_id, index) => JSON.parse(engine.layerInfo(index)),
  // Layers on demand (web/layer-store.js): export a layer's packed form once, drop it, list what is held.
  exportLayer: async (_id, index) => { const x = engine.exportLayer(index); return { entry: x.entry, blob: x.blob.buffer }; },
  dropLayer: async (_id, index) => { engine.dropLayer(index); return true; },
  layersHeld: async (_id, reset) => {
    const out = { layers: engine.heldLayers(), peak: peakHeld, calls: { ...calls } };
    if (reset) peakHeld = out.layers.length;
    return out;
  },
  warmUpRate: async () => warmUp.promise,
  nullBaseline: async (_id, a, b, o, samples, seed) => engine.nullBaseline(a, b, o.w_dec, o.w_enc, o.w_b, !!o.cosine, samples, seed),
  quantile: async (_id, values, q) => M.Engine.quantileOf(values, q),
  setPair: async (_id, a, p) => { engine.setPair(a, p.a_to_b, p.cost, p.score, p.FB); return true; },
  // A result pack's "verify this pair": re-certify from the duals c = { a_to_b, u, v, total, gap_budget? }
  // with the cost options o the pair was matched with (result-pack-spec.md). Progress like match.
  verifyPair: async (id, a, b, o, c) => engine.verifyPair(a, b, o.w_dec, o.w_enc, o.w_b, !!o.cosine, !!o.int8,
    c.a_to_b, c.u, c.v, c.total, c.gap_budget || 0, (stage, fraction) => { postMessage({ id, progress: { stage, fraction } }); return true; }),
  chain: async (_id, layers, layer, feature, q) => {
    const c = engine.chain(layers, layer, feature, q);
    return { feature: Array.from(c.feature), hops: c.hops, first_break: c.first_break, thresholds: Array.from(c.thresholds) };
  },
  // The explorer (web/explorer.js): o = the cost options the pairs were matched with.
  depthSummary: async (_id, layers, q, n) => engine.depthSummary(layers, q, n)
    .map((x) => ({ ...x, best: Array.from(x.best), worst: Array.from(x.worst) })),
  explainChain: async (_id, layers, layer, feature, q, k, o) => {
    const c = engine.chain(layers, layer, feature, q);
    const out = { feature: Array.from(c.feature), hops: c.hops, first_break: c.first_break, thresholds: Array.from(c.thresholds) };
    out.explained = out.hops.map((h, l) => (out.feature[l] >= 0
      ? engine.explainHop(l, l + 1, out.feature[l], k, out.thresholds[l], o.w_dec, o.w_enc, o.w_b, !!o.cosine, !!o.int8) : null));
    return out;
  },
  explainHop: async (_id, a, from, k, threshold, o) => engine.explainHop(a, a + 1, from, k, threshold, o.w_dec, o.w_enc, o.w_b, !!o.cosine, !!o.int8),
  costExcerpt: async (_id, a, b, rows, cols, o) => Array.from(engine.costExcerpt(a, b, rows, cols, o.w_dec, o.w_enc, o.w_b, !!o.cosine, !!o.int8)),
  compareMethods: async (_id, a, b, o) => {
    const r = engine.compareMethods(a, b, o.w_dec, o.w_enc, o.w_b, !!o.cosine, !!o.int8);
    return { methods: r.methods.map((m) => ({ ...m, a_to_b: m.a_to_b ? Array.from(m.a_to_b) : null })), disagree: Array.from(r.disagree) };
  },
  // Two user .npy files (File objects), read in chunks so large ones report progress.
  layerSkip: async (id, a, b, fileT, fileT1) => {
    const total = fileT.size + fileT1.size;
    let loaded = 0;
    const read = async (file) => {
      if (file.size > 1.5 * 2 ** 30) throw new Error(`${file.name} is ${(file.size / 2 ** 30).toFixed(1)} GB: at most 1.5 GB per file fits in the engine's memory`);
      const out = new Uint8Array(file.size);
      const reader = file.stream().getReader();
      for (let at = 0; ;) {
        const { done, value } = await reader.read();
        if (done) break;
        out.set(value, at); at += value.length; loaded += value.length;
        postMessage({ id, progress: { stage: 'reading activations', loaded, total } });
      }
      return out;
    };
    const xt = await read(fileT);
    const xt1 = await read(fileT1);
    postMessage({ id, progress: { stage: 'evaluating', loaded: total, total } });
    return engine.layerSkip(a, b, xt, xt1);
  },
};

self.onmessage = async (e) => {
  const { id, cmd, args } = e.data;
  try {
    await ready;
    const h = handlers[cmd];
    calls[cmd] = (calls[cmd] || 0) + 1;
    if (!h) throw new Error(`unknown command ${cmd}`);
    const result = await h(id, ...(args || []));
    peakHeld = Math.max(peakHeld, engine.heldLayers().length);
    postMessage({ id, ok: true, result });
  } catch (err) {
    postMessage({ id, ok: false, error: errorText(err) });
  }
};
ready.catch((err) => postMessage({ id: 0, ok: false, error: `engine failed to start: ${errorText(err)}` }));
