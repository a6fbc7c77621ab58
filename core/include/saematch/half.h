#pragma once
// IEEE half and bfloat16 <-> float32, bit-exact, no hardware support needed (WASM has none).
#include <cstdint>

namespace saematch {
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);  // round-to-nearest-even, overflow -> inf
inline float bf16_to_float(uint16_t b) {
  uint32_t u = uint32_t(b) << 16; float f; __builtin_memcpy(&f, &u, 4); return f;
}
uint16_t float_to_bf16(float f);
}  // namespace saematch
