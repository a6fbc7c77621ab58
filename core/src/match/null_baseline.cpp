// Chance-level best scores for the null baseline (see null_baseline.h for the argument).
#include "saematch/null_baseline.h"
#include "saematch/chains.h"
#include "saematch/error.h"
#include <algorithm>
#include <cmath>
#include <random>

namespace saematch {
float NullBaseline::quantile(double p) const { return saematch::quantile(best_scores, p); }

NullBaseline null_baseline(const MatF& EA, const MatF& EB, int samples, uint64_t seed) {
  if (EA.cols() != EB.cols()) fail("null baseline: the layers' embeddings differ in width");
  NullBaseline out;
  const int FA = int(EA.rows()), D = int(EA.cols());
  const int S = std::min(samples, FA);
  if (S <= 0 || EB.rows() == 0 || D == 0) return out;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pick(0, FA - 1);
  std::normal_distribution<float> gauss(0.f, 1.f);
  // Each sampled feature replaced by a uniformly random direction of the same norm: that is
  // a randomly rotated copy of it (Gaussian vectors are isotropic).
  MatF R(S, D);
  VecF nR(S);
  for (int s = 0; s < S; ++s) {
    const float norm = EA.row(pick(rng)).norm();
    for (int k = 0; k < D; ++k) R(s, k) = gauss(rng);
    const float g = R.row(s).norm();
    R.row(s) *= g > 0 ? norm / g : 0.f;
    nR[s] = norm * norm;
  }
  const VecF nB = squared_norms(EB);
  const MatF dots = R * EB.transpose();  // [S, FB]
  out.best_scores.resize(size_t(S));
  for (int s = 0; s < S; ++s) {
    float best = -1.f;
    for (int j = 0; j < int(EB.rows()); ++j) {
      const float den = nR[s] + nB[j];
      // 1 - |r - b|^2 / (|r|^2 + |b|^2) = 2 r.b / (|r|^2 + |b|^2)
      if (den > 0) best = std::max(best, 2.f * dots(s, j) / den);
    }
    out.best_scores[size_t(s)] = best;
  }
  std::sort(out.best_scores.begin(), out.best_scores.end());
  return out;
}
}  // namespace saematch
