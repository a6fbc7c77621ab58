#pragma once
// Benchmark only: statistics that say how realistic an instance is (nearest-neighbour cosine
// within a layer, best-partner cosine in the next, matched scores), as JSON fragments.
#include "saematch/arrays.h"
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

namespace bench {
using saematch::MatF;
using saematch::VecF;

// Quantiles and a 10-bin histogram over [lo, hi] of a sample, as JSON.
inline std::string distribution(std::vector<float> x, float lo, float hi) {
  x.erase(std::remove_if(x.begin(), x.end(), [](float v) { return !std::isfinite(v); }), x.end());
  if (x.empty()) return "null";
  std::sort(x.begin(), x.end());
  auto q = [&](double p) { return x[std::min(x.size() - 1, size_t(p * double(x.size())))]; };
  std::string s = "{\"q10\":" + std::to_string(q(0.1)) + ",\"q50\":" + std::to_string(q(0.5)) + ",\"q90\":" + std::to_string(q(0.9)) +
                  ",\"mean\":" + std::to_string(std::accumulate(x.begin(), x.end(), 0.0) / double(x.size())) + ",\"hist\":[";
  std::vector<int> h(10, 0);
  for (float v : x) h[size_t(std::clamp(int((v - lo) / (hi - lo) * 10), 0, 9))]++;
  for (int b = 0; b < 10; ++b) s += (b ? "," : "") + std::to_string(int(std::lround(1000.0 * h[size_t(b)] / double(x.size()))) / 10.0).substr(0, 5);
  return s + "]}";
}

inline MatF unit_rows(const MatF& M) {
  VecF n = M.rowwise().norm().cwiseMax(1e-30f);
  return n.cwiseInverse().asDiagonal() * M;
}

// Cosine statistics on `samples` evenly spaced rows of A: nearest neighbour within A, best
// partner in B; and the spread of A's row norms (p99 / p1).
inline std::string instance_stats(const MatF& A, const MatF& B, int samples = 2048) {
  const int F = int(A.rows()), S = std::min(F, samples);
  MatF An = unit_rows(A), Bn = unit_rows(B), sample(S, A.cols());
  std::vector<int> ids(static_cast<size_t>(S));
  for (int s = 0; s < S; ++s) { ids[size_t(s)] = int(int64_t(s) * F / S); sample.row(s) = An.row(ids[size_t(s)]); }
  MatF within = sample * An.transpose(), across = sample * Bn.transpose();
  std::vector<float> nn(static_cast<size_t>(S)), partner(static_cast<size_t>(S));
  for (int s = 0; s < S; ++s) {
    within(s, ids[size_t(s)]) = -2;
    nn[size_t(s)] = within.row(s).maxCoeff();
    partner[size_t(s)] = across.row(s).maxCoeff();
  }
  VecF na = A.rowwise().norm();
  std::vector<float> norms(na.data(), na.data() + na.size());
  std::sort(norms.begin(), norms.end());
  const double spread = norms[size_t(0.99 * (F - 1))] / std::max(1e-30f, norms[size_t(0.01 * (F - 1))]);
  return "\"nn_cos\":" + distribution(nn, 0, 1) + ",\"partner_cos\":" + distribution(partner, 0, 1) +
         ",\"norm_spread_p99_p1\":" + std::to_string(spread);
}
}  // namespace bench
