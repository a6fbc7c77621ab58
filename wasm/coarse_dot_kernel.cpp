#include "coarse_dot_kernel.h"
#include "saematch/coarse_dot.h"
#include "saematch/splitmix.h"
#include <emscripten/emscripten.h>
#include <vector>

namespace {
EM_JS(int, coarse_dot_module_loads, (), { return saematchCoarseDot(wasmMemory) ? 1 : 0; });
EM_JS(void, coarse_dot_module_call, (const int8_t* A, int na, const uint8_t* H, int nb, int stride, int32_t* out), {
  saematchCoarseDot(wasmMemory).exports.dot_block(A, na, H, nb, stride, out);
});

void relaxed_kernel(const int8_t* A, int na, const uint8_t* H, int nb, int stride, int32_t* out) {
  coarse_dot_module_call(A, na, H, nb, stride, out);
}

// Every lane of a 2x4 tile, both panels' edges and the extreme values. An implementation can
// get relaxed SIMD wrong: node 20's V8 (behind a flag) summed two of every four columns wrongly.
bool passes_self_test() {
  const int na = 4, nb = 40, stride = 48;
  std::vector<int8_t> a(size_t(na) * stride);
  std::vector<uint8_t> h(size_t(nb) * stride);
  for (size_t k = 0; k < a.size(); ++k) a[k] = int8_t(int(k * 37 % 255) - 127);
  for (size_t k = 0; k < h.size(); ++k) h[k] = uint8_t(k * 53 % 128);
  a[0] = -127; a[1] = 127; h[0] = 127; h[1] = 127;
  std::vector<int32_t> got(size_t(na) * nb), want(got.size());
  relaxed_kernel(a.data(), na, h.data(), nb, stride, got.data());
  saematch::coarse_dot_portable(a.data(), na, h.data(), nb, stride, want.data());
  return got == want;
}
}  // namespace

namespace saematch {
bool register_relaxed_coarse_kernel() {
  if (!coarse_dot_module_loads() || !passes_self_test()) return false;
  set_coarse_dot_kernel(&relaxed_kernel);
  return true;
}
}  // namespace saematch

namespace saematch {
int relaxed_kernel_mismatches(int na, int nb, int stride, uint64_t seed) {
  if (!coarse_dot_kernel_fast()) return -1;
  SplitMix rng(seed);
  std::vector<int8_t> a(size_t(na) * size_t(stride));
  std::vector<uint8_t> h(size_t(nb) * size_t(stride));
  for (auto& x : a) x = int8_t(int(rng.below(255)) - 127);
  for (auto& x : h) x = uint8_t(rng.below(128));
  std::vector<int32_t> got(size_t(na) * size_t(nb)), want(got.size());
  relaxed_kernel(a.data(), na, h.data(), nb, stride, got.data());
  coarse_dot_portable(a.data(), na, h.data(), nb, stride, want.data());
  int bad = 0;
  for (size_t t = 0; t < got.size(); ++t) bad += got[t] != want[t];
  return bad;
}
}  // namespace saematch
