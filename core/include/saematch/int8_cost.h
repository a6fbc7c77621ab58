#pragma once
// Cost blocks from int8-quantised embeddings (one scale per row), computed with integer dot
// products: the sums are exact, and WASM SIMD128 does 8 multiply-adds per instruction
// (i32x4.dot_i16x8_s) against 4 for f32 (which has no FMA there); native builds with AVX-512
// VNNI do 64 per instruction (vpdpbusd) against 16 for f32. Packs already store folded decoder
// rows this way, so re-quantising them reproduces the stored values exactly. Browsers with
// relaxed SIMD screen int8 problems coarsely instead (16 per instruction; coarse_dot.h).
#include "saematch/tensor.h"
#include <cstdint>
#include <functional>
#include <vector>

namespace saematch {
struct QuantRows {
  int rows = 0, cols = 0, stride = 0;  // stride: cols rounded up to a multiple of 8 (zero padded)
  std::vector<int16_t> q;              // rows * stride values in [-127, 127]
  VecF scale;                          // row i is scale[i] * q[i, :]
  // Native VNNI kernel only (empty elsewhere): the same values as bytes, the row sums it
  // needs to undo its unsigned offset, and the rows as B operand in 32-row panels.
  std::vector<int8_t> q8;
  std::vector<int32_t> sum;
  std::vector<uint8_t> panels;
};
QuantRows quantise_rows(const MatF& e);
void prepare_int8_kernels(QuantRows& r);  // fills the kernel layouts after q/scale were set by hand
MatF dequantise(const QuantRows& r);
VecF squared_norms(const QuantRows& r);  // of the dequantised rows, from exact integer sums
QuantRows subset_rows(const QuantRows& r, const int* ids, int count);  // as A operand only
bool vnni_kernel();       // whether this build has the native int8 kernel
bool int8_kernel_pays();  // whether integer dots beat float GEMM in this build (VNNI or WASM SIMD)

// out[a * nb + b] = sum_k A[a, k] * B[b, k] for na rows of A and nb rows of B (given stride).
void dot_block_i16(const int16_t* A, int na, const int16_t* B, int nb, int stride, int32_t* out);
// Rows [r0, r1) of A against all rows of B: integer dots, fastest kernel of this build.
void dot_rows_q(const QuantRows& A, int r0, int r1, const QuantRows& B, int32_t* out);
// Rows [r0, r1) of ||a_i - b_j||^2 for the dequantised rows; nA/nB: their squared norms.
void cost_rows_q(const QuantRows& A, const VecF& nA, const QuantRows& B, const VecF& nB, int r0, int r1, MatF& out);
// One entry of that: row i of A against row j of B (ni, nj: their squared norms).
float cost_pair_q(const QuantRows& A, float ni, int i, const QuantRows& B, float nj, int j);
// Rows [r0, r1) of costs from integer dots: `dots(buffer)` writes the (r1 - r0) x nb dots of
// those rows of A against B's rows, then out(i, j) = max(0, nA + nB - 2 sA sB dot) with A's
// and B's squared norms and scales. cost_rows_q and the coarse screen's rows both go here.
void cost_rows_from_dots(int r0, int r1, const VecF& nA, const VecF& sA, const VecF& nB, const VecF& sB,
                         const std::function<void(int32_t*)>& dots, MatF& out);
}  // namespace saematch
