#pragma once
// Array file formats: NumPy .npy (v1/v2/v3, f4/f2/f8/bfloat16, C or Fortran order)
// and safetensors (F32/F16/BF16/F64). Everything comes out as float32 in C order.
#include "saematch/json.h"
#include "saematch/limits.h"
#include "saematch/tensor.h"
#include <map>
#include <string>

namespace saematch {
enum class DType { F32, F16, BF16, F64 };
size_t dtype_size(DType t);
// Converts n elements of little-endian (or big-endian when `big`) data to float32.
void decode_elements(DType t, bool big_endian, const uint8_t* src, size_t n, float* dst);
// Checked element count: throws on negative dims or overflow past `max_elems`.
uint64_t checked_numel(const std::vector<int64_t>& shape, const std::string& what);

// The float32 array is allocated only after its size is checked against `lim` and against the
// bytes actually present.
Tensor parse_npy(const uint8_t* p, size_t n, const std::string& what, const LoadLimits& lim = LoadLimits());
std::vector<uint8_t> write_npy(const Tensor& t);  // float32, C order, v1 header

struct SafetensorsInfo { DType dtype; std::vector<int64_t> shape; uint64_t begin = 0, end = 0; };
struct SafetensorsHeader {
  uint64_t data_start = 0;  // absolute offset of the data section (8 + header length)
  std::map<std::string, SafetensorsInfo> tensors;
  Json metadata;
};
// First 8 bytes give the header length; `header` holds bytes [8, 8+len).
uint64_t safetensors_header_length(const uint8_t* first8, uint64_t file_size);
// Every tensor's data_offsets must be integers with begin <= end, lie inside the file, match its
// shape and dtype, and not overlap another tensor; each tensor must fit `lim`.
SafetensorsHeader parse_safetensors_header(const std::string& header_json, uint64_t file_size, const LoadLimits& lim = LoadLimits());
Tensor safetensors_tensor(const SafetensorsInfo& info, const uint8_t* data, size_t n, const std::string& what);
std::vector<uint8_t> write_safetensors(const std::vector<std::pair<std::string, Tensor>>& ts, DType dtype, const Json& metadata);
}  // namespace saematch
