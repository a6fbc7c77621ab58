// What "persisting" means for one hop, by the criterion the user picked. The numbers compared
// (costs, scores, the per-pair q-quantile, the null baseline's percentile) all come from the
// core; this file only decides which comparison is shown.
//   q     : rank within the pair: cost at or below the q-quantile of that pair's matched costs
//           ((1 - q) of every pair fails by construction, whatever the SAEs are).
//   score : absolute: score at or above s_min.
//   null  : significance: score above the 99th percentile of chance-level best scores
//           (the pair's null baseline: the layer matched against a randomly rotated copy).
export const NULL_PERCENTILE = 0.99;

export const CRITERION_TEXT = {
  q: (s) => `cost ≤ the ${s.q.toFixed(2)}-quantile of its pair (a rank: ${Math.round((1 - s.q) * 100)}% of every pair fails by construction)`,
  score: (s) => `score ≥ ${s.smin}`,
  null: () => `score above chance (the ${NULL_PERCENTILE * 100}th percentile of best scores against a randomly rotated next layer)`,
};

// The same, short enough for the legend on the graph.
export const CRITERION_SHORT = {
  q: (s) => `cost ≤ the ${s.q.toFixed(2)}-quantile of its pair (a rank)`,
  score: (s) => `score ≥ ${s.smin}`,
  null: () => `score above chance (null baseline, ${NULL_PERCENTILE * 100}th percentile)`,
};

// persists(l, cost, score) for pair l under the state's criterion; null when it cannot be
// decided yet (null baseline still being computed).
export function hopTest(model, s) {
  if (s.crit === 'score') return (l, cost, score) => score >= s.smin;
  if (s.crit === 'null') {
    return (l, cost, score) => {
      const p = model.pairs[l];
      return p.nullCut === undefined ? null : score > p.nullCut;
    };
  }
  return (l, cost) => cost <= model.pairs[l].threshold;
}

// Splits a chain into runs joined by persisting hops and lists its breaks:
// { runs: [{from, to}], breaks: [l] (hop l -> l+1 breaks), own: index of the selected layer's run }.
export function chainRuns(chain, persists) {
  const L = chain.feature.length;
  const runs = [];
  const breaks = [];
  let start = -1;
  for (let l = 0; l < L; l++) {
    if (chain.feature[l] < 0) { if (start >= 0) runs.push({ from: start, to: l - 1 }); start = -1; continue; }
    if (start < 0) start = l;
    const h = l + 1 < L ? chain.hops[l] : null;
    const joined = h && h.from >= 0 && persists(l, h.cost, h.score) === true;
    if (h && h.from >= 0 && !joined) breaks.push(l);
    if (!joined) { runs.push({ from: start, to: l }); start = -1; }
  }
  const own = runs.findIndex((r) => r.from <= chain.layer && chain.layer <= r.to);
  return { runs, breaks, own };
}

// "same feature L1–L3; L3→L4 breaks; L4–L7 another feature"
export function describeRuns({ runs, breaks, own }, names) {
  const span = (r) => (r.from === r.to ? names[r.from] : `${names[r.from]}–${names[r.to]}`);
  const parts = [];
  runs.forEach((r, i) => {
    if (i > 0) {
      const b = breaks.find((x) => x === runs[i - 1].to);
      parts.push(b !== undefined ? `${names[b]}→${names[b + 1]} breaks` : `no match ${names[runs[i - 1].to]}→${names[r.from]}`);
    }
    parts.push(`${i === own ? 'same feature' : 'another feature'} ${span(r)}`);
  });
  return parts.join('; ');
}
