#include "saematch/inflate.h"
#include "saematch/error.h"
#include <array>
#include <cstring>
#include <algorithm>
#include <string>
#ifdef SAEMATCH_HAVE_ZLIB
#include <zlib.h>
#endif

namespace saematch {
namespace {
// Canonical Huffman decoding by code-length counts (the approach of zlib's puff.c):
// small and obviously correct; speed is secondary because Gemma Scope npz entries are stored.
struct Huffman {
  std::array<uint16_t, 16> count{};
  std::array<uint16_t, 320> symbol{};
  // constexpr so that the fixed tables below are built by the compiler: nothing is filled
  // lazily at run time, so threads decoding at once share no mutable state.
  constexpr void build(const uint8_t* lengths, int n) {
    for (auto& c : count) c = 0;
    for (int s = 0; s < n; ++s) count[lengths[s]]++;
    count[0] = 0;
    int left = 1;
    for (int len = 1; len < 16; ++len) {
      left <<= 1; left -= count[len];
      if (left < 0) fail("corrupt deflate stream: over-subscribed Huffman code");
    }
    std::array<uint16_t, 16> offs{};
    for (int len = 1; len < 15; ++len) offs[len + 1] = uint16_t(offs[len] + count[len]);
    for (int s = 0; s < n; ++s) if (lengths[s]) symbol[offs[lengths[s]]++] = uint16_t(s);
  }
};

// The fixed literal/length and distance codes of RFC 1951 section 3.2.6.
constexpr Huffman fixed_table(bool distance) {
  uint8_t l[288] = {};
  if (distance) for (int s = 0; s < 30; ++s) l[s] = 5;
  else for (int s = 0; s < 288; ++s) l[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
  Huffman h;
  h.build(l, distance ? 30 : 288);
  return h;
}
constexpr Huffman kFixedLit = fixed_table(false);
constexpr Huffman kFixedDist = fixed_table(true);
static_assert(kFixedLit.count[7] == 24 && kFixedLit.count[8] == 152 && kFixedLit.count[9] == 112, "fixed literal code lengths");
static_assert(kFixedDist.count[5] == 30, "fixed distance code lengths");

struct Inflater {
  const uint8_t* src; size_t n, pos = 0;
  uint32_t bitbuf = 0; int bitcnt = 0;
  std::vector<uint8_t>& out; size_t limit;
  const char* too_long = "more output than the declared size";  // said when output would pass `limit`

  [[noreturn]] void corrupt(const char* why) { fail(std::string("corrupt or truncated deflate data: ") + why); }
  uint32_t bits(int need) {
    uint32_t v = bitbuf;
    while (bitcnt < need) {
      if (pos >= n) corrupt("input ends early");
      v |= uint32_t(src[pos++]) << bitcnt; bitcnt += 8;
    }
    bitbuf = v >> need; bitcnt -= need;
    return v & ((1u << need) - 1);
  }
  int decode(const Huffman& h) {
    int code = 0, first = 0, index = 0;
    for (int len = 1; len < 16; ++len) {
      code |= int(bits(1));
      int c = h.count[len];
      if (code - c < first) return h.symbol[index + (code - first)];
      index += c; first += c; first <<= 1; code <<= 1;
    }
    corrupt("bad Huffman code");
  }
  void put(uint8_t b) { if (out.size() >= limit) corrupt(too_long); out.push_back(b); }
  void stored() {
    bitbuf = 0; bitcnt = 0;
    if (pos + 4 > n) corrupt("input ends early");
    unsigned len = src[pos] | src[pos + 1] << 8, nlen = src[pos + 2] | src[pos + 3] << 8;
    pos += 4;
    if (len != (~nlen & 0xffff)) corrupt("stored block length check");
    if (pos + len > n) corrupt("input ends early");
    if (out.size() + len > limit) corrupt(too_long);
    out.insert(out.end(), src + pos, src + pos + len); pos += len;
  }
  void codes(const Huffman& lc, const Huffman& dc) {
    static const uint16_t lbase[29] = {3,4,5,6,7,8,9,10,11,13,15,17,19,23,27,31,35,43,51,59,67,83,99,115,131,163,195,227,258};
    static const uint8_t lext[29] = {0,0,0,0,0,0,0,0,1,1,1,1,2,2,2,2,3,3,3,3,4,4,4,4,5,5,5,5,0};
    static const uint16_t dbase[30] = {1,2,3,4,5,7,9,13,17,25,33,49,65,97,129,193,257,385,513,769,1025,1537,2049,3073,4097,6145,8193,12289,16385,24577};
    static const uint8_t dext[30] = {0,0,0,0,1,1,2,2,3,3,4,4,5,5,6,6,7,7,8,8,9,9,10,10,11,11,12,12,13,13};
    while (true) {
      int sym = decode(lc);
      if (sym < 256) { put(uint8_t(sym)); continue; }
      if (sym == 256) return;
      sym -= 257;
      if (sym >= 29) corrupt("bad length symbol");
      size_t len = lbase[sym] + bits(lext[sym]);
      int ds = decode(dc);
      if (ds >= 30) corrupt("bad distance symbol");
      size_t dist = dbase[ds] + bits(dext[ds]);
      if (dist > out.size()) corrupt("distance too far back");
      if (out.size() + len > limit) corrupt(too_long);
      size_t from = out.size() - dist;
      for (size_t k = 0; k < len; ++k) out.push_back(out[from + k]);
    }
  }
  void fixed() { codes(kFixedLit, kFixedDist); }
  void dynamic() {
    int nlen = int(bits(5)) + 257, ndist = int(bits(5)) + 1, ncode = int(bits(4)) + 4;
    if (nlen > 286 || ndist > 30) corrupt("bad code counts");
    static const uint8_t order[19] = {16,17,18,0,8,7,9,6,10,5,11,4,12,3,13,2,14,1,15};
    uint8_t lengths[320] = {0};
    for (int k = 0; k < ncode; ++k) lengths[order[k]] = uint8_t(bits(3));
    Huffman lencode; lencode.build(lengths, 19);
    int idx = 0;
    std::memset(lengths, 0, sizeof lengths);
    while (idx < nlen + ndist) {
      int sym = decode(lencode);
      if (sym < 16) { lengths[idx++] = uint8_t(sym); continue; }
      uint8_t len = 0; int rep;
      if (sym == 16) { if (idx == 0) corrupt("repeat with no previous length"); len = lengths[idx - 1]; rep = 3 + int(bits(2)); }
      else if (sym == 17) rep = 3 + int(bits(3));
      else rep = 11 + int(bits(7));
      if (idx + rep > nlen + ndist) corrupt("too many lengths");
      while (rep--) lengths[idx++] = len;
    }
    if (lengths[256] == 0) corrupt("no end-of-block code");
    Huffman lc, dc;
    lc.build(lengths, nlen);
    dc.build(lengths + nlen, ndist);
    codes(lc, dc);
  }
};
}  // namespace

namespace {
// Decodes blocks until the last one; output never grows past z.limit.
void run(Inflater& z, size_t* consumed) {
  int last;
  do {
    last = int(z.bits(1));
    int type = int(z.bits(2));
    if (type == 0) z.stored(); else if (type == 1) z.fixed(); else if (type == 2) z.dynamic();
    else z.corrupt("invalid block type");
  } while (!last);
  if (consumed) *consumed = z.pos;
}
}  // namespace

std::vector<uint8_t> inflate_raw_builtin(const uint8_t* src, size_t n, size_t expected, size_t* consumed) {
  std::vector<uint8_t> out;
  out.reserve(expected);
  Inflater z{src, n, 0, 0, 0, out, expected};
  run(z, consumed);
  if (out.size() != expected)
    fail("deflate data gives " + std::to_string(out.size()) + " bytes, its header declares " + std::to_string(expected));
  return out;
}

std::vector<uint8_t> inflate_raw_bounded(const uint8_t* src, size_t n, size_t max_out, size_t* consumed) {
  std::vector<uint8_t> out;  // grows with what the data really gives, not with any claim
  Inflater z{src, n, 0, 0, 0, out, max_out};
  z.too_long = "output passes the size limit";
  run(z, consumed);
  return out;
}

namespace {
// CRC-32 (IEEE, reflected) table, also built by the compiler (see Huffman::build).
constexpr std::array<uint32_t, 256> crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kCrcTable = crc_table();
static_assert(kCrcTable[1] == 0x77073096u && kCrcTable[255] == 0x2d02ef8du, "CRC-32 table");
}  // namespace

uint32_t crc32_builtin(const uint8_t* p, size_t n, uint32_t crc) {
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = kCrcTable[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

#ifdef SAEMATCH_HAVE_ZLIB
bool inflate_uses_zlib() { return true; }
std::vector<uint8_t> inflate_raw(const uint8_t* src, size_t n, size_t expected, size_t* consumed) {
  std::vector<uint8_t> out(expected);
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) fail("zlib init failed");
  size_t in_left = n, out_done = 0;
  int rc = Z_OK;
  zs.next_in = const_cast<Bytef*>(src);
  // zlib counts in uInt; feed in pieces so entries > 4 GiB work.
  while (rc == Z_OK) {
    uInt in_now = uInt(std::min<size_t>(in_left, 1u << 30));
    uInt out_now = uInt(std::min<size_t>(expected - out_done, 1u << 30));
    zs.avail_in = in_now; zs.next_out = out.data() + out_done; zs.avail_out = out_now;
    rc = inflate(&zs, Z_NO_FLUSH);
    in_left -= in_now - zs.avail_in; out_done += out_now - zs.avail_out;
    if (rc == Z_OK && zs.avail_in == in_now && zs.avail_out == out_now) break;  // no progress
    if (rc == Z_BUF_ERROR && out_done == expected) break;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    if (out_done == expected && rc == Z_BUF_ERROR) fail("deflate data gives more bytes than its header declares");
    fail(std::string("corrupt or truncated deflate data") + (zs.msg ? std::string(": ") + zs.msg : ""));
  }
  if (out_done != expected)
    fail("deflate data gives " + std::to_string(out_done) + " bytes, its header declares " + std::to_string(expected));
  if (consumed) *consumed = n - in_left;
  return out;
}
uint32_t crc32(const uint8_t* p, size_t n, uint32_t crc) {
  while (n) { uInt k = uInt(std::min<size_t>(n, 1u << 30)); crc = uint32_t(::crc32(crc, p, k)); p += k; n -= k; }
  return crc;
}
#else
bool inflate_uses_zlib() { return false; }
std::vector<uint8_t> inflate_raw(const uint8_t* src, size_t n, size_t expected, size_t* consumed) {
  return inflate_raw_builtin(src, n, expected, consumed);
}
uint32_t crc32(const uint8_t* p, size_t n, uint32_t crc) { return crc32_builtin(p, n, crc); }
#endif
}  // namespace saematch
