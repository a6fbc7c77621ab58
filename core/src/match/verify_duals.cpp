// Re-certifying an assignment from its duals (the method and tolerance: saematch/verify_duals.h).
#include "saematch/verify_duals.h"
#include "match_blocks.h"
#include "reduced_costs.h"
#include "saematch/error.h"
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>

namespace saematch {
namespace {
std::string num(double x) { char b[40]; std::snprintf(b, sizeof b, "%.6g", x); return b; }
std::string str(int64_t x) { return std::to_string(x); }

// "" when a_to_b is a complete one-to-one assignment (min(F_A, F_B) features matched), else why not.
std::string assignment_problem(const std::vector<int>& a_to_b, int FA, int FB) {
  std::vector<int> owner(size_t(FB), -1);
  int matched = 0;
  for (int i = 0; i < FA; ++i) {
    const int j = a_to_b[size_t(i)];
    if (j < -1 || j >= FB) return "a_to_b[" + str(i) + "] = " + str(j) + " is outside -1.." + str(FB - 1);
    if (j < 0) continue;
    if (owner[size_t(j)] >= 0) return "a_to_b is not one-to-one: features " + str(owner[size_t(j)]) + " and " + str(i) + " of A both go to feature " + str(j) + " of B";
    owner[size_t(j)] = i;
    ++matched;
  }
  if (matched != std::min(FA, FB)) return "a_to_b matches " + str(matched) + " features; a complete assignment matches " + str(std::min(FA, FB));
  return "";
}

std::string non_finite(const std::vector<double>& x, const char* name) {
  for (size_t k = 0; k < x.size(); ++k) if (!std::isfinite(x[k])) return std::string(name) + "[" + str(int64_t(k)) + "] is not a finite number";
  return "";
}

// Largest dual among the features of the larger side (its unmatched ones are free): the
// shift that makes those duals <= 0, as the rectangular dual requires.
double larger_side_max(const std::vector<double>& x) { return x.empty() ? 0.0 : *std::max_element(x.begin(), x.end()); }

// Stage 1: every reduced cost c_ij - u_i - v_j, streamed row by row.
struct Streamed {
  std::vector<double> row_min;  // rows with a violation: lower bound on their smallest reduced cost; else 0
  int64_t violations = 0, exact_pairs = 0;
  int worst_i = 0, worst_j = 0; // the pair with the lowest reduced cost seen
};
Streamed stream_reduced_costs(const Blocks& B, const DualCertificate& c, double S, double C, double tol, const MatchOptions& o) {
  const int n = B.FA, m = B.FB;
  std::vector<double> col_part(static_cast<size_t>(m));
  for (int j = 0; j < m; ++j) col_part[size_t(j)] = -c.v[size_t(j)];
  const ReducedCostColumns cols(B, std::move(col_part), S, C, tol);
  Streamed out;
  out.row_min.assign(size_t(n), 0);
  std::vector<int> row_worst(size_t(n), 0);
  std::vector<float> row_worst_value(size_t(n), 0);
  std::atomic<int64_t> violations{0}, exact_pairs{0};
  stream_rows(B, o, "verify", [&](int, int i, const float* row) {
    thread_local std::vector<float> red, priced;
    const RowCheck rc = check_reduced_row(B, cols, i, row, -c.u[size_t(i)], red, priced);
    // Rows within tolerance count as feasible (as the matcher's certificate does); the others
    // lower the bound by their most negative reduced cost.
    out.row_min[size_t(i)] = rc.violations ? rc.min : 0.0;
    violations += rc.violations;
    exact_pairs += rc.exact_pairs;
    const auto lowest = std::min_element(red.begin(), red.end());
    row_worst[size_t(i)] = int(lowest - red.begin());
    row_worst_value[size_t(i)] = *lowest;
  });
  out.violations = violations;
  out.exact_pairs = exact_pairs;
  out.worst_i = int(std::min_element(row_worst_value.begin(), row_worst_value.end()) - row_worst_value.begin());
  out.worst_j = row_worst[size_t(out.worst_i)];
  return out;
}

// Stage 2: the lower bound by weak duality (see the header), and the unmatched feature of the
// larger side whose dual lies furthest below that side's largest (free_deficit).
struct Bound { double lb = 0; int free_feature = -1; double free_deficit = 0; };
Bound dual_bound(const DualCertificate& c, const std::vector<double>& row_min, int n, int m) {
  Bound b;
  for (double x : c.u) b.lb += x;
  for (double x : c.v) b.lb += x;
  for (double x : row_min) b.lb += x;
  if (n < m) {
    const double t = larger_side_max(c.v);
    b.lb -= double(m - n) * t;
    std::vector<char> used(size_t(m), 0);
    for (int j : c.a_to_b) if (j >= 0) used[size_t(j)] = 1;
    for (int j = 0; j < m; ++j)
      if (!used[size_t(j)] && t - c.v[size_t(j)] > b.free_deficit) { b.free_deficit = t - c.v[size_t(j)]; b.free_feature = j; }
  } else if (n > m) {
    std::vector<double> shifted(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) shifted[size_t(i)] = c.u[size_t(i)] + row_min[size_t(i)];
    b.lb -= double(n - m) * larger_side_max(shifted);
    const double t = larger_side_max(c.u);
    for (int i = 0; i < n; ++i)
      if (c.a_to_b[size_t(i)] < 0 && t - c.u[size_t(i)] > b.free_deficit) { b.free_deficit = t - c.u[size_t(i)]; b.free_feature = i; }
  }
  return b;
}

VerifyReport verify_blocks(const Blocks& B, const DualCertificate& c, const MatchOptions& o) {
  const int n = B.FA, m = B.FB;
  if (int(c.a_to_b.size()) != n) fail("verify: a_to_b has " + str(int64_t(c.a_to_b.size())) + " entries, layer A has F=" + str(n));
  if (int(c.u.size()) != n) fail("verify: u has " + str(int64_t(c.u.size())) + " entries, layer A has F=" + str(n));
  if (int(c.v.size()) != m) fail("verify: v has " + str(int64_t(c.v.size())) + " entries, layer B has F=" + str(m));
  VerifyReport r;
  const double S = double(B.nA.maxCoeff()) + double(B.nB.maxCoeff());
  const double C = std::pow(double(B.normA.maxCoeff()) + double(B.normB.maxCoeff()), 2);
  const double tol = 1e-6 * std::max(1.0, C + S);
  r.tolerance = tol;
  r.reason = assignment_problem(c.a_to_b, n, m);
  if (r.reason.empty()) r.reason = non_finite(c.u, "u");
  if (r.reason.empty()) r.reason = non_finite(c.v, "v");
  if (r.reason.empty() && !std::isfinite(c.total)) r.reason = "the total is not a finite number";
  if (!r.reason.empty()) return r;

  const Streamed st = stream_reduced_costs(B, c, S, C, tol, o);
  r.pairs_checked = int64_t(n) * int64_t(m);
  r.violations = st.violations;
  r.exact_pairs = st.exact_pairs;
  auto reduced = [&](int i, int j) { return double(B.exact(i, j)) - c.u[size_t(i)] - c.v[size_t(j)]; };
  r.worst_reduced_cost = reduced(st.worst_i, st.worst_j);
  // Matched pairs: tight, and their costs add up to the total.
  int matched = 0, slack_i = -1;
  for (int i = 0; i < n; ++i) {
    const int j = c.a_to_b[size_t(i)];
    if (j < 0) continue;
    ++matched;
    r.total_recomputed += double(B.exact(i, j));
    const double s = std::fabs(reduced(i, j));
    if (s > r.worst_slack) { r.worst_slack = s; slack_i = i; }
  }
  const Bound b = dual_bound(c, st.row_min, n, m);
  r.lower_bound = b.lb;
  const double gap = r.total_recomputed - b.lb;
  r.proven_gap = std::max(0.0, gap) / std::max(std::fabs(r.total_recomputed), 1e-300);  // (rounding may make it a hair negative)
  const double total_tol = std::max(1, matched) * tol;

  // The first check that fails names the reason.
  if (c.gap_budget > 0) {
    if (gap > c.gap_budget * std::fabs(r.total_recomputed) + total_tol)
      r.reason = "the duals prove a gap of " + num(100 * r.proven_gap) + "% to the optimum, more than the budget of " + num(100 * c.gap_budget) + "%";
  } else if (r.violations > 0) {
    r.reason = "pair (A " + str(st.worst_i) + ", B " + str(st.worst_j) + ") has reduced cost " + num(r.worst_reduced_cost) + ", below -" + num(tol) + " (" +
               str(r.violations) + " pairs violate): the duals do not prove this assignment optimal";
  } else if (r.worst_slack > tol) {
    r.reason = "matched pair (A " + str(slack_i) + ", B " + str(c.a_to_b[size_t(slack_i)]) + ") is not tight: reduced cost " +
               num(reduced(slack_i, c.a_to_b[size_t(slack_i)])) + ", tolerance " + num(tol);
  } else if (b.free_deficit > tol) {
    r.reason = std::string("feature ") + str(b.free_feature) + " of " + (n < m ? "B" : "A") + " is left unmatched but its dual lies " + num(b.free_deficit) +
               " below the largest: the duals do not prove leaving it out optimal";
  }
  if (r.reason.empty() && std::fabs(c.total - r.total_recomputed) > total_tol)
    r.reason = "the stated total " + num(c.total) + " differs from the recomputed matched costs " + num(r.total_recomputed) + " by " +
               num(c.total - r.total_recomputed) + " (tolerance " + num(total_tol) + ")";
  r.passed = r.reason.empty();
  return r;
}
}  // namespace

VerifyReport verify_quantised(const QuantRows& A, const QuantRows& B, const DualCertificate& c, const MatchOptions& o) {
  if (A.cols != B.cols) fail("the two layers have different feature widths (d_model mismatch)");
  if (A.rows == 0 || B.rows == 0) fail("cannot verify a matching of an SAE with no features");
  // Screened coarsely where matching would be (B's rows halved; exact prices where undecided).
  if (A.rows <= B.rows && wants_coarse_screen(o)) {
    const CoarseRows CB = coarsen(B);
    return verify_blocks(Blocks(A, B, &CB), c, o);
  }
  return verify_blocks(Blocks(A, B), c, o);
}

VerifyReport verify_embeddings(const MatF& EA, const MatF& EB, const DualCertificate& c, const MatchOptions& o) {
  if (EA.cols() != EB.cols()) fail("the two layers have different feature widths (d_model mismatch)");
  if (EA.rows() == 0 || EB.rows() == 0) fail("cannot verify a matching of an SAE with no features");
  if (o.int8) return verify_quantised(quantise_rows(EA), quantise_rows(EB), c, o);
  if (!wants_int8_screen(o)) return verify_blocks(Blocks(EA, EB), c, o);
  const QuantRows QA = quantise_rows(EA), QB = quantise_rows(EB);
  return verify_blocks(Blocks(EA, EB, &QA, &QB, true), c, o);
}

VerifyReport verify_saes(const Sae& A, const Sae& B, const DualCertificate& c, const MatchOptions& o) {
  if (A.d() != B.d()) fail("d_model mismatch: layer A has d_model=" + std::to_string(A.d()) + ", layer B has " + std::to_string(B.d()));
  const Sae fa = o.fold ? fold(A) : A, fb = o.fold ? fold(B) : B;
  return verify_embeddings(feature_embedding(fa, o.weights), feature_embedding(fb, o.weights), c, o);
}
}  // namespace saematch
