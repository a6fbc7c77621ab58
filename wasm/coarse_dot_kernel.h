#pragma once
#include <cstdint>
// The relaxed-SIMD kernel of the coarse screen (core/include/saematch/coarse_dot.h), a separate
// hand-written WASM module sharing the engine's memory (wasm/kernels/coarse_dot.wat).
namespace saematch {
// Registers it with the core when this JS engine runs it and it passes a self-test against the
// portable loop; false otherwise (the core then matches int8 problems with exact int8 dots).
bool register_relaxed_coarse_kernel();
// Sums where the registered kernel and the portable loop disagree on random rows (na even, nb a
// multiple of 4, stride a multiple of 16); -1 when none is registered, -2 for another shape.
int relaxed_kernel_mismatches(int na, int nb, int stride, uint64_t seed);
}  // namespace saematch
