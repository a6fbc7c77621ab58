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

// match: false skips matchPair (a quick probe of what the null baseline alone needs);
// nullBaseline: true computes it after matching, as the app does for its default criterion.
// verify: true re-certifies the match from its own duals afterwards (what "Verify this pair" runs).
async function run({ pack, layers = [0, 1], gap = 0, trace = true, topk = 32, denseMax = 2048, match = true, nullBaseline = false, verify = false }) {
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
  const r = match ? engine.matchPair(0, 1, 1, 0, 0, false, topk, denseMax, true, (stage, fraction) => {
    const line = `${stage} ${10 * Math.floor(10 * fraction)}%`;  // a line per stage and tenth
    if (line !== last) { say(`${line} (heap ${Math.round(M.heapBytes() / 1048576)} MiB)`); last = line; }
    return true;
  }) : null;
  const seconds = (performance.now() - t1) / 1000;
  const heapAfterMatch = M.heapBytes() / 1048576;
  let secondsNull = null, nullError = null;
  if (nullBaseline) {  // its failure (e.g. out of memory at 65k) must not lose the match's figures
    say('null baseline');
    const t2 = performance.now();
    try {
      engine.nullBaseline(0, 1, 1, 0, 0, false, 256, 1);  // the app's NULL_SAMPLES and cost
      secondsNull = (performance.now() - t2) / 1000;
    } catch (err) {
      nullError = typeof err === 'number' ? M.errorMessage(err) : String(err && err.message ? err.message : err);
    }
  }
  let verified = null;
  if (verify && r) {
    say('verify from the duals');
    // Copies first: the result's arrays are views of WASM memory, which the check may grow.
    const c = [Array.from(r.a_to_b), Array.from(r.u), Array.from(r.v)];
    const t3 = performance.now();
    const v = engine.verifyPair(0, 1, 1, 0, 0, false, true, c[0], c[1], c[2], r.total, gap, (stage, fraction) => {
      const line = `verify ${stage} ${10 * Math.floor(10 * fraction)}%`;
      if (line !== last) { say(line); last = line; }
      return true;
    });
    verified = { seconds: (performance.now() - t3) / 1000, passed: v.passed, reason: v.reason, pairs_checked: v.pairs_checked, proven_gap: v.proven_gap };
  }
  const out = {
    flavour: isolated ? 'chromium-mt' : 'chromium-st', threads: M.threads(), F: manifest.layers[layers[0]].F, seconds_load: secondsLoad,
    heap_mib_after_match: heapAfterMatch, heap_mib: M.heapBytes() / 1048576, seconds_null_baseline: secondsNull, null_baseline_error: nullError, verify: verified, score: [],
  };
  if (!r) return out;
  return {
    ...out, seconds, total: r.total, certified: r.certified, gap_budget: r.gap_budget, gap_bound: r.gap_bound, method: r.method,
    rounds: r.rounds, score: Array.from(r.score),
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
