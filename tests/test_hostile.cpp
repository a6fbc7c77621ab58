// Hostile and unlucky input to the loaders (issue 11): sizes claimed by headers are checked
// against the real bytes and LoadLimits before anything is allocated, arithmetic cannot wrap,
// non-regular files are refused without blocking, and the inflate tables are safe to share.
#include "catch.hpp"
#include "deflate_writer.h"
#include "helpers.h"
#include "saematch/arrays.h"
#include "saematch/error.h"
#include "saematch/inflate.h"
#include "saematch/limits.h"
#include "saematch/loaders.h"
#include "saematch/permutation.h"
#include "saematch/zip.h"
#include <cstring>
#include <thread>
#ifndef __EMSCRIPTEN__
#include <sys/stat.h>
#include <unistd.h>
#endif

using namespace saematch;

namespace {
std::vector<uint8_t> text_bytes(size_t n) {
  std::vector<uint8_t> t(n);
  for (size_t i = 0; i < n; ++i) t[i] = uint8_t("the quick brown fox jumps over the lazy dog; "[i % 45] + (i / 45) % 3);
  return t;
}
void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) { for (int k = 0; k < 4; ++k) b[at + size_t(k)] = uint8_t(v >> (8 * k)); }
void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) { b[at] = uint8_t(v); b[at + 1] = uint8_t(v >> 8); }
size_t find_sig(const std::vector<uint8_t>& b, uint32_t sig) {
  for (size_t k = 0; k + 4 <= b.size(); ++k)
    if ((uint32_t(b[k]) | uint32_t(b[k + 1]) << 8 | uint32_t(b[k + 2]) << 16 | uint32_t(b[k + 3]) << 24) == sig) return k;
  FAIL("signature not found");
  return 0;
}
// A one-entry .npz whose directory says: deflated, `comp` bytes of data, `claimed` bytes inflated.
std::vector<uint8_t> npz_claiming(const std::vector<uint8_t>& data, uint32_t claimed) {
  auto z = zip_write_stored({{"W_dec.npy", data}});
  size_t cd = find_sig(z, 0x02014b50);
  put16(z, 8, 8);            // local header: method deflate
  put16(z, cd + 10, 8);      // central directory: method deflate
  put32(z, cd + 24, claimed);  // uncompressed size
  return z;
}
}  // namespace

TEST_CASE("inflate tables are built by the compiler: two threads decoding at once agree with the input") {
  const auto text = text_bytes(50000);
  const auto fixed = th::deflate_literals(text);  // fixed-Huffman block: the tables that used to be filled lazily
  auto src = open_file(th::fixture("gs_deflated.npz"));  // numpy's dynamic-Huffman entries
  ZipEntry big;
  for (auto& e : zip_list(*src)) if (e.name == "W_dec.npy") big = e;
  auto h = src->read(big.local_offset, 30);
  const auto dyn = src->read(big.local_offset + zip_local_data_offset(h.data(), big), size_t(big.comp_size));
  const auto dyn_ref = inflate_raw_builtin(dyn.data(), dyn.size(), size_t(big.size));
  REQUIRE(crc32(dyn_ref.data(), dyn_ref.size()) == big.crc);
  std::vector<int> bad(2, 0);
  auto work = [&](int t) {
    for (int k = 0; k < 40; ++k) {
      if (inflate_raw_builtin(fixed.data(), fixed.size(), text.size()) != text) ++bad[size_t(t)];
      if (inflate_raw_builtin(dyn.data(), dyn.size(), size_t(big.size)) != dyn_ref) ++bad[size_t(t)];
      if (crc32_builtin(text.data(), text.size()) != crc32(text.data(), text.size())) ++bad[size_t(t)];
    }
  };
  std::thread a(work, 0), b(work, 1);
  a.join(); b.join();
  CHECK(bad[0] == 0);
  CHECK(bad[1] == 0);
  const char* abc = "123456789";
  CHECK(crc32_builtin(reinterpret_cast<const uint8_t*>(abc), 9) == 0xcbf43926u);  // the CRC-32 check value
}

TEST_CASE("inflate stops as soon as output passes the declared size") {
  const auto bomb = th::deflate_zero_run(40000);  // ~63 KB giving 10.3 MB of zeros
  CHECK_THROWS_WITH(inflate_raw_builtin(bomb.data(), bomb.size(), 1 << 20), Catch::Contains("more output than the declared size"));
  CHECK_THROWS_WITH(inflate_raw(bomb.data(), bomb.size(), 1 << 20), Catch::Contains("more bytes than its header declares") || Catch::Contains("more output than the declared size"));
  CHECK_THROWS_WITH(inflate_raw_bounded(bomb.data(), bomb.size(), 1 << 20, nullptr), Catch::Contains("passes the size limit"));
  size_t used = 0;
  CHECK(inflate_raw_bounded(bomb.data(), bomb.size(), 20u << 20, &used).size() == 1 + 40000 * 258);
  CHECK(used == bomb.size());
}

TEST_CASE("a tiny npz whose ZIP directory claims gigabytes is refused before allocating") {
  const auto data = th::deflate_zero_run(10);
  auto z = npz_claiming(data, 0xF0000000u);  // 3.75 GiB from a few bytes
  CHECK(z.size() < 400);
  CHECK_THROWS_WITH(load_gemmascope_npz(*memory_source(z, "tiny.npz")),
                    "ZIP entry 'W_dec.npy' claims 4026531840 bytes (3.8 GiB), above the limit of 2147483648 bytes (2.0 GiB) per array");
  LoadLimits roomy;
  roomy.max_array_bytes = uint64_t(8) << 30;  // the byte cap alone would allow it: the ratio cap catches it
  CHECK_THROWS_WITH(load_gemmascope_npz(*memory_source(z, "tiny.npz"), roomy),
                    "ZIP entry 'W_dec.npy' claims 4026531840 bytes (3.8 GiB) from " + std::to_string(data.size()) +
                        " bytes compressed, more than 200 times its size (a decompression bomb?)");
  // An honest bomb: the claim matches what the data gives, 158:1 -- under the ratio cap, so
  // only the byte cap applies; a lowered cap refuses it with the same message shape.
  const auto bomb = th::deflate_zero_run(8000);
  auto honest = npz_claiming(bomb, 1 + 8000 * 258);
  LoadLimits small;
  small.max_array_bytes = 1 << 20;
  CHECK_THROWS_WITH(load_gemmascope_npz(*memory_source(honest, "b.npz"), small), Catch::StartsWith("ZIP entry 'W_dec.npy' claims 2064001 bytes (2.0 MiB), above the limit of 1048576 bytes (1.0 MiB)"));
  // A lying one: declares 1 MiB, would give 2 MB: decoding stops at the declared size.
  auto liar = npz_claiming(bomb, 1 << 20);
  CHECK_THROWS_WITH(load_gemmascope_npz(*memory_source(liar, "l.npz")), Catch::Contains("ZIP entry 'W_dec.npy'") && (Catch::Contains("more bytes than its header declares") || Catch::Contains("more output than the declared size")));
}

TEST_CASE("the default limits still load a Gemma Scope 65k layer (and a 9B 131k one)") {
  LoadLimits lim;
  CHECK_NOTHROW(check_size_claim(uint64_t(65536) * 2304 * 4, lim, "W_dec"));
  CHECK_NOTHROW(check_size_claim(uint64_t(131072) * 3584 * 4, lim, "W_dec"));
  CHECK_NOTHROW(check_inflate_claim(uint64_t(500) << 20, uint64_t(576) << 20, lim, "W_dec.npy"));  // real weights: ~1:1
  CHECK_NOTHROW(check_inflate_claim(100, 1 << 20, lim, "b_dec.npy"));  // small all-zero arrays are exempt
}

TEST_CASE("ZIP64 fields near 2^64 cannot wrap the bounds checks") {
  auto z = read_whole_file(th::fixture("gs_zip64.npz"));
  size_t loc = find_sig(z, 0x07064b50);
  for (int k = 0; k < 8; ++k) z[loc + 8 + size_t(k)] = 0xff;
  z[loc + 8] = 0xf0;  // record offset 2^64-16: adding the record's 56 bytes used to wrap past the check
  CHECK_THROWS_WITH(load_gemmascope_npz(*memory_source(z, "z64.npz")), Catch::Contains("ZIP64 record lies outside"));
  std::vector<uint8_t> tail(100, 0);
  CHECK_THROWS_WITH(zip_find_central_directory(tail, 50), Catch::Contains("longer than the file"));
}

TEST_CASE("safetensors data_offsets near 2^64, negative, reversed or overlapping are refused") {
  Tensor t; t.shape = {2, 2}; t.data = {1, 2, 3, 4};
  auto good = write_safetensors({{"W_dec", t}, {"b_dec", t}}, DType::F32, Json::object());
  uint64_t hl = safetensors_header_length(good.data(), good.size());
  const uint64_t file_size = good.size();
  auto header = [&](const std::string& a, const std::string& b) {
    return R"({"W_dec":{"dtype":"F32","shape":[2,2],"data_offsets":)" + a + R"(},"b_dec":{"dtype":"F32","shape":[2,2],"data_offsets":)" + b + "}}";
  };
  auto parse = [&](const std::string& h) { return parse_safetensors_header(std::string(h + std::string(hl > h.size() ? hl - h.size() : 0, ' ')), file_size); };
  REQUIRE_NOTHROW(parse(header("[0,16]", "[16,32]")));
  // Near 2^64: 18446744073709551600 + 16 used to wrap past the end-of-file check.
  CHECK_THROWS_WITH(parse(header("[18446744073709551600,18446744073709551616]", "[16,32]")),
                    "safetensors tensor 'W_dec' data_offsets must be an integer in 0..9007199254740992");
  CHECK_THROWS_WITH(parse(header("[-16,0]", "[16,32]")), "safetensors tensor 'W_dec' data_offsets must be an integer in 0..9007199254740992");
  CHECK_THROWS_WITH(parse(header("[0.5,16.5]", "[16,32]")), "safetensors tensor 'W_dec' data_offsets must be an integer in 0..9007199254740992");
  CHECK_THROWS_WITH(parse(header("[16,0]", "[16,32]")), "safetensors tensor 'W_dec': data_offsets end before they begin");
  CHECK_THROWS_WITH(parse(header("[0,16]", "[8,24]")), "safetensors tensors 'W_dec' and 'b_dec' overlap");
  CHECK_THROWS_WITH(parse(header("[4096,4112]", "[16,32]")), Catch::StartsWith("safetensors tensor 'W_dec' lies past the end of the file"));
  // Huge shapes: the element count is checked before any product can overflow.
  const std::string huge = R"({"W_dec":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,16]}})";
  CHECK_THROWS_WITH(parse(huge), "safetensors tensor 'W_dec': shape is implausibly large");
  // A whole file with offsets near 2^64 loads nothing from the header bytes.
  std::string h = header("[18446744073709551600,18446744073709551616]", "[16,32]");
  h += std::string(hl > h.size() ? hl - h.size() : 0, ' ');
  auto forged = good;
  std::memcpy(forged.data() + 8, h.data(), size_t(hl));
  CHECK_THROWS_AS(load_saelens(nullptr, *memory_source(forged, "forged.safetensors")), Error);
}

TEST_CASE(".npy shapes: products checked, arrays capped by LoadLimits before allocating") {
  auto npy = [](const std::string& shape, size_t data) {
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    std::vector<uint8_t> o = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, uint8_t(dict.size()), uint8_t(dict.size() >> 8)};
    for (char ch : dict) o.push_back(uint8_t(ch));
    o.resize(o.size() + data, 0);
    return o;
  };
  auto a = npy("(999999999999999, 999999999999999)", 16);
  CHECK_THROWS_WITH(parse_npy(a.data(), a.size(), "x.npy"), "x.npy: shape is implausibly large");
  auto b = npy("(65536, 65536)", 16);  // 16 GiB claimed by a 100-byte file
  CHECK_THROWS_WITH(parse_npy(b.data(), b.size(), "x.npy"), Catch::StartsWith("x.npy: truncated .npy data"));
  auto c = npy("(3, 100)", 1200);
  LoadLimits lim;
  lim.max_array_bytes = 1000;
  CHECK_THROWS_WITH(parse_npy(c.data(), c.size(), "x.npy", lim), "x.npy claims 1200 bytes, above the limit of 1000 bytes per array");
  CHECK(parse_npy(c.data(), c.size(), "x.npy").data.size() == 300);
}

TEST_CASE("permutation files: wrong length, repeats, non-integers and 1e300 are refused") {
  auto perm = [](const std::string& a) { return Json::parse("{\"a_to_b\": " + a + "}"); };
  CHECK(parse_permutation(perm("[2,0,1]"), 3, 3, "p.json") == std::vector<int>{2, 0, 1});
  CHECK(parse_permutation(perm("[1,-1,0]"), 3, 2, "p.json") == std::vector<int>{1, -1, 0});
  CHECK_THROWS_WITH(parse_permutation(perm("[0,1]"), 3, 3, "p.json"), "p.json: a_to_b has 2 entries, the first SAE has F=3");
  CHECK_THROWS_WITH(parse_permutation(perm("[0,0,1]"), 3, 3, "p.json"), "p.json: a_to_b[1] repeats feature 0 (already at a_to_b[0]): not a permutation");
  CHECK_THROWS_WITH(parse_permutation(perm("[0,1.5,2]"), 3, 3, "p.json"), "p.json: a_to_b[1] = 1.5 is not an integer feature index");
  CHECK_THROWS_WITH(parse_permutation(perm("[0,1e300,2]"), 3, 3, "p.json"), "p.json: a_to_b[1] = 1e+300 is outside 0..2 (F of the second SAE)");
  CHECK_THROWS_WITH(parse_permutation(perm("[0,\"1\",2]"), 3, 3, "p.json"), "p.json: a_to_b[1] = \"1\" is not an integer feature index");
  CHECK_THROWS_WITH(parse_permutation(perm("[0,-1,2]"), 3, 3, "p.json"), Catch::Contains("not a matching"));
  CHECK_THROWS_WITH(parse_permutation(Json::parse("{}"), 3, 3, "p.json"), Catch::Contains("no a_to_b list"));
}

#ifndef __EMSCRIPTEN__
TEST_CASE("a FIFO or a directory given as a file is refused at once, not read") {
  char tmpl[] = "/tmp/saematch_fifo_XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  const std::string dir = tmpl, fifo = dir + "/params.npz";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(load_sae(fifo), fifo + ": not a regular file (it is a FIFO)");  // returns: no writer needed
  CHECK_THROWS_WITH(read_whole_file(dir), dir + ": not a regular file (it is a directory)");
  unlink(fifo.c_str());
  rmdir(dir.c_str());
}
#endif
