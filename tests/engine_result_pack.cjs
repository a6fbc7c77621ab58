// The WASM engine on a result pack written by `saematch chain --pack` (run from tests/cli_test.sh):
// validateManifest accepts it and refuses a forged hop; verifyPair passes every hop from its duals,
// with progress, and fails with its reason when one dual is raised; the engine's own matchPair on
// the same stored layers gives the pack's assignment, and its null baseline the pack's.
// Usage: node --no-experimental-fetch tests/engine_result_pack.cjs ENGINE.js PACK_DIR
const fs = require('fs');
const path = require('path');
const createSaematch = require(path.resolve(process.argv[2]));
const dir = process.argv[3];

function check(ok, what) {
  if (!ok) { console.error(`engine result pack: FAIL ${what}`); process.exit(1); }
}

(async () => {
  const M = await createSaematch();
  const engine = new M.Engine();
  const man = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  M.validateManifest(JSON.stringify(man));
  const forged = JSON.parse(JSON.stringify(man));
  forged.results.hops[0].FA += 1;
  let refusal = '';
  try { M.validateManifest(JSON.stringify(forged)); } catch (err) { refusal = M.errorMessage(err); }
  check(refusal.startsWith('results hop 0: FA must be'), `forged FA refused (got "${refusal}")`);
  const read = (shards) => Buffer.concat(shards.map((s) => fs.readFileSync(path.join(dir, s.url))));
  man.layers.forEach((L, i) => engine.setPackLayer(i, JSON.stringify(L), new Uint8Array(read(L.shards))));
  const blob = read(man.results.shards);
  const bytes = blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.length);
  const arr = (a, T) => new T(bytes.slice(a.offset, a.offset + a.count * T.BYTES_PER_ELEMENT));
  const o = man.results.settings;
  man.results.hops.forEach((h, k) => {
    const a_to_b = arr(h.arrays.a_to_b, Int32Array), u = arr(h.arrays.u, Float64Array), v = arr(h.arrays.v, Float64Array);
    let calls = 0;
    const verify = (uu) => engine.verifyPair(k, k + 1, o.w_dec, o.w_enc, o.w_b, o.cosine, o.int8, a_to_b, uu, v, h.total, 0,
      () => { calls++; return true; });
    const rep = verify(u);
    // Progress comes from the calling thread's blocks only (JS callbacks cannot run on the other
    // thread), so on a pair this small the other thread may take every block: calls may be 0.
    check(rep.passed && rep.reason === '' && rep.pairs_checked === h.FA * h.FB, `hop ${k} passes (passed ${rep.passed}, reason "${rep.reason}", ${rep.pairs_checked} pairs checked, ${calls} progress calls)`);
    const raised = u.slice();
    raised[5] += 0.01;
    const bad = verify(raised);
    check(!bad.passed && /^pair \(A 5, B \d+\) has reduced cost -/.test(bad.reason), `hop ${k} with a raised dual fails (${bad.reason})`);
    const m = engine.matchPair(k, k + 1, o.w_dec, o.w_enc, o.w_b, o.cosine, o.topk, 2048, o.int8, null);
    check(m.a_to_b.every((j, i) => j === a_to_b[i]), `hop ${k}: the engine's matchPair gives the pack's assignment`);
    // The app's null baseline (after matchPair, from the rows it made) equals the pack's (the
    // CLI's null_baseline_packed: 256 samples, seed = hop + 1; the same stream in both builds).
    const mine = engine.nullBaseline(k, k + 1, o.w_dec, o.w_enc, o.w_b, o.cosine, 256, k + 1);
    const theirs = arr(h.arrays.null_scores, Float32Array);
    check(mine.length === theirs.length && mine.every((x, i) => Math.abs(x - theirs[i]) <= 1e-6), `hop ${k}: the engine's null baseline equals the pack's (median ${mine[128]} vs ${theirs[128]})`);
    console.log(`engine hop ${k}: verified (${rep.pairs_checked} pairs, proven gap ${rep.proven_gap.toExponential(1)}); raised dual refused; same assignment and null baseline as the pack`);
  });
  process.exit(0);
})().catch((err) => { console.error('engine result pack: FAIL', err); process.exit(1); });
