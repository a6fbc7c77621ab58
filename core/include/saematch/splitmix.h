#pragma once
// splitmix64: an integer stream that is the same natively and in WASM (the standard
// distributions are not specified bit for bit, and libstdc++ and libc++ differ). Generators of
// synthetic SAEs (core synth, bench instances) draw from it so a seed means one instance everywhere.
#include "saematch/tensor.h"
#include <cmath>
#include <cstdint>

namespace saematch {
struct SplitMix {
  uint64_t s;
  explicit SplitMix(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 7) {}
  uint64_t next() {
    s += 0x9E3779B97F4A7C15ull;
    uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal() {  // two draws in separate statements: operand order in one expression is unspecified
    const double u = uniform() + 1e-300;
    const double v = uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v);
  }
  int below(int n) { return int(next() % uint64_t(n)); }
  VecF unit(int d) {  // a uniformly random unit vector
    VecF v(d);
    for (int k = 0; k < d; ++k) v[k] = float(normal());
    return v / v.norm();
  }
};
}  // namespace saematch
