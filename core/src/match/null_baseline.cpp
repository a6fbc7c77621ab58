// Chance-level best scores for the null baseline (see null_baseline.h for the argument).
#include "saematch/null_baseline.h"
#include "saematch/chains.h"
#include "saematch/error.h"
#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

namespace saematch {
namespace {
constexpr int kBlockRows = 1024;  // rows of B expanded at a time: 9 MB of floats at d = 2304

// S features of A (by their norms) replaced by uniformly random directions of the same norm:
// a randomly rotated copy of each (Gaussian vectors are isotropic).
struct Rotated { MatF R; VecF n2; };
Rotated rotated_samples(const std::function<float(int)>& normA, int FA, int D, int S, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pick(0, FA - 1);
  std::normal_distribution<float> gauss(0.f, 1.f);
  Rotated out{MatF(S, D), VecF(S)};
  for (int s = 0; s < S; ++s) {
    const float norm = normA(pick(rng));
    for (int k = 0; k < D; ++k) out.R(s, k) = gauss(rng);
    const float g = out.R.row(s).norm();
    out.R.row(s) *= g > 0 ? norm / g : 0.f;
    out.n2[s] = norm * norm;
  }
  return out;
}

// Best score of each sample over all rows of B, given block by block: block(j0, j1, rows, n2)
// fills rows [j0, j1) of B's embedding and their squared norms.
using BlockOfB = std::function<void(int, int, MatF&, VecF&)>;
NullBaseline best_scores(const Rotated& r, int FB, const BlockOfB& block) {
  const int S = int(r.R.rows());
  std::vector<float> best(size_t(S), -1.f);
  MatF rows, dots;
  VecF nB;
  for (int j0 = 0; j0 < FB; j0 += kBlockRows) {
    const int j1 = std::min(FB, j0 + kBlockRows);
    block(j0, j1, rows, nB);
    dots.noalias() = r.R * rows.transpose();  // [S, j1 - j0]
    for (int s = 0; s < S; ++s)
      for (int j = 0; j < j1 - j0; ++j) {
        const float den = r.n2[s] + nB[j];
        // 1 - |r - b|^2 / (|r|^2 + |b|^2) = 2 r.b / (|r|^2 + |b|^2)
        if (den > 0) best[size_t(s)] = std::max(best[size_t(s)], 2.f * dots(s, j) / den);
      }
  }
  std::sort(best.begin(), best.end());
  return NullBaseline{std::move(best)};
}
}  // namespace

float NullBaseline::quantile(double p) const { return saematch::quantile(best_scores, p); }

NullBaseline null_baseline(const MatF& EA, const MatF& EB, int samples, uint64_t seed) {
  if (EA.cols() != EB.cols()) fail("null baseline: the layers' embeddings differ in width");
  const int FA = int(EA.rows()), D = int(EA.cols()), S = std::min(samples, FA);
  if (S <= 0 || EB.rows() == 0 || D == 0) return {};
  const Rotated r = rotated_samples([&](int i) { return EA.row(i).norm(); }, FA, D, S, seed);
  return best_scores(r, int(EB.rows()), [&](int j0, int j1, MatF& rows, VecF& n2) {
    rows = EB.middleRows(j0, j1 - j0);
    n2 = rows.rowwise().squaredNorm();
  });
}

NullBaseline null_baseline(const QuantRows& QA, const QuantRows& QB, int samples, uint64_t seed) {
  if (QA.cols != QB.cols) fail("null baseline: the layers' embeddings differ in width");
  const int FA = QA.rows, D = QA.cols, S = std::min(samples, FA);
  if (S <= 0 || QB.rows == 0 || D == 0) return {};
  const VecF nA = squared_norms(QA);
  const Rotated r = rotated_samples([&](int i) { return std::sqrt(nA[i]); }, FA, D, S, seed);
  return best_scores(r, QB.rows, [&](int j0, int j1, MatF& rows, VecF& n2) {
    rows.resize(j1 - j0, D);
    for (int j = j0; j < j1; ++j) {
      const int16_t* q = &QB.q[size_t(j) * size_t(QB.stride)];
      for (int k = 0; k < D; ++k) rows(j - j0, k) = QB.scale[j] * float(q[k]);
    }
    n2 = rows.rowwise().squaredNorm();
  });
}
}  // namespace saematch
