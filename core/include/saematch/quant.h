#pragma once
// Weight compression for the browser packs: int8 with one float scale per row, or fp16.
#include "saematch/tensor.h"

namespace saematch {
struct QuantInt8 {
  int rows = 0, cols = 0;
  std::vector<int8_t> q;     // rows*cols
  std::vector<float> scale;  // per row: value = q * scale
};
QuantInt8 quantize_int8_rows(const MatF& m);
MatF dequantize(const QuantInt8& q);
std::vector<uint16_t> to_fp16(const MatF& m);
MatF from_fp16(const uint16_t* h, int rows, int cols);
// ||a-b||_F / ||a||_F
double relative_error(const MatF& a, const MatF& b);
}  // namespace saematch
