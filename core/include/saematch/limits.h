#pragma once
// How much a loader may believe: every size a file claims (ZIP directory, .npy header,
// safetensors offsets, gzip trailer, pack manifest) is checked against these caps and the real
// length of the bytes BEFORE anything is allocated, so a 356-byte file cannot make us reserve
// 4 GB and a deflate bomb is refused before it expands.
#include <cstdint>
#include <string>

namespace saematch {
struct LoadLimits {
  // Largest single array / ZIP entry / decompressed file kept in memory. 2 GiB holds a Gemma
  // Scope 2B 65k layer (W_dec 65536 x 2304 float32 = 576 MiB) and a 9B 131k one (1.75 GiB).
  uint64_t max_array_bytes = uint64_t(2) << 30;
  // Decompressed : compressed. Real weights compress to about 1:1 and JSON text to about 1:10;
  // DEFLATE's ceiling is about 1032:1, which only hostile or all-zero data reaches.
  uint64_t max_inflate_ratio = 200;
  // Outputs up to this size skip the ratio check (a small all-zero bias array compresses ~1000:1).
  uint64_t ratio_exempt_bytes = uint64_t(1) << 20;
};

// Throws unless `bytes` (a size claimed for `what`) is within lim.max_array_bytes.
void check_size_claim(uint64_t bytes, const LoadLimits& lim, const std::string& what);
// Throws unless `declared` decompressed bytes from `compressed` bytes are plausible: within
// max_array_bytes and, above ratio_exempt_bytes, within max_inflate_ratio.
void check_inflate_claim(uint64_t compressed, uint64_t declared, const LoadLimits& lim, const std::string& what);
// A byte count for messages: "2147483648 bytes (2.0 GiB)".
std::string describe_bytes(uint64_t n);
}  // namespace saematch
