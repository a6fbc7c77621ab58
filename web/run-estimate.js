// What a run will cost before it starts: bytes to download, matching time on this machine and
// the engine's peak memory, from the manifest's sizes alone (nothing downloaded yet).
// Time: the worker times its warm-up match (F=2048, d=256) and reports a rate in F_A·F_B·d per
// second; real pairs scale with F_A·F_B·d (the int8 screen), so that rate prices them.
import { MAX_HELD } from './layer-store.js';

export const WASM_LIMIT = 4 * 2 ** 30;
const ENGINE_BASE = 96 * 2 ** 20;       // code, stacks, allocator slack
export const ASK_SECONDS = 60;          // shorter runs (and small ones) start without asking
export const ASK_BYTES = 2 ** 30;
// Real pairs run faster per operation than the small warm-up match (fixed costs weigh less,
// and at d = 256 the integer screen is a smaller share). In Chromium here, with the coarse
// screen (relaxed SIMD), the 26-layer hard 16k chain ran at 64 G/s and a 65k pair at 96 G/s, 9
// and 26 times the warm-up rates the app measured at their start (7.2 and 3.7 G/s, while the
// first layers downloaded; bench/RESULTS.md, session 8); with exact int8 dots a hard 16k pair
// ran at 38 G/s against 10-12 G/s (session 6). 6x and 3x keep the estimate on the long side.
export const warmUpToPair = (coarseScreen) => (coarseScreen ? 6 : 3);

// layers: [{ F, bytes }] in order; d: d_model; int8: the integer kernel will be used; coarse:
// with the coarse screen (a byte copy of B's rows); rate: F_A·F_B·d per second.
export function estimateRun({ layers, d, int8, coarse = false, rate, downloadBytes }) {
  let work = 0, pairPeak = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const FA = layers[l].F, FB = layers[l + 1].F;
    work += FA * FB * d;
    // int8: both layers' decoder rows as int16; else both layers expanded to floats (encoder and
    // decoder) plus their embeddings. Candidates: 32 per feature each way, 12 bytes each.
    const rows = int8 ? 2 * (FA + FB) * d + (coarse ? FB * 16 * Math.ceil(d / 16) : 0) : 12 * (FA + FB) * d;
    const dense = Math.max(FA, FB) <= 2048 ? 8 * FA * FB : 0;
    // Sparse pairs also keep up to 96 MB of cost rows for certification and, per thread, a
    // block of 64 cost rows with their integer dots. 1.25: pools of priced pairs and allocator
    // slack (a 65k pair's heap reached 1916 MiB, this gives 1.85 GiB; bench/RESULTS.md, session 8).
    const sparse = dense ? 0 : 96 * 2 ** 20 + 2 * 64 * FB * 8;
    pairPeak = Math.max(pairPeak, 1.25 * (rows + dense + sparse + 2 * 32 * 12 * (FA + FB)));
  }
  const biggest = [...layers].map((x) => x.bytes).sort((a, b) => b - a).slice(0, MAX_HELD).reduce((a, b) => a + b, 0);
  const peakBytes = ENGINE_BASE + biggest + pairPeak;
  const seconds = rate > 0 ? work / rate : NaN;
  return {
    downloadBytes, seconds, peakBytes, fits: peakBytes <= WASM_LIMIT * 0.9,
    long: !(seconds < ASK_SECONDS) || peakBytes > ASK_BYTES,
  };
}

export const formatBytes = (n) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GB` : `${(n / 2 ** 20).toFixed(n < 10 * 2 ** 20 ? 1 : 0)} MB`);
export function formatSeconds(s) {
  if (!Number.isFinite(s)) return 'unknown (the engine has not measured this machine yet)';
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

// basis: where the rate came from, in words.
export function describeEstimate(e, pairs, basis) {
  return `${pairs} layer pairs: download about ${formatBytes(e.downloadBytes)}, matching about ${formatSeconds(e.seconds)} on this machine (${basis}), peak engine memory about ${formatBytes(e.peakBytes)} (of ${formatBytes(WASM_LIMIT)} a browser tab's engine can have).`;
}
