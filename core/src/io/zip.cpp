#include "saematch/zip.h"
#include "saematch/error.h"
#include "saematch/inflate.h"
#include <algorithm>

namespace saematch {
namespace {
uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
uint64_t le64(const uint8_t* p) { return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32; }
void put16(std::vector<uint8_t>& o, uint16_t v) { o.push_back(v & 0xff); o.push_back(v >> 8); }
void put32(std::vector<uint8_t>& o, uint32_t v) { for (int k = 0; k < 4; ++k) o.push_back(uint8_t(v >> (8 * k))); }
void put64(std::vector<uint8_t>& o, uint64_t v) { for (int k = 0; k < 8; ++k) o.push_back(uint8_t(v >> (8 * k))); }
}  // namespace

CentralDirRange zip_find_central_directory(const std::vector<uint8_t>& tail, uint64_t file_size) {
  if (tail.size() > file_size) fail("ZIP tail is longer than the file it comes from (wrong file size)");
  if (tail.size() < 22 || file_size < 22) fail("not a ZIP/.npz file (too short for an end-of-central-directory record)");
  const uint8_t* t = tail.data();
  size_t eocd = SIZE_MAX;
  for (size_t k = tail.size() - 22 + 1; k-- > 0;) {
    if (le32(t + k) == 0x06054b50 && k + 22 + le16(t + k + 20) <= tail.size()) { eocd = k; break; }
  }
  if (eocd == SIZE_MAX) fail("not a ZIP/.npz file (no end-of-central-directory record; truncated download?)");
  CentralDirRange r;
  r.count = le16(t + eocd + 10);
  r.size = le32(t + eocd + 12);
  r.offset = le32(t + eocd + 16);
  bool zip64 = r.count == 0xffff || r.size == 0xffffffffu || r.offset == 0xffffffffu;
  if (eocd >= 20 && le32(t + eocd - 20) == 0x07064b50) {
    uint64_t rec_abs = le64(t + eocd - 20 + 8);
    uint64_t tail_start = file_size - tail.size();
    if (rec_abs < tail_start || file_size < 56 || rec_abs > file_size - 56) fail("ZIP64 record lies outside the bytes read (file truncated?)");
    const uint8_t* z = t + (rec_abs - tail_start);
    if (le32(z) != 0x06064b50) fail("corrupt ZIP64 end-of-central-directory record");
    r.count = le64(z + 32); r.size = le64(z + 40); r.offset = le64(z + 48);
  } else if (zip64) {
    fail("ZIP needs ZIP64 records but has none (corrupt file)");
  }
  if (r.offset > file_size || r.size > file_size - r.offset) fail("ZIP central directory points past the end of the file (truncated?)");
  return r;
}

std::vector<ZipEntry> zip_parse_central_directory(const uint8_t* p, size_t n, uint64_t expected_count, uint64_t file_size) {
  std::vector<ZipEntry> out;
  size_t k = 0;
  while (k + 46 <= n && le32(p + k) == 0x02014b50) {
    const uint8_t* h = p + k;
    ZipEntry e;
    uint16_t flags = le16(h + 8);
    if (flags & 1) fail("encrypted ZIP entries are not supported");
    e.method = le16(h + 10);
    e.crc = le32(h + 16);
    e.comp_size = le32(h + 20);
    e.size = le32(h + 24);
    size_t nl = le16(h + 28), xl = le16(h + 30), cl = le16(h + 32);
    e.local_offset = le32(h + 42);
    if (k + 46 + nl + xl + cl > n) fail("ZIP central directory is truncated");
    e.name.assign(reinterpret_cast<const char*>(h + 46), nl);
    // ZIP64 extra field: only the fields whose 32-bit slot is saturated are present, in this order.
    const uint8_t* x = h + 46 + nl; size_t xi = 0;
    while (xi + 4 <= xl) {
      uint16_t id = le16(x + xi), sz = le16(x + xi + 2);
      if (xi + 4 + sz > xl) break;
      if (id == 0x0001) {
        const uint8_t* f = x + xi + 4; size_t fi = 0;
        auto take = [&](uint64_t& v) { if (fi + 8 > sz) fail("corrupt ZIP64 extra field"); v = le64(f + fi); fi += 8; };
        if (e.size == 0xffffffffu) take(e.size);
        if (e.comp_size == 0xffffffffu) take(e.comp_size);
        if (e.local_offset == 0xffffffffu) take(e.local_offset);
      }
      xi += 4 + sz;
    }
    if (e.local_offset > file_size || e.comp_size > file_size - e.local_offset)
      fail("ZIP entry '" + e.name + "' points past the end of the file (truncated?)");
    if (e.method == 0 && e.size != e.comp_size) fail("ZIP entry '" + e.name + "': stored sizes disagree");
    out.push_back(std::move(e));
    k += 46 + nl + xl + cl;
  }
  if (out.size() != expected_count) fail("ZIP central directory lists " + std::to_string(out.size()) + " entries, expected " + std::to_string(expected_count) + " (corrupt file)");
  return out;
}

uint64_t zip_local_data_offset(const uint8_t* h, const ZipEntry& e) {
  if (le32(h) != 0x04034b50) fail("corrupt ZIP: bad local header for '" + e.name + "'");
  return 30 + uint64_t(le16(h + 26)) + le16(h + 28);
}

void zip_check_entry(const ZipEntry& e, const LoadLimits& lim) {
  const std::string what = "ZIP entry '" + e.name + "'";
  check_size_claim(e.comp_size, lim, what);
  if (e.method == 8) check_inflate_claim(e.comp_size, e.size, lim, what);
  else check_size_claim(e.size, lim, what);
}

std::vector<uint8_t> zip_decode_entry(const ZipEntry& e, const uint8_t* data, size_t n, const LoadLimits& lim) {
  zip_check_entry(e, lim);
  if (n < e.comp_size) fail("ZIP entry '" + e.name + "' is truncated");
  std::vector<uint8_t> out;
  if (e.method == 0) {
    if (e.comp_size != e.size) fail("ZIP entry '" + e.name + "': stored sizes disagree");
    out.assign(data, data + e.size);
  } else if (e.method == 8) {
    try { out = inflate_raw(data, size_t(e.comp_size), size_t(e.size)); }
    catch (const Error& err) { fail("ZIP entry '" + e.name + "': " + err.what()); }
  } else {
    fail("ZIP entry '" + e.name + "' uses compression method " + std::to_string(e.method) + " (only stored and deflate are supported)");
  }
  if (crc32(out.data(), out.size()) != e.crc) fail("ZIP entry '" + e.name + "' fails its CRC check (corrupt file)");
  return out;
}

std::vector<ZipEntry> zip_list(const ByteSource& src) {
  uint64_t n = src.size();
  size_t tail_len = size_t(std::min<uint64_t>(n, 65536 + 22 + 20 + 56));
  auto tail = src.read(n - tail_len, tail_len);
  auto cd = zip_find_central_directory(tail, n);
  // An .npz directory lists a handful of entries; 64 MiB is far beyond any real one.
  if (cd.size > (uint64_t(64) << 20)) fail("ZIP central directory claims " + describe_bytes(cd.size) + ", implausibly large");
  auto bytes = src.read(cd.offset, size_t(cd.size));
  return zip_parse_central_directory(bytes.data(), bytes.size(), cd.count, n);
}

std::vector<uint8_t> zip_read(const ByteSource& src, const ZipEntry& e, const LoadLimits& lim) {
  zip_check_entry(e, lim);
  auto h = src.read(e.local_offset, 30);
  uint64_t off = e.local_offset + zip_local_data_offset(h.data(), e);
  if (off > src.size() || e.comp_size > src.size() - off) fail("ZIP entry '" + e.name + "' is truncated");
  auto data = src.read(off, size_t(e.comp_size));
  return zip_decode_entry(e, data.data(), data.size(), lim);
}

std::vector<uint8_t> zip_write_stored(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& files, bool z64) {
  std::vector<uint8_t> o, cd;
  for (auto& f : files) {
    uint64_t off = o.size(), sz = f.second.size();
    uint32_t crc = crc32(f.second.data(), f.second.size());
    bool big = z64 || sz >= 0xffffffffu || off >= 0xffffffffu;
    put32(o, 0x04034b50); put16(o, big ? 45 : 20); put16(o, 0); put16(o, 0); put32(o, 0); put32(o, crc);
    put32(o, big ? 0xffffffffu : uint32_t(sz)); put32(o, big ? 0xffffffffu : uint32_t(sz));
    put16(o, uint16_t(f.first.size())); put16(o, big ? 20 : 0);
    o.insert(o.end(), f.first.begin(), f.first.end());
    if (big) { put16(o, 1); put16(o, 16); put64(o, sz); put64(o, sz); }
    o.insert(o.end(), f.second.begin(), f.second.end());
    put32(cd, 0x02014b50); put16(cd, 45); put16(cd, big ? 45 : 20); put16(cd, 0); put16(cd, 0); put32(cd, 0); put32(cd, crc);
    put32(cd, big ? 0xffffffffu : uint32_t(sz)); put32(cd, big ? 0xffffffffu : uint32_t(sz));
    put16(cd, uint16_t(f.first.size())); put16(cd, big ? 28 : 0); put16(cd, 0); put16(cd, 0); put16(cd, 0); put32(cd, 0);
    put32(cd, big ? 0xffffffffu : uint32_t(off));
    cd.insert(cd.end(), f.first.begin(), f.first.end());
    if (big) { put16(cd, 1); put16(cd, 24); put64(cd, sz); put64(cd, sz); put64(cd, off); }
  }
  uint64_t cd_off = o.size(), cd_size = cd.size(), count = files.size();
  o.insert(o.end(), cd.begin(), cd.end());
  if (z64) {
    uint64_t rec = o.size();
    put32(o, 0x06064b50); put64(o, 44); put16(o, 45); put16(o, 45); put32(o, 0); put32(o, 0);
    put64(o, count); put64(o, count); put64(o, cd_size); put64(o, cd_off);
    put32(o, 0x07064b50); put32(o, 0); put64(o, rec); put32(o, 1);
  }
  put32(o, 0x06054b50); put16(o, 0); put16(o, 0);
  put16(o, z64 ? 0xffff : uint16_t(count)); put16(o, z64 ? 0xffff : uint16_t(count));
  put32(o, z64 ? 0xffffffffu : uint32_t(cd_size)); put32(o, z64 ? 0xffffffffu : uint32_t(cd_off)); put16(o, 0);
  return o;
}
}  // namespace saematch
