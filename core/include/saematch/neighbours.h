#pragma once
// Why a feature matched the way it did: its best partners on both sides of a hop, with cost,
// score and margin to the chosen partner, and flags for hops a reader should look at twice.
//
// A hop i -> j of a layer pair is
//   - a *close call* when the best other candidate on either side costs at most
//     close_fraction * cost(i, j) more than the chosen partner;
//   - a *split candidate* when another feature j' of the next layer is close to i
//     (cost(i, j') <= the pair's q-threshold) and would rather be i's partner than its own
//     (cost(i, j') < cost of j' with the feature it was matched to, or j' is unmatched):
//     one feature of layer t looks continued by two of layer t+1;
//   - a *merge candidate* when the same holds backward: another feature i' of layer t is close
//     to j and cheaper there than with its own partner (two features converge on j).
#include "saematch/match.h"
#include <functional>
#include <limits>
#include <vector>

namespace saematch {
struct Candidate {
  int feature = -1;
  float cost = 0, score = 0;  // score = 1 - cost / (|a|^2 + |b|^2), as in MatchResult
};

// The costs of one layer pair seen row by row, in the matcher's own arithmetic: a_row(i) is
// row i of C (A feature i against every B feature), b_row(j) is column j (B feature j against
// every A feature); nA, nB are the squared norms of the embeddings (for the score).
struct PairCosts {
  std::function<std::vector<float>(int)> a_row, b_row;
  std::vector<float> nA, nB;
};
// Float embeddings (feature_embedding of folded SAEs): the dense matcher's formula.
PairCosts float_pair_costs(const MatF& EA, const MatF& EB);
// Int8 rows (a pack's decoder rows): the integer kernel's exact costs.
PairCosts quant_pair_costs(const QuantRows& A, const QuantRows& B);

// The k cheapest entries of a cost row (ascending cost, ties by index); norms: own squared
// norm and the other side's, for the score.
std::vector<Candidate> best_of_row(const std::vector<float>& row, float own_norm, const std::vector<float>& other_norms, int k);

struct HopView {
  int from = -1, to = -1;  // the matched pair (to = -1: from has no partner)
  float cost = std::numeric_limits<float>::quiet_NaN(), score = std::numeric_limits<float>::quiet_NaN();
  std::vector<Candidate> forward;   // best k+1 partners of `from` among B features (the chosen one included)
  std::vector<Candidate> backward;  // best k+1 partners of `to` among A features (the chosen one included)
  // Cost of the best other candidate minus the chosen cost (infinite when there is none).
  float margin_forward = std::numeric_limits<float>::infinity(), margin_backward = std::numeric_limits<float>::infinity();
  bool close_call = false, split = false, merge = false;
  int split_with = -1;  // the other B feature of a split
  int merge_with = -1;  // the other A feature of a merge
};
// pair: the match of this layer pair; threshold: its q-quantile cost (what persisting means).
HopView explain_hop(const MatchResult& pair, const PairCosts& costs, int from, int k, float threshold,
                    float close_fraction = 0.1f);
}  // namespace saematch

namespace saematch {
// Costs of the given A features against the given B features, row-major [rows x cols]
// (a small excerpt of the cost matrix, to show what the assignment chooses from).
std::vector<float> cost_excerpt(const PairCosts& costs, const std::vector<int>& rows, const std::vector<int>& cols);
}  // namespace saematch
