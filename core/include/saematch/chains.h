#pragma once
// Feature chains: compose layer-to-layer matches to follow one feature through the model.
#include "saematch/match.h"

namespace saematch {
struct Hop {
  int from_layer = 0;      // index into the layer list; hop goes to from_layer + 1
  int from = -1, to = -1;  // feature ids
  float cost = 0, score = 0;
  bool persisting = false;  // cost <= the q-quantile of this layer pair's matched costs
};
struct Chain {
  std::vector<int> feature;  // per layer index; -1 where the chain does not reach
  std::vector<Hop> hops;     // hops[l] joins layer l and l+1 (from = -1 when absent)
  int first_break = -1;      // first hop index (from the chain's start) that is not persisting, -1 if none
};

struct ChainSet {
  std::vector<MatchResult> pairs;  // pairs[l]: layer l -> l+1
  std::vector<float> threshold;    // per pair: q-quantile of matched costs
  double q = 0.9;
  int layers() const { return int(pairs.size()) + 1; }
  // The whole chain through (layer, feature): followed backward through inverse matches
  // and forward through matches.
  Chain chain_through(int layer, int feature) const;
  // Number of consecutive persisting hops starting at layer 0 for every layer-0 feature.
  std::vector<int> persistence_lengths() const;
};
ChainSet build_chains(std::vector<MatchResult> pairs, double q);
float quantile(std::vector<float> v, double q);  // linear interpolation, ignores NaN

// Compose A->B with B->C into A->C (-1 propagates).
std::vector<int> compose(const std::vector<int>& ab, const std::vector<int>& bc);
// Fraction of A features (matched in both) that go to the same C feature.
double agreement(const std::vector<int>& x, const std::vector<int>& y);
}  // namespace saematch
