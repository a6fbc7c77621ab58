// Result packs (see README "Result packs"): a pack whose manifest has `results` carries the
// matches, per-hop costs, duals and null baselines computed elsewhere (`saematch chain --pack`).
// This module reads them into the shape App.runMatch returns, so the app draws the chains at
// once. The structure was checked by the engine's validateManifest; values are checked here.

const VIEWS = { int32: Int32Array, float32: Float32Array, float64: Float64Array };

function view(buf, a, count, what) {
  const T = VIEWS[a && a.dtype];
  if (!T) throw new Error(`result pack: ${what} has an unknown dtype`);
  if (a.count !== count) throw new Error(`result pack: ${what} has ${a.count} values, expected ${count}`);
  if (!(a.offset % 8 === 0 && a.offset + count * T.BYTES_PER_ELEMENT <= buf.byteLength)) throw new Error(`result pack: ${what} lies outside the results blob`);
  return new T(buf, a.offset, count).slice();  // a copy: little-endian is what every browser runs
}

const finite = (x, what) => { for (const v of x) if (!Number.isFinite(v)) throw new Error(`result pack: ${what} holds a value that is not a finite number`); return x; };
// Cost and score are NaN exactly where a feature has no partner (a_to_b = -1), as the CLI writes
// them when F_A > F_B or features die; every matched entry must be finite.
const finiteWhereMatched = (x, a_to_b, what) => {
  for (let i = 0; i < x.length; i++) if (a_to_b[i] >= 0 && !Number.isFinite(x[i])) throw new Error(`result pack: ${what} of feature ${i} is not a finite number`);
  return x;
};

// The hops covering the chosen layers, or null when the chosen layers skip some of the pack's
// (the results pair consecutive manifest layers only).
export function hopsFor(manifest, chosen) {
  const pos = chosen.map((l) => manifest.layers.indexOf(l));
  for (let i = 1; i < pos.length; i++) if (pos[i] !== pos[i - 1] + 1) return null;
  return manifest.results.hops.slice(pos[0], pos[pos.length - 1]);
}

// Pairs and decoder norms for the chosen layers, from the verified results blob.
export function readResults(manifest, chosen, buf) {
  const r = manifest.results;
  const hops = hopsFor(manifest, chosen);
  const pairs = hops.map((h, l) => {
    const name = `hop ${h.from} → ${h.to}`;
    const FA = chosen[l].F, FB = chosen[l + 1].F;
    if (h.from !== chosen[l].layer || h.to !== chosen[l + 1].layer) throw new Error(`result pack: ${name} does not connect layers ${chosen[l].layer} and ${chosen[l + 1].layer}`);
    const A = h.arrays || {};
    const a_to_b = view(buf, A.a_to_b, FA, `${name} a_to_b`);
    for (const j of a_to_b) if (!(j >= -1 && j < FB)) throw new Error(`result pack: ${name} a_to_b names feature ${j}, outside -1…${FB - 1}`);
    const samples = (r.null && r.null.samples) || (A.null_scores && A.null_scores.count) || 0;
    const nullScores = view(buf, A.null_scores, samples, `${name} null_scores`);
    const score = finiteWhereMatched(view(buf, A.score, FA, `${name} score`), a_to_b, `${name} score`);
    const nullCut = Number(h.null_cut);
    return {
      FA, FB, a_to_b, cost: finiteWhereMatched(view(buf, A.cost, FA, `${name} cost`), a_to_b, `${name} cost`), score,
      u: finite(view(buf, A.u, FA, `${name} u`), `${name} u`), v: finite(view(buf, A.v, FB, `${name} v`), `${name} v`),
      total: Number(h.total), certified: !!h.certified, gap_bound: Number(h.gap_bound) || 0, gap_budget: Number(h.gap_budget) || 0,
      method: `${h.method || 'unknown'} (result pack)`, nullScores, nullCut,
      significant: Array.from(score).filter((s) => s > nullCut).length,
    };
  });
  const norms = chosen.map((l) => {
    const n = (r.norms || []).find((x) => x.layer === l.layer);
    if (!n) throw new Error(`result pack: no decoder norms for layer ${l.layer}`);
    return view(buf, n.array, l.F, `layer ${l.layer} norms`);
  });
  return { pairs, norms };
}

// What the app says about results it did not compute: producer, date, settings, per-hop proof.
export function elsewhereInfo(manifest, pairs, layerNames) {
  const r = manifest.results;
  return {
    producer: String(r.producer || 'unknown'), created: String(r.created || 'unknown'), settings: { ...(r.settings || {}) },
    hops: pairs.map((p, l) => ({ pair: `${layerNames[l]} -> ${layerNames[l + 1]}`, certified: p.certified, gap_bound: p.gap_bound, gap_budget: p.gap_budget })),
  };
}
