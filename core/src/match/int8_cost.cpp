#include "saematch/int8_cost.h"
#include "saematch/error.h"
#include "saematch/parallel.h"
#include "simd_vec.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>  // clang's intrinsics header (no Emscripten API)
#endif
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
#define SAEMATCH_VNNI 1
#include <immintrin.h>
#endif

namespace saematch {
namespace {
constexpr int kPanel = 32;  // B rows per VNNI panel: two 512-bit registers of int32 sums

// Byte copies, row sums and B panels for the VNNI kernel. Panel p holds rows 32p..32p+31
// interleaved by groups of 4 columns, each value + 128 (vpdpbusd multiplies unsigned by signed
// bytes): byte (row c, col k) sits at [p][k/4][c][k%4].
void prepare_vnni(QuantRows& r) {
#ifdef SAEMATCH_VNNI
  const size_t S = size_t(r.stride);
  r.q8.resize(size_t(r.rows) * S);
  r.sum.assign(size_t(r.rows), 0);
  const int np = (r.rows + kPanel - 1) / kPanel;
  r.panels.assign(size_t(np) * S * kPanel, 128);  // padding rows: zeros after the offset
  parallel_for(r.rows, [&](int i0, int i1) {
    for (int i = i0; i < i1; ++i) {
      const int16_t* q = &r.q[size_t(i) * S];
      int32_t sum = 0;
      for (size_t k = 0; k < S; ++k) { r.q8[size_t(i) * S + k] = int8_t(q[k]); sum += q[k]; }
      r.sum[size_t(i)] = sum;
      uint8_t* base = &r.panels[size_t(i / kPanel) * S * kPanel];
      const int c = i % kPanel;
      for (size_t k = 0; k < S; ++k) base[(k / 4) * 4 * kPanel + size_t(c) * 4 + k % 4] = uint8_t(q[k] + 128);
    }
  }, 256);
#else
  (void)r;
#endif
}
}  // namespace

bool vnni_kernel() {
#ifdef SAEMATCH_VNNI
  return true;
#else
  return false;
#endif
}

bool int8_kernel_pays() {
#if defined(SAEMATCH_VNNI) || defined(__wasm_simd128__)
  return true;
#else
  return false;
#endif
}

QuantRows subset_rows(const QuantRows& r, const int* ids, int count) {
  QuantRows sub;
  sub.rows = count; sub.cols = r.cols; sub.stride = r.stride;
  const size_t S = size_t(r.stride);
  sub.q.resize(size_t(count) * S);
  sub.scale.resize(count);
  if (!r.q8.empty()) { sub.q8.resize(size_t(count) * S); sub.sum.resize(size_t(count)); }
  for (int t = 0; t < count; ++t) {
    const size_t i = size_t(ids[t]);
    std::copy_n(&r.q[i * S], S, &sub.q[size_t(t) * S]);
    sub.scale[t] = r.scale[ids[t]];
    if (!r.q8.empty()) { std::copy_n(&r.q8[i * S], S, &sub.q8[size_t(t) * S]); sub.sum[size_t(t)] = r.sum[i]; }
  }
  return sub;
}

QuantRows quantise_rows(const MatF& e) {
  QuantRows r;
  r.rows = int(e.rows()); r.cols = int(e.cols()); r.stride = (r.cols + 7) / 8 * 8;
  r.q.assign(size_t(r.rows) * size_t(r.stride), 0);
  r.scale.resize(r.rows);
  parallel_for(r.rows, [&](int i0, int i1) {
    for (int i = i0; i < i1; ++i) {
      float mx = e.row(i).cwiseAbs().maxCoeff();
      if (!std::isfinite(mx)) fail("cannot quantise a row with NaN or infinite values");
      float s = mx > 0 ? mx / 127.f : 1.f;
      r.scale[i] = s;
      int16_t* q = &r.q[size_t(i) * size_t(r.stride)];
      // Round half away from zero, as lround does, without its libc call (in WASM it cost
      // ~10 ns per value): a float plus 0.5 is exact in double.
      for (int k = 0; k < r.cols; ++k) {
        const double x = double(std::clamp(e(i, k) / s, -127.f, 127.f));
        q[k] = int16_t(std::trunc(x + std::copysign(0.5, x)));
      }
    }
  }, 256);
  prepare_int8_kernels(r);
  return r;
}

void prepare_int8_kernels(QuantRows& r) { prepare_vnni(r); }

MatF dequantise(const QuantRows& r) {
  MatF e(r.rows, r.cols);
  for (int i = 0; i < r.rows; ++i)
    for (int k = 0; k < r.cols; ++k) e(i, k) = r.scale[i] * float(r.q[size_t(i) * size_t(r.stride) + size_t(k)]);
  return e;
}

VecF squared_norms(const QuantRows& r) {
  VecF n(r.rows);
  parallel_for(r.rows, [&](int i0, int i1) {
    for (int i = i0; i < i1; ++i) {
      const int16_t* q = &r.q[size_t(i) * size_t(r.stride)];
      int64_t s = 0;
      for (int k = 0; k < r.cols; ++k) s += int32_t(q[k]) * int32_t(q[k]);
      n[i] = float(double(r.scale[i]) * double(r.scale[i]) * double(s));
    }
  }, 256);
  return n;
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
#endif

// One pair of rows (n a multiple of 8).
int32_t dot_pair(const int16_t* a, const int16_t* b, int n) {
#ifdef __wasm_simd128__
  v128_t c = wasm_i32x4_splat(0);
  for (int k = 0; k < n; k += 8) c = wasm_i32x4_add(c, wasm_i32x4_dot_i16x8(wasm_v128_load(a + k), wasm_v128_load(b + k)));
  return hsum(c);
#else
  return dot_scalar(a, b, n);
#endif
}

// The cost from an integer dot; cost_rows_q and cost_pair_q use the same formula.
inline float cost_from_dot(float ni, float nj, float scale_i, float scale_j, int32_t dot) {
  return std::max(0.f, ni + nj + (-2.f * scale_i) * scale_j * float(dot));
}

#ifdef __wasm_simd128__
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
  // B in panels of 32 rows so a panel stays in cache while all of A's rows pass over it.
  const int panel = 32;
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

#ifdef SAEMATCH_VNNI
namespace {
// 8 rows of A (bytes, broadcast 4 at a time) against one 32-row panel of B: 16 accumulators
// of 16 int32 sums each stay in registers; no horizontal sums needed.
void vnni_8x32(const int8_t* a, size_t S, const uint8_t* panel, int32_t* out, int ldo, int rows, int cols) {
  __m512i c[8][2];
  for (auto& r : c) r[0] = r[1] = _mm512_setzero_si512();
  for (size_t k = 0; k < S; k += 4) {
    const __m512i b0 = _mm512_loadu_si512(panel + k * kPanel), b1 = _mm512_loadu_si512(panel + k * kPanel + 64);
#pragma GCC unroll 8
    for (int r = 0; r < 8; ++r) {
      int32_t four;
      std::memcpy(&four, a + size_t(r) * S + k, 4);
      const __m512i x = _mm512_set1_epi32(four);
      c[r][0] = _mm512_dpbusd_epi32(c[r][0], b0, x);
      c[r][1] = _mm512_dpbusd_epi32(c[r][1], b1, x);
    }
  }
  alignas(64) int32_t tmp[kPanel];
  for (int r = 0; r < rows; ++r) {
    _mm512_store_si512(tmp, c[r][0]);
    _mm512_store_si512(tmp + 16, c[r][1]);
    std::copy_n(tmp, cols, out + size_t(r) * size_t(ldo));
  }
}
}  // namespace
#endif

void dot_rows_q(const QuantRows& A, int r0, int r1, const QuantRows& B, int32_t* out) {
  if (A.stride != B.stride) fail("cannot compare features of different widths (d_model mismatch?)");
  const int na = r1 - r0, nb = B.rows;
#ifdef SAEMATCH_VNNI
  if (!A.q8.empty() && !B.panels.empty()) {
    const size_t S = size_t(A.stride);
    const int np = (nb + kPanel - 1) / kPanel;
    // A's last rows, zero-padded to a full tile of 8 so the kernel can always read 8.
    thread_local std::vector<int8_t> pad;
    const int tail = na % 8;
    if (tail) {
      pad.assign(8 * S, 0);
      std::copy_n(&A.q8[size_t(r0 + na - tail) * S], size_t(tail) * S, pad.data());
    }
    // Groups of panels small enough to stay in L2 while every tile of A's rows passes over
    // them: B is read from memory once per call, not once per 8 rows.
    const int group = std::max(1, int((512 * 1024) / (S * kPanel)));
    for (int p0 = 0; p0 < np; p0 += group) {
      const int p1 = std::min(np, p0 + group);
      for (int i0 = 0; i0 < na; i0 += 8) {
        const int rows = std::min(8, na - i0);
        const int8_t* a = rows < 8 ? pad.data() : &A.q8[size_t(r0 + i0) * S];
        for (int p = p0; p < p1; ++p)
          vnni_8x32(a, S, &B.panels[size_t(p) * S * kPanel], out + size_t(i0) * nb + size_t(p) * kPanel, nb, rows,
                    std::min(kPanel, nb - p * kPanel));
      }
    }
    // The panels hold B + 128: remove 128 * sum(a) from every dot.
    for (int r = 0; r < na; ++r) {
      const int32_t off = 128 * A.sum[size_t(r0 + r)];
      int32_t* o = out + size_t(r) * nb;
      for (int j = 0; j < nb; ++j) o[j] -= off;
    }
    return;
  }
#endif
  dot_block_i16(&A.q[size_t(r0) * size_t(A.stride)], na, B.q.data(), nb, A.stride, out);
}

void cost_rows_from_dots(int r0, int r1, const VecF& nA, const VecF& sA, const VecF& nB, const VecF& sB,
                         const std::function<void(int32_t*)>& dots_of, MatF& out) {
  const int na = r1 - r0, nb = int(nB.size());
  thread_local std::vector<int32_t> dots;
  dots.resize(size_t(na) * size_t(nb));
  dots_of(dots.data());
  out.resize(na, nb);
  for (int i = 0; i < na; ++i) {
    const float si = sA[r0 + i], ni = nA[r0 + i];
    const int32_t* d = &dots[size_t(i) * size_t(nb)];
    float* o = out.row(i).data();
    // Eight at a time, the same formula as cost_from_dot.
    int j = 0;
    const f32x8 ni8 = splat8(ni), s8 = splat8(-2.f * si), zero = splat8(0.f);
    for (; j + 8 <= nb; j += 8) {
      i32x8 di;
      std::memcpy(&di, d + j, sizeof di);
      const f32x8 df = __builtin_convertvector(di, f32x8);
      const f32x8 c = max8(zero, ni8 + load8(nB.data() + j) + s8 * load8(sB.data() + j) * df);
      std::memcpy(o + j, &c, sizeof c);
    }
    for (; j < nb; ++j) o[j] = cost_from_dot(ni, nB[j], si, sB[j], d[j]);
  }
}

void cost_rows_q(const QuantRows& A, const VecF& nA, const QuantRows& B, const VecF& nB, int r0, int r1, MatF& out) {
  cost_rows_from_dots(r0, r1, nA, A.scale, nB, B.scale, [&](int32_t* dots) { dot_rows_q(A, r0, r1, B, dots); }, out);
}
float cost_pair_q(const QuantRows& A, float ni, int i, const QuantRows& B, float nj, int j) {
  const int32_t d = dot_pair(&A.q[size_t(i) * size_t(A.stride)], &B.q[size_t(j) * size_t(B.stride)], A.stride);
  return cost_from_dot(ni, nj, A.scale[i], B.scale[j], d);
}
}  // namespace saematch
