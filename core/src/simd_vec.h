#pragma once
// Eight floats as one value (GCC/clang vector extensions): element-wise arithmetic and
// comparisons that compile to AVX natively and to pairs of f32x4 in WASM, without
// intrinsics. Used by the matcher's per-row scans, which dominate once the cost kernel is fast.
#include <cstring>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace saematch {
typedef float f32x8 __attribute__((vector_size(32)));
typedef int i32x8 __attribute__((vector_size(32)));

inline f32x8 load8(const float* p) { f32x8 v; std::memcpy(&v, p, sizeof v); return v; }
inline f32x8 splat8(float x) { return f32x8{x, x, x, x, x, x, x, x}; }
inline f32x8 min8(f32x8 a, f32x8 b) { return a < b ? a : b; }
inline f32x8 max8(f32x8 a, f32x8 b) { return a > b ? a : b; }
inline float hmin8(f32x8 v) { float m = v[0]; for (int k = 1; k < 8; ++k) m = v[k] < m ? v[k] : m; return m; }
inline float hmax8(f32x8 v) { float m = v[0]; for (int k = 1; k < 8; ++k) m = v[k] > m ? v[k] : m; return m; }
inline bool any8(i32x8 mask) {
#ifdef __wasm_simd128__
  v128_t lo, hi;  // the two halves stay in registers; one any_true instead of a trip via memory
  std::memcpy(&lo, &mask, 16);
  std::memcpy(&hi, reinterpret_cast<const char*>(&mask) + 16, 16);
  return wasm_v128_any_true(wasm_v128_or(lo, hi));
#else
  long long w[4];
  std::memcpy(w, &mask, sizeof w);
  return (w[0] | w[1] | w[2] | w[3]) != 0;
#endif
}
}  // namespace saematch
