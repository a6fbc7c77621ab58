#include "saematch/int8_cost.h"
#include "saematch/error.h"
#include <algorithm>
#include <cmath>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>  // clang's intrinsics header (no Emscripten API)
#endif

namespace saematch {
QuantRows quantise_rows(const MatF& e) {
  QuantRows r;
  r.rows = int(e.rows()); r.cols = int(e.cols()); r.stride = (r.cols + 7) / 8 * 8;
  r.q.assign(size_t(r.rows) * size_t(r.stride), 0);
  r.scale.resize(r.rows);
  for (int i = 0; i < r.rows; ++i) {
    float mx = e.row(i).cwiseAbs().maxCoeff();
    if (!std::isfinite(mx)) fail("cannot quantise a row with NaN or infinite values");
    float s = mx > 0 ? mx / 127.f : 1.f;
    r.scale[i] = s;
    int16_t* q = &r.q[size_t(i) * size_t(r.stride)];
    for (int k = 0; k < r.cols; ++k) q[k] = int16_t(std::lround(std::clamp(e(i, k) / s, -127.f, 127.f)));
  }
  return r;
}

MatF dequantise(const QuantRows& r) {
  MatF e(r.rows, r.cols);
  for (int i = 0; i < r.rows; ++i)
    for (int k = 0; k < r.cols; ++k) e(i, k) = r.scale[i] * float(r.q[size_t(i) * size_t(r.stride) + size_t(k)]);
  return e;
}

namespace {
int32_t dot_scalar(const int16_t* a, const int16_t* b, int n) {
  int32_t s = 0;
  for (int k = 0; k < n; ++k) s += int32_t(a[k]) * int32_t(b[k]);  // auto-vectorised natively
  return s;
}

#ifdef __wasm_simd128__
int32_t hsum(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) + wasm_i32x4_extract_lane(v, 3);
}
// 2 rows of A against 4 rows of B: 8 accumulators stay in registers.
void tile_2x4(const int16_t* a0, const int16_t* a1, const int16_t* b, int stride, int n, int32_t* o0, int32_t* o1) {
  v128_t c00 = wasm_i32x4_splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  const int16_t *b0 = b, *b1 = b + stride, *b2 = b + 2 * stride, *b3 = b + 3 * stride;
  for (int k = 0; k < n; k += 8) {
    v128_t x0 = wasm_v128_load(a0 + k), x1 = wasm_v128_load(a1 + k);
    v128_t y0 = wasm_v128_load(b0 + k), y1 = wasm_v128_load(b1 + k), y2 = wasm_v128_load(b2 + k), y3 = wasm_v128_load(b3 + k);
    c00 = wasm_i32x4_add(c00, wasm_i32x4_dot_i16x8(x0, y0)); c01 = wasm_i32x4_add(c01, wasm_i32x4_dot_i16x8(x0, y1));
    c02 = wasm_i32x4_add(c02, wasm_i32x4_dot_i16x8(x0, y2)); c03 = wasm_i32x4_add(c03, wasm_i32x4_dot_i16x8(x0, y3));
    c10 = wasm_i32x4_add(c10, wasm_i32x4_dot_i16x8(x1, y0)); c11 = wasm_i32x4_add(c11, wasm_i32x4_dot_i16x8(x1, y1));
    c12 = wasm_i32x4_add(c12, wasm_i32x4_dot_i16x8(x1, y2)); c13 = wasm_i32x4_add(c13, wasm_i32x4_dot_i16x8(x1, y3));
  }
  o0[0] = hsum(c00); o0[1] = hsum(c01); o0[2] = hsum(c02); o0[3] = hsum(c03);
  o1[0] = hsum(c10); o1[1] = hsum(c11); o1[2] = hsum(c12); o1[3] = hsum(c13);
}
#endif
}  // namespace

void dot_block_i16(const int16_t* A, int na, const int16_t* B, int nb, int stride, int32_t* out) {
  // B in panels of 64 rows so a panel stays in cache while all of A's rows pass over it.
  const int panel = 64;
  for (int j0 = 0; j0 < nb; j0 += panel) {
    const int j1 = std::min(nb, j0 + panel);
    int i = 0;
#ifdef __wasm_simd128__
    for (; i + 2 <= na; i += 2) {
      int j = j0;
      for (; j + 4 <= j1; j += 4)
        tile_2x4(A + size_t(i) * stride, A + size_t(i + 1) * stride, B + size_t(j) * stride, stride, stride,
                 out + size_t(i) * nb + j, out + size_t(i + 1) * nb + j);
      for (; j < j1; ++j) {
        out[size_t(i) * nb + j] = dot_scalar(A + size_t(i) * stride, B + size_t(j) * stride, stride);
        out[size_t(i + 1) * nb + j] = dot_scalar(A + size_t(i + 1) * stride, B + size_t(j) * stride, stride);
      }
    }
#endif
    for (; i < na; ++i)
      for (int j = j0; j < j1; ++j) out[size_t(i) * nb + j] = dot_scalar(A + size_t(i) * stride, B + size_t(j) * stride, stride);
  }
}

void cost_rows_q(const QuantRows& A, const VecF& nA, const QuantRows& B, const VecF& nB, int r0, int r1, MatF& out) {
  if (A.stride != B.stride) fail("cannot compare features of different widths (d_model mismatch?)");
  const int na = r1 - r0, nb = B.rows;
  thread_local std::vector<int32_t> dots;
  dots.resize(size_t(na) * size_t(nb));
  dot_block_i16(&A.q[size_t(r0) * size_t(A.stride)], na, B.q.data(), nb, A.stride, dots.data());
  out.resize(na, nb);
  for (int i = 0; i < na; ++i) {
    const float sa = -2.f * A.scale[r0 + i], ni = nA[r0 + i];
    const int32_t* d = &dots[size_t(i) * size_t(nb)];
    float* o = out.row(i).data();
    for (int j = 0; j < nb; ++j) o[j] = std::max(0.f, ni + nB[j] + sa * B.scale[j] * float(d[j]));
  }
}
}  // namespace saematch
