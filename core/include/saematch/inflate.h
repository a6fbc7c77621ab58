#pragma once
// Raw DEFLATE (RFC 1951) decompression and CRC-32, as ZIP entries need.
// Native builds use zlib; the WASM build (no zlib port offline) uses the built-in
// decoder below. Tests run both on the same data so they cannot drift apart.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace saematch {
// Decompresses exactly `expected_size` bytes or throws Error (corrupt / truncated / size mismatch).
std::vector<uint8_t> inflate_raw(const uint8_t* src, size_t n, size_t expected_size);
std::vector<uint8_t> inflate_raw_builtin(const uint8_t* src, size_t n, size_t expected_size);
uint32_t crc32(const uint8_t* p, size_t n, uint32_t crc = 0);
bool inflate_uses_zlib();
}  // namespace saematch
