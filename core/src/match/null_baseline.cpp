// Chance-level best scores for the null baseline (see null_baseline.h for the argument).
#include "saematch/null_baseline.h"
#include "saematch/chains.h"
#include "saematch/error.h"
#include "saematch/parallel.h"
#include "saematch/splitmix.h"
#include <algorithm>
#include <cmath>
#include <functional>

namespace saematch {
namespace {
constexpr int kBlockRows = 1024;   // float path: rows of B per GEMM block
constexpr int kSampleChunk = 64;   // int8 path: samples per integer-kernel call (64 x F int32 of dots)
// S features of A (by their norms) replaced by uniformly random directions of the same norm:
// a randomly rotated copy of each (Gaussian vectors are isotropic). Each direction is stored
// as an int8 row whose scale gives it that norm exactly, so against int8 layers the integer
// kernel computes every dot exactly (4x float speed in WASM, both threads) and the float
// version below uses the very same samples.
struct Rotated { QuantRows R; VecF n2; };
// The stream is SplitMix (the same numbers natively and in WASM, so `saematch chain --pack` and
// the app agree) under a salted seed: with a plain seed the directions were the very draws a
// synthetic generator seeded alike had made (std::mt19937_64 + normal_distribution, seed 1:
// `saematch synth`'s default), and "chance" matched its features at scores of 0.99.
constexpr uint64_t kSalt = 0x6e756c6c62617365ull;  // "nullbase"
Rotated rotated_samples(const std::function<float(int)>& normA, int FA, int D, int S, uint64_t seed) {
  SplitMix rng(seed ^ kSalt);
  MatF G(S, D);
  VecF norms(S);
  for (int s = 0; s < S; ++s) {
    norms[s] = normA(rng.below(FA));
    for (int k = 0; k < D; ++k) G(s, k) = float(rng.normal());
  }
  Rotated out{quantise_rows(G), VecF(S)};
  for (int s = 0; s < S; ++s) {
    int64_t q2 = 0;
    for (int k = 0; k < D; ++k) { const int32_t q = out.R.q[size_t(s) * size_t(out.R.stride) + size_t(k)]; q2 += q * q; }
    out.R.scale[s] = q2 > 0 ? float(double(norms[s]) / std::sqrt(double(q2))) : 0.f;
    out.n2[s] = norms[s] * norms[s];
  }
  return out;
}

// 2 r.b / (|r|^2 + |b|^2) = 1 - |r - b|^2 / (|r|^2 + |b|^2): the matcher's score.
float score(float dot, float n2r, float n2b) { const float den = n2r + n2b; return den > 0 ? 2.f * dot / den : -1.f; }

NullBaseline sorted(std::vector<float> best) {
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
  const MatF R = dequantise(r.R);
  const VecF nB = EB.rowwise().squaredNorm();
  std::vector<float> best(size_t(S), -1.f);
  MatF dots;
  for (int j0 = 0; j0 < int(EB.rows()); j0 += kBlockRows) {
    const int j1 = std::min(int(EB.rows()), j0 + kBlockRows);
    dots.noalias() = R * EB.middleRows(j0, j1 - j0).transpose();  // [S, j1 - j0]
    for (int s = 0; s < S; ++s)
      for (int j = j0; j < j1; ++j) best[size_t(s)] = std::max(best[size_t(s)], score(dots(s, j - j0), r.n2[s], nB[j]));
  }
  return sorted(std::move(best));
}

NullBaseline null_baseline(const QuantRows& QA, const QuantRows& QB, int samples, uint64_t seed) {
  if (QA.cols != QB.cols) fail("null baseline: the layers' embeddings differ in width");
  const int FA = QA.rows, D = QA.cols, FB = QB.rows, S = std::min(samples, FA);
  if (S <= 0 || FB == 0 || D == 0) return {};
  const VecF nA = squared_norms(QA), nB = squared_norms(QB);
  const Rotated r = rotated_samples([&](int i) { return std::sqrt(nA[i]); }, FA, D, S, seed);
  std::vector<float> best(size_t(S), -1.f);
  // Samples a chunk at a time on each worker: integer dots against all of B (B streams from
  // memory once per chunk; the chunk's dots are kSampleChunk x FB int32).
  parallel_for(S, [&](int s0, int s1) {
    std::vector<int32_t> dots;
    for (int c0 = s0; c0 < s1; c0 += kSampleChunk) {
      const int c1 = std::min(s1, c0 + kSampleChunk);
      dots.resize(size_t(c1 - c0) * size_t(FB));
      dot_rows_q(r.R, c0, c1, QB, dots.data());
      for (int s = c0; s < c1; ++s) {
        const int32_t* d = &dots[size_t(s - c0) * size_t(FB)];
        float b = -1.f;
        for (int j = 0; j < FB; ++j) b = std::max(b, score(r.R.scale[s] * QB.scale[j] * float(d[j]), r.n2[s], nB[j]));
        best[size_t(s)] = b;
      }
    }
  }, kSampleChunk);
  return sorted(std::move(best));
}
}  // namespace saematch
