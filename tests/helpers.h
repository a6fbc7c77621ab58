#pragma once
// Shared test helpers: fixture location and the closed-form values tools/make_fixtures.py wrote.
#include "saematch/sae.h"
#include "saematch/source.h"
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

namespace th {
inline std::string fixture(const std::string& name) {
  const char* env = std::getenv("SAEMATCH_FIXTURES");
  return std::string(env && *env ? env : "tests/fixtures/gen") + "/" + name;
}
constexpr int kF = 48, kD = 16;
inline float w_enc(int i, int j) { return float(std::sin(0.37 * i + 0.11 * j)); }
inline float w_dec(int r, int c) { return float(std::cos(0.23 * r - 0.19 * c)); }
inline float b_enc(int j) { return float(0.01 * j - 0.2); }
inline float b_dec(int c) { return float(0.05 * c); }
inline float thr(int j) { return float(0.1 + 0.02 * j); }

// Largest absolute deviation of a loaded SAE from the fixture formulas.
inline double fixture_error(const saematch::Sae& s, bool with_threshold) {
  double e = 0;
  for (int i = 0; i < kD; ++i) for (int j = 0; j < kF; ++j) e = std::max(e, double(std::fabs(s.W_enc(i, j) - w_enc(i, j))));
  for (int r = 0; r < kF; ++r) for (int c = 0; c < kD; ++c) e = std::max(e, double(std::fabs(s.W_dec(r, c) - w_dec(r, c))));
  for (int j = 0; j < kF; ++j) e = std::max(e, double(std::fabs(s.b_enc[j] - b_enc(j))));
  for (int c = 0; c < kD; ++c) e = std::max(e, double(std::fabs(s.b_dec[c] - b_dec(c))));
  if (with_threshold) for (int j = 0; j < kF; ++j) e = std::max(e, double(std::fabs(s.threshold[j] - thr(j))));
  return e;
}

inline saematch::MatF random_matrix(int r, int c, uint64_t seed, float scale = 1.f) {
  std::mt19937_64 g(seed);
  std::normal_distribution<float> n(0.f, scale);
  saematch::MatF m(r, c);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = n(g);
  return m;
}
}  // namespace th
