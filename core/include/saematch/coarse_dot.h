#pragma once
// A coarser, faster screen for int8 problems (what the browser matches: packs store int8 rows).
//
// Relaxed SIMD's i32x4.relaxed_dot_i8x16_i7x16_add_s does 16 multiply-adds and the add in one
// instruction (one vpdpbusd on x86 with AVX-VNNI), against 8 plus a separate add for SIMD128's
// i32x4.dot_i16x8_s: measured in Chromium on this project's machine, 77 against 32 G
// multiply-adds per second per thread. It is exact only when its second operand lies in
// [0, 127], so B's rows are halved for the screen: b = 2h + r with h = floor(b / 2) in
// [-64, 63] and r in {0, 1}; the kernel multiplies by h + 64 and the offset is removed after.
// The screened dot a.(2h) misses a.r, and |a.r| <= |a| |r| = |a| sqrt(#odd entries of b): a
// rigorous per-row error, the form the matcher's bounds already take (Blocks::error with the
// A side exact), so the answer stays the exact optimum of the int8 problem.
#include "saematch/int8_cost.h"
#include <cstdint>
#include <vector>

namespace saematch {
struct CoarseRows {
  int rows = 0, cols = 0;
  int stride = 0;             // cols rounded up to a multiple of 16 (the kernel's step)
  int padded_rows = 0;        // rows rounded up to a multiple of 4 (the kernel's tile)
  std::vector<uint8_t> h;     // padded_rows * stride values floor(b / 2) + 64, in [0, 127]
  VecF scale;                 // the int8 rows' scales
  VecF err;                   // scale * sqrt(#odd entries): the norm of what halving dropped
};
CoarseRows coarsen(const QuantRows& b);

// out[a * nb + b] = sum_k A[r0 + a, k] * 2 floor(B[b, k] / 2), exact integers (nb = B.rows).
void coarse_dot_rows(const QuantRows& A, int r0, int r1, const CoarseRows& B, int32_t* out);
// The screened costs |a_i|^2 + |b_j|^2 - 2 s_i s_j (that dot); nA/nB: the exact squared norms.
void coarse_cost_rows(const QuantRows& A, const VecF& nA, const CoarseRows& B, const VecF& nB, int r0, int r1, MatF& out);

// The inner kernel: out[a * nb + b] = sum_k A[a, k] * H[b, k] for signed bytes A and H in
// [0, 127]; na even, nb a multiple of 4, stride (bytes per row) a multiple of 16.
using CoarseDotKernel = void (*)(const int8_t* A, int na, const uint8_t* H, int nb, int stride, int32_t* out);
// Registers a fast kernel (the WASM engine registers its relaxed-SIMD module when the browser
// has relaxed SIMD); without one a portable loop runs, correct but no faster than int8 dots.
void set_coarse_dot_kernel(CoarseDotKernel k);
bool coarse_dot_kernel_fast();
// The portable kernel (tests compare a registered kernel with it).
void coarse_dot_portable(const int8_t* A, int na, const uint8_t* H, int nb, int stride, int32_t* out);
}  // namespace saematch
