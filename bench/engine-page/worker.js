// Benchmark worker: the app's engine build (served under /app/), a pack's two layers read
// from the server and handed to the engine as the app does (setPackLayer), then matchPair
// with the app's default cost (decoder only, int8 rows) and an optional gap budget.
/* global createSaematch */
const isolated = self.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
const engineScript = `/app/saematch_engine_${isolated ? 'mt' : 'st'}.js`;
importScripts(engineScript);

let M = null;
const say = (progress) => postMessage({ progress });

async function layerBlob(base, entry) {
  const blob = new Uint8Array(entry.blob_bytes);
  let at = 0;
  for (const s of entry.shards) {
    const res = await fetch(new URL(s.url, base));
    if (!res.ok) throw new Error(`${s.url}: HTTP ${res.status}`);
    const part = new Uint8Array(await res.arrayBuffer());
    blob.set(part, at); at += part.length;
  }
  return blob;
}

async function run({ pack, layers = [0, 1], gap = 0, trace = true, topk = 32, denseMax = 2048 }) {
  M = await createSaematch({ mainScriptUrlOrBlob: engineScript, locateFile: (p) => `/app/${p}` });
  const engine = new M.Engine();
  M.warmUp();  // as the app's worker does at start
  const base = new URL(pack, self.location.href);
  const manifest = await (await fetch(base)).json();
  const t0 = performance.now();
  for (const [slot, l] of layers.entries()) {
    say(`reading layer ${l}`);
    engine.setPackLayer(slot, JSON.stringify(manifest.layers[l]), await layerBlob(base, manifest.layers[l]));
  }
  const secondsLoad = (performance.now() - t0) / 1000;
  engine.setTrace(trace);
  engine.setGapBudget(gap);
  let last = '';
  const t1 = performance.now();
  const r = engine.matchPair(0, 1, 1, 0, 0, false, topk, denseMax, true, (stage, fraction) => {
    const line = `${stage} ${Math.round(100 * fraction)}%`;
    if (line !== last) { say(line); last = line; }
    return true;
  });
  const seconds = (performance.now() - t1) / 1000;
  return {
    flavour: isolated ? 'chromium-mt' : 'chromium-st', threads: M.threads(), F: r.FA, seconds, seconds_load: secondsLoad,
    total: r.total, certified: r.certified, gap_budget: r.gap_budget, gap_bound: r.gap_bound, method: r.method, rounds: r.rounds,
    heap_mib: M.heapBytes() / 1048576, score: Array.from(r.score),
  };
}

self.onmessage = async ({ data }) => {
  try {
    postMessage({ ok: true, result: await run(data) });
  } catch (err) {
    let error = err && err.message ? err.message : String(err);
    if (typeof err === 'number' && M) { try { error = M.errorMessage(err); } catch { /* keep the number */ } }
    postMessage({ ok: false, error });
  }
};
