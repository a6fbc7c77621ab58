#pragma once
// How much of the model persists at each depth: per layer pair, the share of features whose
// hop is within the pair's q-threshold, the median score, the flow between adjacent layers
// (persisting / dying / newborn) and the pair's cheapest and dearest hops.
#include "saematch/chains.h"
#include <vector>

namespace saematch {
struct PairSummary {
  int FA = 0, FB = 0;
  int persisting = 0;       // A features whose hop costs <= threshold
  int dying = 0;            // A features with no persisting hop (FA - persisting)
  int newborn = 0;          // B features no persisting hop reaches (FB - persisting)
  double share_persisting = 0;
  double median_score = 0;  // over matched A features
  float threshold = 0;
  std::vector<int> best, worst;  // A features of the cheapest / dearest matched hops (at most n each)
};
std::vector<PairSummary> depth_summary(const ChainSet& chains, int n_extremes);
}  // namespace saematch
