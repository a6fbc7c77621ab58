// Provenance shared by every export: what was loaded (sources with hashes, hooks, d, F,
// activation, folding), how it was matched (weights, cosine, int8 kernel), what "persists"
// meant (criterion, q, score threshold, null baseline), whether each pair's optimum is
// certified or proven within the gap budget, and which build of the app did it, when.
import { gapPercent } from './gap-budget.js';

// meta: { app, created, origin, sources, settings, optimum: { gap_budget }, criterion, pairs, link, title, selection }
export function provenance(meta) {
  return {
    app: meta.app,
    created: meta.created,
    link: meta.link,
    loaded_from: meta.origin,
    computed: meta.computed,
    sources: meta.sources,
    matching: meta.settings,
    optimum: optimumOf(meta.optimum),
    persistence: meta.criterion,
    pairs: meta.pairs,
  };
}

// The gap budget the result was matched with (0: exact), and what it means.
function optimumOf({ gap_budget = 0 } = {}) {
  return {
    gap_budget,
    meaning: gap_budget > 0 ? `stopped once each pair's total was proven within ${gapPercent(gap_budget)} of its optimum by the duals (bound per pair)` : 'exact optimum (certified per pair)',
  };
}

// The same as "key: value" lines (CSV comment lines start with "# " in front of each).
export function provenanceLines(meta) {
  const o = meta.origin;
  const lines = [
    `saematch-web export (${meta.app.name} ${meta.app.version}, commit ${meta.app.commit}), created ${meta.created}`,
    `link: ${meta.link}`,
    o.kind === 'pack' ? `loaded from: pack ${o.url} (manifest sha256 ${o.hash})` : `loaded from: ${meta.sources.length} SAE files by URL`,
  ];
  const c0 = meta.computed;
  if (c0 && c0.producer) {
    const w = c0.settings || {};
    lines.push(`results computed elsewhere: ${c0.producer}, ${c0.created}, settings ${Object.entries(w).map(([k, v]) => `${k}=${v}`).join(' ')}; not matched in this browser`);
  } else if (c0) lines.push(`results computed in: ${c0.where}`);
  for (const s of meta.sources) {
    lines.push(`source ${s.name}: hook ${s.hook || '-'}; ${s.activation}; d=${s.d}; F=${s.F}; folding ${s.folding}; file ${s.file}; sha256 ${s.sha256 || 'not computed (read by HTTP Range)'}`);
  }
  const w = meta.settings;
  lines.push(`matching: w_dec=${w.w_dec} w_enc=${w.w_enc} w_b=${w.w_b} cosine=${w.cosine ? 'yes' : 'no'} int8_kernel=${w.int8 ? 'yes' : 'no'}`);
  lines.push(`optimum: gap budget ${meta.optimum.gap_budget} (${optimumOf(meta.optimum).meaning})`);
  const c = meta.criterion;
  lines.push(`persists means: ${c.text} (criterion=${c.criterion}; q=${c.q}; score_min=${c.score_min}; null percentile=${c.null_percentile})`);
  for (const p of meta.pairs) {
    lines.push(`pair ${p.pair}: q-quantile cost ${p.q_quantile_cost}; null score cut ${p.null_score_cut ?? 'n/a'}; ${p.optimality || (p.certified ? 'certified optimal' : `not certified, gap <= ${p.gap_bound}`)}; method ${p.method}; total cost ${p.total_cost}${p.verified_here ? `; verified in this browser: ${p.verified_here.passed ? 'passed' : `FAILED (${p.verified_here.reason})`}` : ''}`);
  }
  lines.push('units: cost = weighted squared distance |a-b|^2 between folded rows; score = 1 - cost/(|a|^2+|b|^2), 1 = identical, 0 = orthogonal');
  if (meta.selection) lines.push(`selected: ${meta.selection}`);
  return lines;
}
