// One small matching problem through the sparse path, for runtimes that compile code lazily.
#include "saematch/int8_cost.h"
#include "saematch/match.h"
#include <cstdint>

namespace saematch {
MatchResult warm_up_matcher() {
  const int F = 2048, d = 256;
  uint32_t state = 12345;
  auto next = [&] { state = state * 1664525u + 1013904223u; return int(state >> 25) - 64; };  // [-64, 63]
  QuantRows a, b;
  for (QuantRows* r : {&a, &b}) {
    r->rows = F; r->cols = d; r->stride = d;
    r->q.resize(size_t(F) * d);
    r->scale = VecF::Constant(F, 1.f / 1024);
  }
  for (auto& x : a.q) x = int16_t(next());
  // Each row of b is a noisy copy of a planted partner in a (7 is coprime with F), so the
  // assignment and certification stages have real work too.
  for (int j = 0; j < F; ++j) {
    const int i = (j * 7 + 3) % F;
    for (int k = 0; k < d; ++k) b.q[size_t(j) * d + k] = int16_t(a.q[size_t(i) * d + k] + next() / 8);
  }
  prepare_int8_kernels(a); prepare_int8_kernels(b);
  MatchOptions o;
  o.dense_max = 512;  // the sparse path, as for real layers
  return match_quantised(a, b, o);
}
}  // namespace saematch
