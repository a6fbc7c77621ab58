#pragma once
// Re-certifying a matching from its duals, without solving it again: what a result pack's
// reader (the browser's "verify this pair", `saematch verify-pack`) runs on the layers the
// pack stores.
//
// By LP duality an assignment sigma is optimal iff there are duals u (rows of A), v (columns
// of B) with reduced cost c_ij - u_i - v_j >= 0 for ALL F_A x F_B pairs and = 0 on the
// assigned ones. The check streams every cost row once, through the same machinery as the
// sparse matcher's certification (int8 screen with a rigorous error bound, exact prices where
// the bound cannot decide; reduced_costs.h), so it never holds an F_A x F_B matrix.
//
// TOLERANCE. The matcher's own rounding margin: tol = 1e-6 * max(1, C + S) with S = max|a|^2 +
// max|b|^2 and C a bound on the largest cost ((max|a| + max|b|)^2): at least the tolerance the
// matcher certified with, so every certified result passes; a dual moved by more than tol fails.
//
// RECTANGULAR problems (F_A != F_B): the larger side's unmatched features are free, so the
// lower bound shifts the larger side's duals to <= 0 (any feasible duals give one):
// sum u + sum v - |F_A - F_B| * max(larger side's duals); unmatched features must carry the
// largest dual (within tol), else the duals do not prove that leaving them out is optimal.
#include "saematch/match.h"
#include <cstdint>
#include <string>
#include <vector>

namespace saematch {
struct DualCertificate {
  std::vector<int> a_to_b;   // F_A entries, -1 = unmatched
  std::vector<double> u, v;  // duals on the true costs (MatchResult::u, v), F_A and F_B entries
  double total = 0;          // the claimed sum of matched costs
  // A result matched under a gap budget (MatchOptions::gap): pass when the proven gap is
  // within gap_budget * |total| instead of requiring every reduced cost >= -tol.
  double gap_budget = 0;
};

struct VerifyReport {
  bool passed = false;
  int64_t pairs_checked = 0;     // F_A * F_B when the duals were checked at all
  int64_t violations = 0;        // pairs with reduced cost < -tolerance
  int64_t exact_pairs = 0;       // pairs the screen could not decide, priced exactly
  double worst_reduced_cost = 0; // the most negative reduced cost found (0 or above: none)
  double worst_slack = 0;        // largest |reduced cost| of a matched pair
  double tolerance = 0;
  double total_recomputed = 0;   // the matched costs recomputed here
  // Lower bound on the optimum by weak duality: sum u + sum v (less the rectangular shift),
  // plus, for rows with reduced costs below -tolerance, their most negative one.
  double lower_bound = 0;
  double proven_gap = 0;         // (total_recomputed - lower_bound) / |total_recomputed|
  std::string reason;            // "" when passed, else the first check that failed, in one sentence
};

// The int8 problem given as quantised rows (an int8 pack's folded decoders): costs from the
// exact integer dots, as match_quantised computes them. o: progress (and trace) only.
VerifyReport verify_quantised(const QuantRows& A, const QuantRows& B, const DualCertificate& c, const MatchOptions& o = MatchOptions());
// Float embeddings; o.int8 quantises them first (as match_embeddings does), o.screen chooses
// the screen.
VerifyReport verify_embeddings(const MatF& EA, const MatF& EB, const DualCertificate& c, const MatchOptions& o = MatchOptions());
// Folds (unless o.fold is false) and embeds with o.weights, as match_saes does.
VerifyReport verify_saes(const Sae& A, const Sae& B, const DualCertificate& c, const MatchOptions& o = MatchOptions());
}  // namespace saematch
