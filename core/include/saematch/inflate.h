#pragma once
// Raw DEFLATE (RFC 1951) decompression and CRC-32, as ZIP entries need.
// Native builds use zlib; the WASM build (no zlib port offline) uses the built-in
// decoder below. Tests run both on the same data so they cannot drift apart.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace saematch {
// Decompresses exactly `expected_size` bytes or throws Error (corrupt / truncated / size mismatch).
// Decoding stops as soon as the output would pass expected_size, so a stream that lies about
// its size never grows past what was announced. Callers check expected_size against
// LoadLimits (check_inflate_claim) first. `consumed`, when given, receives how many input
// bytes the DEFLATE stream took (what follows it, e.g. a gzip trailer, starts there).
std::vector<uint8_t> inflate_raw(const uint8_t* src, size_t n, size_t expected_size, size_t* consumed = nullptr);
std::vector<uint8_t> inflate_raw_builtin(const uint8_t* src, size_t n, size_t expected_size, size_t* consumed = nullptr);
// A stream whose size is not known in advance (a gzip member): the built-in decoder, output
// growing only as data is really produced, refused once it would pass max_out bytes.
std::vector<uint8_t> inflate_raw_bounded(const uint8_t* src, size_t n, size_t max_out, size_t* consumed);
uint32_t crc32(const uint8_t* p, size_t n, uint32_t crc = 0);
uint32_t crc32_builtin(const uint8_t* p, size_t n, uint32_t crc = 0);  // the table-driven one WASM uses
bool inflate_uses_zlib();
}  // namespace saematch
