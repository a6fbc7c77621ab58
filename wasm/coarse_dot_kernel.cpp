#include "coarse_dot_kernel.h"
#include "saematch/coarse_dot.h"
#include "saematch/splitmix.h"
#include <emscripten/emscripten.h>
#include <vector>

namespace saematch {
namespace {
EM_JS(int, coarse_dot_module_loads, (), { return saematchCoarseDot(wasmMemory) ? 1 : 0; });
// 0 where this thread could not instantiate the module (the caller then runs the portable loop).
EM_JS(int, coarse_dot_module_call, (const int8_t* A, int na, const uint8_t* H, int nb, int stride, int32_t* out), {
  const kernel = saematchCoarseDot(wasmMemory);
  if (!kernel) return 0;
  kernel.exports.dot_block(A, na, H, nb, stride, out);
  return 1;
});

void relaxed_kernel(const int8_t* A, int na, const uint8_t* H, int nb, int stride, int32_t* out) {
  if (!coarse_dot_module_call(A, na, H, nb, stride, out)) coarse_dot_portable(A, na, H, nb, stride, out);
}

// Sums in `got` (a kernel's na x nb dots of these rows) that differ from the portable loop's.
int mismatches(const std::vector<int32_t>& got, const std::vector<int8_t>& a, const std::vector<uint8_t>& h, int na, int nb, int stride) {
  std::vector<int32_t> want(got.size());
  coarse_dot_portable(a.data(), na, h.data(), nb, stride, want.data());
  int bad = 0;
  for (size_t t = 0; t < got.size(); ++t) bad += got[t] != want[t];
  return bad;
}

// Every lane of a 2x4 tile, both panels' edges and the extreme values. An implementation can
// get relaxed SIMD wrong: node 20's V8 (behind a flag) summed two of every four columns wrongly.
bool passes_self_test() {
  const int na = 4, nb = 40, stride = 48;
  std::vector<int8_t> a(size_t(na) * stride);
  std::vector<uint8_t> h(size_t(nb) * stride);
  for (size_t k = 0; k < a.size(); ++k) a[k] = int8_t(int(k * 37 % 255) - 127);
  for (size_t k = 0; k < h.size(); ++k) h[k] = uint8_t(k * 53 % 128);
  a[0] = -128; a[1] = 127; h[0] = 127; h[1] = 127;
  std::vector<int32_t> got(size_t(na) * nb);
  return coarse_dot_module_call(a.data(), na, h.data(), nb, stride, got.data()) && mismatches(got, a, h, na, nb, stride) == 0;
}
}  // namespace

bool register_relaxed_coarse_kernel() {
  if (!coarse_dot_module_loads() || !passes_self_test()) return false;
  set_coarse_dot_kernel(&relaxed_kernel);
  return true;
}

int relaxed_kernel_mismatches(int na, int nb, int stride, uint64_t seed) {
  if (!coarse_dot_kernel_fast()) return -1;
  // The kernel's shape rules, and a size a test needs (this is reachable from a worker message).
  if (na < 2 || na % 2 || nb < 4 || nb % 4 || stride < 16 || stride % 16 || int64_t(na + nb) * stride > (int64_t(64) << 20)) return -2;
  SplitMix rng(seed);
  std::vector<int8_t> a(size_t(na) * size_t(stride));
  std::vector<uint8_t> h(size_t(nb) * size_t(stride));
  for (auto& x : a) x = int8_t(int(rng.below(256)) - 128);
  for (auto& x : h) x = uint8_t(rng.below(128));
  std::vector<int32_t> got(size_t(na) * size_t(nb));
  relaxed_kernel(a.data(), na, h.data(), nb, stride, got.data());
  return mismatches(got, a, h, na, nb, stride);
}
}  // namespace saematch
