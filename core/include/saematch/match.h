#pragma once
// Matching the features of layer A to layer B: the exact minimum-cost assignment.
//
// THE PROBLEM. Given feature embeddings a_1..a_n of layer A and b_1..b_m of layer B (folded
// decoder rows by default), find the assignment sigma (a permutation when n = m) minimising
// sum_i c_{i,sigma(i)} with c_ij = |a_i - b_j|^2. At Gemma Scope sizes (n = m = 16384 or
// 65536, d = 2304) the n x m matrix is 1-17 GB in float: it is never held.
//
// SMALL PROBLEMS (max(n, m) < MatchOptions::dense_max): the cost matrix is built blockwise
// (c = |a|^2 + |b|^2 - 2 a.b, one GEMM per block) and solved by shortest augmenting paths
// (solve_lap_dense, the Jonker-Volgenant variant of Crouse 2016 that scipy uses). O(n^2 d)
// for the costs, O(n^3) worst case for the solver.
//
// LARGE PROBLEMS: a sparse graph of candidate pairs, an exact assignment on it, and a proof
// that it is optimal on the full dense problem (match_sparse.cpp, class SparseMatcher):
//  1. Candidate pass: one streamed pass over all cost rows (float GEMM, or integer dots on
//     int8 copies with a rigorous bound on their error: the "screen"; int8 problems in the
//     browser use a coarse screen, B's rows halved to 7 bits for relaxed SIMD's 16-way byte
//     dot, coarse_dot.h, with the same kind of bound) keeps per row its top-k
//     columns by cosine and by dot product plus a pool of next-best ones, and per row a
//     threshold: every column it did not keep has a key >= the threshold. Rows without a
//     clear partner keep their cost row in memory (up to 96 MB; rows at least 1024 wide:
//     narrower ones are cheaper to compute again) for step 4.
//  2. Column merge: the 4 best rows of every column join the graph, so every column is
//     reachable.
//  3. Solve rounds: the assignment on the graph, on shifted costs c'_ij = c_ij - |a_i|^2 -
//     |b_j|^2 + S (same optimum, since every permutation pays the same norms; ranks by the dot
//     product). A cold solve starts with column and augmenting row reduction and shortest
//     augmenting paths (Jonker-Volgenant); when those paths prove long (projected from the first
//     rows: 4 edge relaxations per edge, or 100 when the reductions left under 1/32 of the
//     rows free; near-ties, families of similar features with weak partners) it switches to
//     the duals of an epsilon-scaling auction (Bertsekas & Castanon 1989; bids move prices a
//     little at a time, epsilon shrinks by 6 per phase), and shortest paths then only tighten
//     the rows the auction left slack, so the result is exact (solve_lap_sparse). Clean
//     problems keep the reduction duals, which certify with fewer re-streamed rows.
//     Pooled pairs whose reduced cost became negative join the graph; warm re-solves only
//     re-augment rows that gained edges.
//  4. Certification: the assignment is optimal on the full problem iff there are duals u, v
//     with c'_ij - u_i - v_j >= 0 for ALL n m pairs and = 0 on assigned ones (LP duality).
//     The first-pass thresholds bound every unlisted reduced cost of a row for any duals, so
//     most rows are proven without computing their costs again. Where a row's bound fails it
//     mostly fails on a few columns (those with large duals): these "suspects" are priced one
//     pair at a time; only rows with more than m/32 suspects are streamed again (or read from
//     memory). Violators join the graph. Steps 3-4 repeat until no violation remains
//     (certified optimal) or max_rounds passes are spent.
//  5. Result: per-feature costs and scores, certified or a proven gap, and the duals.
//
// GUARANTEES. certified == true: every reduced cost >= -tol (tol = 1e-6 of the largest cost
// plus the shift, covering float rounding; screened costs count with their error bound) and
// the assignment tight, i.e. optimal up to that rounding. Otherwise gap_bound is PROVEN:
// total - optimum <= total - (sum u + sum v + sum_i min(0, min_j reduced_ij)) by weak
// duality, where each row's minimum comes from its thresholds, pool or cost row.
// MatchOptions::gap > 0 lets the solver stop once gap_bound <= gap * total: the cold solve
// then ends epsilon-optimal (n epsilon = half the budget) and certification prices the rest.
//
// COMPLEXITY. One pass of O(n m d) for candidates (the floor: certification needs every pair
// at least once); per certification round O(m) per unsettled row to find its suspects, O(d)
// per suspect pair and O(m d) per row streamed again; assignment on O(n (k + pool)) edges:
// the auction's phases are near-linear in edges in practice (worst case O(n E log(nC)) for
// integer costs), the finish O(E log m) per slack row. Memory O(n (k + pool) + 96 MB), never
// O(n m) (pools hold the priced suspects: at most m/32 per row, in practice a few).
//
// USAGE.
//   MatchOptions o;                 // decoder-only cost, folded, exact
//   o.gap = 1e-4;                   // optional: stop within 0.01% of the optimum (proven)
//   MatchResult r = match_saes(A, B, o);
//   r.certified ? "optimal" : "total - optimum <= r.gap_bound";
//   r.u, r.v                        // duals on the true costs: c_ij - u_i - v_j >= 0 when certified
//
// REFERENCES. R. Jonker, A. Volgenant, A shortest augmenting path algorithm for dense and
// sparse linear assignment problems, Computing 38 (1987). D. F. Crouse, On implementing 2D
// rectangular assignment algorithms, IEEE TAES 52 (2016). D. P. Bertsekas, D. A. Castanon,
// The auction algorithm for the transportation problem, Annals of OR 20 (1989); D. P.
// Bertsekas, Linear Network Optimization (MIT Press 1991), ch. 4. Balagansky et al.,
// Mechanistic Permutability: Match Features Across Layers, ICLR 2025.
#include "saematch/cost.h"
#include "saematch/int8_cost.h"
#include "saematch/lap.h"
#include <functional>
#include <string>

namespace saematch {
// Return false to cancel; stage is a short human-readable name.
using Progress = std::function<bool(const std::string& stage, double fraction)>;

struct MatchOptions {
  CostWeights weights;
  bool fold = true;
  int dense_max = 2048;  // dense path while max(F_A, F_B) < this (above, the sparse path is faster and leaner)
  int topk = 32;         // candidates per row on the sparse path
  int max_rounds = 30;   // full certification passes before giving up with a gap bound
  // Gap budget (sparse path): stop as soon as the assignment is proven within gap * |total|
  // of the optimum (e.g. 1e-4: 0.01%). 0: solve to the certified optimum.
  double gap = 0;
  // Cold square assignments start from an epsilon-scaling auction's duals (false: column
  // reduction, the previous start; kept for comparison in benchmarks).
  bool auction = true;
  bool int8 = false;     // match the int8-quantised rows (what an int8 pack stores) with integer dots
  // Sparse path on float rows: choose candidates and certify with int8 integer dots plus a
  // rigorous bound on their error, computing exact float costs only where the bound cannot
  // decide. Same certified optimum; Auto uses it where the integer kernel beats float GEMM.
  // Int8 problems (opt.int8, match_quantised): the coarse screen of coarse_dot.h, B's rows
  // halved to 7 bits; Auto uses it where a fast kernel for it is registered (relaxed SIMD).
  enum class Screen { Auto, On, Off } screen = Screen::Auto;
  Progress progress;
  std::function<void(const std::string&)> trace;  // optional log of stage timings (benchmarks)
};

struct MatchResult {
  int FA = 0, FB = 0;
  std::vector<int> a_to_b;     // -1: feature of A left unmatched (F_A > F_B)
  std::vector<float> cost;     // per A feature; NaN when unmatched
  std::vector<float> score;    // 1 - c/(|a|^2+|b|^2): 1 identical, 0 orthogonal, -1 opposite
  std::vector<int> unmatched_b;
  double total = 0;
  bool certified = false;      // proven optimal on the full dense problem
  double gap_bound = 0;        // upper bound on (total - optimum) when not certified (proven from the duals)
  double gap_budget = 0;       // the MatchOptions::gap it was asked to meet (0: exact)
  // Dual potentials of the final solve (on the solver's shifted costs; see the essay above):
  // reduced costs c'_ij - u_i - v_j >= 0 on every pair when certified.
  std::vector<double> u, v;
  int rounds = 0;              // sparse path: solve/certify rounds
  int64_t candidate_edges = 0;
  int64_t rows_restreamed = 0; // sparse path: rows whose cost row had to be computed again to certify
  int64_t exact_pairs = 0;     // sparse path with a screen: pairs priced exactly because the bound could not decide
  int64_t suspect_pairs = 0;   // sparse path: pairs priced one by one to settle rows without streaming them again
  std::string method;          // "dense" or "sparse+certify"
  double seconds_cost = 0;     // building/streaming cost blocks (all passes)
  double seconds_lap = 0;      // assignment solves
};

MatchResult match_embeddings(const MatF& EA, const MatF& EB, const MatchOptions& opt);
// The int8 problem given directly as quantised rows (e.g. a pack's folded decoders): the same
// answer as match_embeddings with opt.int8 on their dequantised rows, with no float copies.
MatchResult match_quantised(const QuantRows& A, const QuantRows& B, const MatchOptions& opt);
// Checks d_model agreement, folds (unless opt.fold is false) and matches.
MatchResult match_saes(const Sae& A, const Sae& B, const MatchOptions& opt);
// A small int8 problem (row j of B a noisy copy of row (7j + 3) mod 2048 of A) through the
// sparse path. V8 runs every WASM function in its baseline compiler first and switches to
// optimised code only between calls; the app runs this at start-up so that the first real
// pair's kernel calls are not the unoptimised ones (about 1.5 s on a 16k pair).
MatchResult warm_up_matcher();
}  // namespace saematch
