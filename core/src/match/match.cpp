#include "match_blocks.h"
#include "saematch/error.h"
#include <algorithm>
#include <cmath>
#include <limits>

namespace saematch {
namespace {
MatchResult match_dense(const Blocks& B, const MatchOptions& o) {
  report(o, "cost matrix", 0);
  Stopwatch cost_clock;
  MatF C = dense_cost(B.FA, B.FB, [&](int r0, int r1, MatF& out) { B.exact_rows(r0, r1, out); });
  const double cost_s = cost_clock.seconds();
  report(o, "assignment", 0.5);
  Stopwatch lap_clock;
  LapResult l = solve_lap_dense(C.data(), int(C.rows()), int(C.cols()), C.cols());
  const double lap_s = lap_clock.seconds();
  std::vector<float> costs(size_t(C.rows()), std::numeric_limits<float>::quiet_NaN());
  for (int i = 0; i < C.rows(); ++i) if (l.row_to_col[size_t(i)] >= 0) costs[size_t(i)] = C(i, l.row_to_col[size_t(i)]);
  MatchResult r;
  finish(r, B.nA, B.nB, l.row_to_col, costs);
  r.certified = true; r.method = "dense"; r.rounds = 1;
  r.u = std::move(l.u); r.v = std::move(l.v);
  r.seconds_cost = cost_s; r.seconds_lap = lap_s;
  r.candidate_edges = int64_t(C.rows()) * C.cols();
  report(o, "done", 1);
  return r;
}

MatchResult match_blocks(const Blocks& B, const MatchOptions& o) {
  if (std::max(B.FA, B.FB) < o.dense_max) return match_dense(B, o);
  if (B.FA <= B.FB) return match_sparse(B, o);
  // More features in A than B: match B to A, then invert.
  MatchResult t = match_sparse(B.swapped(), o);
  std::vector<int> a_to_b(size_t(B.FA), -1);
  std::vector<float> costs(size_t(B.FA), std::numeric_limits<float>::quiet_NaN());
  for (int j = 0; j < t.FA; ++j) { int i = t.a_to_b[size_t(j)]; a_to_b[size_t(i)] = j; costs[size_t(i)] = t.cost[size_t(j)]; }
  MatchResult r;
  finish(r, B.nA, B.nB, a_to_b, costs);
  r.certified = t.certified; r.gap_bound = t.gap_bound; r.gap_budget = t.gap_budget; r.rounds = t.rounds; r.method = t.method; r.candidate_edges = t.candidate_edges;
  r.seconds_cost = t.seconds_cost; r.seconds_lap = t.seconds_lap;
  r.rows_restreamed = t.rows_restreamed; r.exact_pairs = t.exact_pairs; r.suspect_pairs = t.suspect_pairs;
  r.u = std::move(t.v); r.v = std::move(t.u);  // rows of the swapped problem are B's features
  return r;
}
}  // namespace

MatchResult match_embeddings(const MatF& EA, const MatF& EB, const MatchOptions& o) {
  if (EA.cols() != EB.cols()) fail("the two layers have different feature widths (d_model mismatch)");
  if (EA.rows() == 0 || EB.rows() == 0) fail("cannot match an SAE with no features");
  // Exact matching of the int8-quantised embeddings (identical to the stored weights of an
  // int8 pack); no float copy of the quantised rows is needed.
  if (o.int8) return match_quantised(quantise_rows(EA), quantise_rows(EB), o);
  const bool sparse = std::max(EA.rows(), EB.rows()) >= o.dense_max;
  if (sparse && wants_int8_screen(o)) {
    QuantRows QA = quantise_rows(EA), QB = quantise_rows(EB);
    MatchResult r = match_blocks(Blocks(EA, EB, &QA, &QB, true), o);
    r.method += " (int8 screen)";
    return r;
  }
  return match_blocks(Blocks(EA, EB), o);
}

MatchResult match_quantised(const QuantRows& A, const QuantRows& B, const MatchOptions& o) {
  if (A.cols != B.cols) fail("the two layers have different feature widths (d_model mismatch)");
  if (A.rows == 0 || B.rows == 0) fail("cannot match an SAE with no features");
  // The coarse screen serves the sparse path when A is not the larger side (it halves B's rows).
  const bool screenable = std::max(A.rows, B.rows) >= o.dense_max && A.rows <= B.rows;
  if (screenable && wants_coarse_screen(o)) {
    const CoarseRows CB = coarsen(B);
    MatchResult r = match_blocks(Blocks(A, B, &CB), o);
    r.method += " int8 (coarse screen)";
    return r;
  }
  MatchResult r = match_blocks(Blocks(A, B), o);
  r.method += " int8";
  return r;
}

MatchResult match_saes(const Sae& A, const Sae& B, const MatchOptions& o) {
  if (A.d() != B.d())
    fail("d_model mismatch: layer A has d_model=" + std::to_string(A.d()) + ", layer B has " + std::to_string(B.d()) + " (SAEs from different models or hook points?)");
  const Sae fa = o.fold ? fold(A) : A, fb = o.fold ? fold(B) : B;
  return match_embeddings(feature_embedding(fa, o.weights), feature_embedding(fb, o.weights), o);
}
}  // namespace saematch
