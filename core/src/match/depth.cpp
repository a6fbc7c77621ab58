#include "saematch/depth.h"
#include <algorithm>
#include <cmath>
#include <numeric>

namespace saematch {
namespace {
PairSummary summarise(const MatchResult& p, float threshold, int n_extremes) {
  PairSummary s;
  s.FA = p.FA; s.FB = p.FB; s.threshold = threshold;
  std::vector<int> matched;
  std::vector<float> scores;
  for (int i = 0; i < p.FA; ++i) {
    if (p.a_to_b[size_t(i)] < 0 || !std::isfinite(p.cost[size_t(i)])) continue;
    matched.push_back(i);
    scores.push_back(p.score[size_t(i)]);
    if (p.cost[size_t(i)] <= threshold) ++s.persisting;
  }
  s.dying = s.FA - s.persisting;
  s.newborn = s.FB - s.persisting;
  s.share_persisting = s.FA > 0 ? double(s.persisting) / s.FA : 0;
  s.median_score = quantile(scores, 0.5);
  std::stable_sort(matched.begin(), matched.end(), [&](int a, int b) { return p.cost[size_t(a)] < p.cost[size_t(b)]; });
  const size_t n = std::min(matched.size(), size_t(std::max(n_extremes, 0)));
  s.best.assign(matched.begin(), matched.begin() + std::ptrdiff_t(n));
  s.worst.assign(matched.rbegin(), matched.rbegin() + std::ptrdiff_t(n));
  return s;
}
}  // namespace

std::vector<PairSummary> depth_summary(const ChainSet& chains, int n_extremes) {
  std::vector<PairSummary> out;
  for (size_t l = 0; l < chains.pairs.size(); ++l) out.push_back(summarise(chains.pairs[l], chains.threshold[l], n_extremes));
  return out;
}
}  // namespace saematch
