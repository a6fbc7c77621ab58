#include "saematch/half.h"
#include <cstring>

namespace saematch {
float half_to_float(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, u;
  if (exp == 0) {
    if (man == 0) u = sign;
    else {  // subnormal: renormalise
      int e = -1;
      do { man <<= 1; ++e; } while (!(man & 0x400));
      u = sign | uint32_t(127 - 15 - e) << 23 | (man & 0x3ff) << 13;
    }
  } else if (exp == 31) u = sign | 0x7f800000u | man << 13;
  else u = sign | (exp + 112) << 23 | man << 13;
  float f; std::memcpy(&f, &u, 4); return f;
}

uint16_t float_to_half(float f) {
  uint32_t u; std::memcpy(&u, &f, 4);
  uint16_t sign = (u >> 16) & 0x8000;
  uint32_t abs = u & 0x7fffffff;
  if (abs >= 0x7f800000) return sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0);
  if (abs >= 0x477ff000) return sign | 0x7c00;  // rounds to >= 65520 -> inf
  if (abs < 0x38800000) {                        // subnormal half or zero
    if (abs < 0x33000000) return sign;
    uint32_t man = (abs & 0x7fffff) | 0x800000;
    int shift = 126 - int(abs >> 23);            // 14..24
    uint32_t half = man >> shift, rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1))) ++half;
    return sign | half;
  }
  uint32_t h = ((abs >> 23) - 112) << 10 | (abs & 0x7fffff) >> 13;
  uint32_t rem = abs & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
  return sign | h;
}

uint16_t float_to_bf16(float f) {
  uint32_t u; std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffff) > 0x7f800000) return (u >> 16) | 0x40;  // keep NaN a NaN
  u += 0x7fff + ((u >> 16) & 1);
  return u >> 16;
}
}  // namespace saematch
