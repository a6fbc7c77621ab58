// Row order of features in each layer column so that matched chains run straight across:
// layer 0 puts the longest persisting chains first (persisting by the chosen criterion); each
// next layer follows its predecessors, and features nothing matched into go to the bottom.
export function chainOrder(F, pairs, persists) {
  const L = F.length;
  const order = [];
  const rankOf = [];
  const persistLen = new Int32Array(F[0]);
  for (let f = 0; f < F[0]; f++) {
    let g = f, n = 0;
    for (let l = 0; l < pairs.length && g >= 0; l++) {
      const p = pairs[l];
      if (persists(l, p.cost[g], p.score[g]) !== true) break;
      n++; g = p.a_to_b[g];
    }
    persistLen[f] = n;
  }
  const first = Array.from({ length: F[0] }, (_, i) => i).sort((a, b) => persistLen[b] - persistLen[a] || a - b);
  order.push(Int32Array.from(first));
  for (let l = 1; l < L; l++) {
    const seen = new Uint8Array(F[l]);
    const o = [];
    const p = pairs[l - 1];
    for (const f of order[l - 1]) {
      const g = p.a_to_b[f];
      if (g >= 0 && !seen[g]) { seen[g] = 1; o.push(g); }
    }
    for (let g = 0; g < F[l]; g++) if (!seen[g]) o.push(g);
    order.push(Int32Array.from(o));
  }
  for (let l = 0; l < L; l++) {
    const r = new Int32Array(F[l]);
    order[l].forEach((f, i) => { r[f] = i; });
    rankOf.push(r);
  }
  return { order, rankOf, persistLen };
}
