#pragma once
// SAE Match as configured against the simpler rules a reader may know, on one layer pair:
//   - "no folding": the same exact assignment on the raw (unfolded) weights;
//   - "top-1 cosine": each feature of A takes the B feature whose decoder row has the highest
//     cosine (Feature Flow's data-free rule, arXiv 2502.03032); not one-to-one, so several A
//     features may pick the same B feature ("collisions");
//   - "encoder + decoder": the exact assignment with w_enc = w_dec (both weight sets count).
// Each method's partners are priced with the configured cost, so totals are comparable: the
// configured method has the lowest total among one-to-one methods (it is the optimum).
#include "saematch/match.h"
#include <string>
#include <vector>

namespace saematch {
struct MethodOutcome {
  std::string key, name;          // key: configured | nofold | top1cos | encdec
  bool available = true;
  std::string unavailable_reason; // e.g. no thresholds known for these layers
  std::vector<int> a_to_b;        // -1: no partner
  double configured_total = 0;    // sum over A features with a partner of the configured cost
  double agreement = 0;           // share of A features with the same partner as "configured"
  int collisions = 0;             // A features whose partner another A feature also took
  bool one_to_one = true;
  bool certified = false;         // exact assignments only
};
struct MethodComparison {
  std::vector<MethodOutcome> methods;  // configured first
  std::vector<int> disagree;           // A features where some available method differs from configured
};

// A, B: folded SAEs (as a pack stores them); thetaA/thetaB: their JumpReLU thresholds if known
// (null or empty: "no folding" is unavailable unless the SAEs are not JumpReLU, where folding
// is the identity). configured: the options the app matches with (fold must be true).
MethodComparison compare_methods(const Sae& A, const VecF* thetaA, const Sae& B, const VecF* thetaB, const MatchOptions& configured);

// For each row of decA, the row of decB with the highest cosine (ties: lowest index).
std::vector<int> top1_cosine(const MatF& decA, const MatF& decB);
// Undoes folding: decoder rows divided by theta, encoder columns and b_enc multiplied by it.
Sae unfold(const Sae& folded, const VecF& theta);
// Sum of ||EA_i - EB_a_to_b[i]||^2 over A features with a partner, in double.
double assignment_cost(const MatF& EA, const MatF& EB, const std::vector<int>& a_to_b);
}  // namespace saematch
