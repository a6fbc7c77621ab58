#include "saematch/gzip.h"
#include "saematch/error.h"
#include "saematch/inflate.h"
#include <algorithm>

namespace saematch {
namespace {
uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

// Offset of the DEFLATE data of the member starting at p[0], after its optional fields.
size_t member_data_start(const uint8_t* p, size_t n, const std::string& what) {
  if (n < 2 || p[0] != 0x1f || p[1] != 0x8b) fail(what + ": not a gzip file (bad magic)");
  if (n < 18) fail(what + ": truncated gzip file");
  if (p[2] != 8) fail(what + ": gzip compression method " + std::to_string(p[2]) + " is not deflate");
  const uint8_t flags = p[3];
  if (flags & 0xe0) fail(what + ": gzip header has reserved flags set (corrupt file)");
  size_t k = 10;
  if (flags & 4) {  // FEXTRA: length-prefixed
    if (n - k < 2) fail(what + ": truncated gzip header");
    k += 2 + size_t(p[k] | p[k + 1] << 8);
  }
  for (uint8_t bit : {uint8_t(8), uint8_t(16)}) {  // FNAME, FCOMMENT: zero-terminated
    if (!(flags & bit)) continue;
    while (k < n && p[k] != 0) ++k;
    ++k;
  }
  if (flags & 2) k += 2;  // FHCRC
  if (k > n || n - k < 8) fail(what + ": truncated gzip header");
  return k;
}
}  // namespace

std::vector<uint8_t> gunzip(const uint8_t* p, size_t n, const LoadLimits& lim, const std::string& what) {
  std::vector<uint8_t> out;
  size_t pos = 0;
  while (pos < n) {
    const size_t start = pos + member_data_start(p + pos, n - pos, what);
    // Allowed output of this member: what is left of the byte cap and, above the exempt size,
    // max_inflate_ratio times the compressed bytes that remain.
    const uint64_t by_ratio = std::max<uint64_t>(lim.ratio_exempt_bytes, uint64_t(n - start) * lim.max_inflate_ratio);
    const uint64_t room = std::min<uint64_t>(lim.max_array_bytes - std::min<uint64_t>(out.size(), lim.max_array_bytes), by_ratio);
    std::vector<uint8_t> part;
    size_t used = 0;
    try { part = inflate_raw_bounded(p + start, n - start, size_t(std::min<uint64_t>(room, SIZE_MAX)), &used); }
    catch (const Error& e) {
      if (std::string(e.what()).find("size limit") == std::string::npos) fail(what + ": " + e.what());
      fail(what + ": decompresses to more than " + describe_bytes(room) + " (limit " + describe_bytes(lim.max_array_bytes) + ", at most " +
           std::to_string(lim.max_inflate_ratio) + " times the compressed size; a decompression bomb?)");
    }
    const size_t trailer = start + used;
    if (n - trailer < 8) fail(what + ": truncated gzip file (no trailer)");
    if (le32(p + trailer) != crc32(part.data(), part.size())) fail(what + ": gzip CRC check fails (corrupt file)");
    if (le32(p + trailer + 4) != uint32_t(part.size())) fail(what + ": gzip length check fails (corrupt file)");
    out.insert(out.end(), part.begin(), part.end());
    pos = trailer + 8;
    while (pos < n && p[pos] == 0) ++pos;  // zero padding after the last member is allowed (tar-style)
  }
  if (out.empty() && n == 0) fail(what + ": empty file, not gzip");
  return out;
}
}  // namespace saematch
