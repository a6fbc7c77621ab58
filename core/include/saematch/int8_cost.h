#pragma once
// Cost blocks from int8-quantised embeddings (one scale per row), computed with integer dot
// products: the sums are exact, and WASM SIMD128 does 8 multiply-adds per instruction
// (i32x4.dot_i16x8_s) against 4 for f32 (which has no FMA there). Packs already store folded
// decoder rows this way, so re-quantising them reproduces the stored values exactly.
#include "saematch/tensor.h"
#include <cstdint>
#include <vector>

namespace saematch {
struct QuantRows {
  int rows = 0, cols = 0, stride = 0;  // stride: cols rounded up to a multiple of 8 (zero padded)
  std::vector<int16_t> q;              // rows * stride values in [-127, 127]
  VecF scale;                          // row i is scale[i] * q[i, :]
};
QuantRows quantise_rows(const MatF& e);
MatF dequantise(const QuantRows& r);

// out[a * nb + b] = sum_k A[a, k] * B[b, k] for na rows of A and nb rows of B (given stride).
void dot_block_i16(const int16_t* A, int na, const int16_t* B, int nb, int stride, int32_t* out);
// Rows [r0, r1) of ||a_i - b_j||^2 for the dequantised rows; nA/nB: their squared norms.
void cost_rows_q(const QuantRows& A, const VecF& nA, const QuantRows& B, const VecF& nB, int r0, int r1, MatF& out);
}  // namespace saematch
