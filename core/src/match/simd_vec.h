#pragma once
// Eight floats as one value (GCC/clang vector extensions): element-wise arithmetic that
// compiles to AVX natively and to pairs of f32x4 in WASM. Comparisons, min and max go
// through f32x4 intrinsics in WASM (see below). Used by the matcher's per-row scans, which
// dominate once the cost kernel is fast.
#include <cstring>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace saematch {
typedef float f32x8 __attribute__((vector_size(32)));
typedef int i32x8 __attribute__((vector_size(32)));

inline f32x8 load8(const float* p) { f32x8 v; std::memcpy(&v, p, sizeof v); return v; }
inline f32x8 splat8(float x) { return f32x8{x, x, x, x, x, x, x, x}; }

#ifdef __wasm_simd128__
// LLVM 14 legalises 8-lane comparisons and selects for WASM by narrowing the lane masks and
// rebuilding them lane by lane (~40 instructions per group); explicit f32x4 halves avoid that.
inline void halves(f32x8 v, v128_t& lo, v128_t& hi) {
  std::memcpy(&lo, &v, 16);
  std::memcpy(&hi, reinterpret_cast<const char*>(&v) + 16, 16);
}
inline f32x8 join(v128_t lo, v128_t hi) {
  f32x8 v;
  std::memcpy(&v, &lo, 16);
  std::memcpy(reinterpret_cast<char*>(&v) + 16, &hi, 16);
  return v;
}
// pmin(x, y) = y < x ? y : x, so pmin(b, a) is a < b ? a : b (no NaNs reach these scans).
inline f32x8 min8(f32x8 a, f32x8 b) {
  v128_t a0, a1, b0, b1;
  halves(a, a0, a1); halves(b, b0, b1);
  return join(wasm_f32x4_pmin(b0, a0), wasm_f32x4_pmin(b1, a1));
}
inline f32x8 max8(f32x8 a, f32x8 b) {
  v128_t a0, a1, b0, b1;
  halves(a, a0, a1); halves(b, b0, b1);
  return join(wasm_f32x4_pmax(b0, a0), wasm_f32x4_pmax(b1, a1));
}
// Bit t set where a[t] < b[t]: callers visit only the set lanes, without a branch per lane.
inline unsigned lt_bits(f32x8 a, f32x8 b) {
  v128_t a0, a1, b0, b1;
  halves(a, a0, a1); halves(b, b0, b1);
  return unsigned(wasm_i32x4_bitmask(wasm_f32x4_lt(a0, b0))) | unsigned(wasm_i32x4_bitmask(wasm_f32x4_lt(a1, b1))) << 4;
}
#else
inline f32x8 min8(f32x8 a, f32x8 b) { return a < b ? a : b; }
inline f32x8 max8(f32x8 a, f32x8 b) { return a > b ? a : b; }
inline unsigned lt_bits(f32x8 a, f32x8 b) {
  const i32x8 m = a < b;  // lanes 0 or -1
#if defined(__AVX__)
  f32x8 f;  // movmskps reads the sign bits, which the -1 lanes set
  std::memcpy(&f, &m, sizeof f);
  return unsigned(__builtin_ia32_movmskps256(f));
#else
  unsigned bits = 0;
  for (int t = 0; t < 8; ++t) bits |= unsigned(m[t] != 0) << t;
  return bits;
#endif
}
#endif
inline float hmin8(f32x8 v) { float m = v[0]; for (int k = 1; k < 8; ++k) m = v[k] < m ? v[k] : m; return m; }
inline float hmax8(f32x8 v) { float m = v[0]; for (int k = 1; k < 8; ++k) m = v[k] > m ? v[k] : m; return m; }
// Dot product of two float rows with eight-lane partial sums (two of them, so the adds do
// not wait on each other): WASM has no vectorised Eigen dot, and its scalar loop costs about
// 1 us per 2304-long row; eight partial sums also round less than one running sum.
inline float dot8(const float* a, const float* b, int n) {
  f32x8 s0 = splat8(0.f), s1 = splat8(0.f);
  int k = 0;
  for (; k + 16 <= n; k += 16) {
    s0 += load8(a + k) * load8(b + k);
    s1 += load8(a + k + 8) * load8(b + k + 8);
  }
  for (; k + 8 <= n; k += 8) s0 += load8(a + k) * load8(b + k);
  const f32x8 s = s0 + s1;
  float t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; k < n; ++k) t += a[k] * b[k];
  return t;
}
}  // namespace saematch
