// File formats: half floats, JSON, .npy, ZIP/.npz (stored, deflated, ZIP64), safetensors, SAELens.
#include "catch.hpp"
#include "helpers.h"
#include "saematch/arrays.h"
#include "saematch/error.h"
#include "saematch/half.h"
#include "saematch/inflate.h"
#include "saematch/json.h"
#include "saematch/loaders.h"
#include "saematch/sha256.h"
#include "saematch/zip.h"
#include <cstring>

using namespace saematch;

TEST_CASE("half and bfloat16 conversions are exact where representable") {
  for (float v : {0.f, 1.f, -2.5f, 65504.f, 6.103515625e-05f, 5.960464477539063e-08f, 0.333251953125f})
    CHECK(half_to_float(float_to_half(v)) == v);
  CHECK(float_to_half(1e6f) == 0x7c00);                // overflow -> inf
  CHECK(half_to_float(0x3555) == Approx(0.33325195f));
  CHECK(std::isnan(half_to_float(float_to_half(NAN))));
  for (float v : {1.f, -3.f, 0.15625f, 1152921504606846976.f}) CHECK(bf16_to_float(float_to_bf16(v)) == v);
  CHECK(bf16_to_float(float_to_bf16(1.00390625f)) == 1.f);  // tie rounds to even
}

TEST_CASE("JSON parses, round-trips and rejects garbage") {
  Json j = Json::parse(R"({"a": [1, 2.5, -3e2], "s": "x\"y\u00e9", "t": true, "n": null, "o": {"k": "v"}})");
  CHECK(j.at("a").arr[2].num == -300);
  CHECK(j.at("s").str == "x\"y\xc3\xa9");
  CHECK(Json::parse(j.dump()).dump() == j.dump());
  CHECK_THROWS_AS(Json::parse("{\"a\": [1, 2"), Error);
  CHECK_THROWS_AS(Json::parse("{} x"), Error);
  CHECK_THROWS_AS(Json::parse(std::string(1000, '[')), Error);
}

TEST_CASE("SHA-256 matches the standard test vectors") {
  CHECK(sha256_hex(nullptr, 0) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const char* abc = "abc";
  CHECK(sha256_hex(reinterpret_cast<const uint8_t*>(abc), 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string m(1000000, 'a');
  CHECK(sha256_hex(reinterpret_cast<const uint8_t*>(m.data()), m.size()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE(".npy header versions 1, 2, 3 and big-endian data load the same values") {
  for (const char* f : {"w_dec_v1.npy", "w_dec_v2.npy", "w_dec_v3.npy", "w_dec_bigendian.npy"}) {
    auto b = read_whole_file(th::fixture(f));
    Tensor t = parse_npy(b.data(), b.size(), f);
    REQUIRE(t.shape == std::vector<int64_t>{th::kF, th::kD});
    double e = 0;
    for (int r = 0; r < th::kF; ++r) for (int c = 0; c < th::kD; ++c) e = std::max(e, double(std::fabs(t.data[size_t(r * th::kD + c)] - th::w_dec(r, c))));
    CHECK(e < 1e-6);
  }
}

TEST_CASE(".npy writer round-trips and truncation is reported") {
  Tensor t; t.shape = {3, 2}; t.data = {1, 2, 3, 4, 5, 6};
  auto b = write_npy(t);
  Tensor u = parse_npy(b.data(), b.size(), "x");
  CHECK(u.shape == t.shape); CHECK(u.data == t.data);
  CHECK_THROWS_WITH(parse_npy(b.data(), b.size() - 1, "x"), Catch::Contains("truncated"));
  b[1] = 'X';
  CHECK_THROWS_WITH(parse_npy(b.data(), b.size(), "x"), Catch::Contains("not a .npy"));
}

TEST_CASE("Gemma Scope params.npz loads: stored, deflated, ZIP64, Fortran-order float16") {
  for (const char* f : {"gs_stored.npz", "gs_deflated.npz", "gs_zip64.npz"}) {
    Sae s = load_sae(th::fixture(f));
    CHECK(s.act == Activation::JumpReLU);
    CHECK(s.F() == th::kF); CHECK(s.d() == th::kD);
    CHECK(th::fixture_error(s, true) < 1e-6);
  }
  Sae h = load_sae(th::fixture("gs_fortran_f16.npz"));
  CHECK(th::fixture_error(h, true) < 2e-3);  // float16 rounding only
  Sae r = load_sae(th::fixture("gs_relu.npz"));
  CHECK(r.act == Activation::ReLU);
}

TEST_CASE("ZIP64 fixture really uses ZIP64 records and deflate") {
  auto src = open_file(th::fixture("gs_zip64.npz"));
  auto tail = src->read(src->size() - 98, 98);
  bool has_locator = false;
  for (size_t k = 0; k + 4 <= tail.size(); ++k) has_locator |= tail[k] == 0x50 && tail[k + 1] == 0x4b && tail[k + 2] == 6 && tail[k + 3] == 7;
  CHECK(has_locator);
  for (auto& e : zip_list(*src)) CHECK(e.method == 8);
}

TEST_CASE("built-in inflate agrees with the configured inflate on every deflated fixture entry") {
  for (const char* f : {"gs_deflated.npz", "gs_zip64.npz"}) {
    auto src = open_file(th::fixture(f));
    for (auto& e : zip_list(*src)) {
      auto h = src->read(e.local_offset, 30);
      auto data = src->read(e.local_offset + zip_local_data_offset(h.data(), e), size_t(e.comp_size));
      auto a = inflate_raw(data.data(), data.size(), size_t(e.size));
      auto b = inflate_raw_builtin(data.data(), data.size(), size_t(e.size));
      CHECK(a == b);
      CHECK(crc32(b.data(), b.size()) == e.crc);
      CHECK_THROWS_AS(inflate_raw_builtin(data.data(), data.size() / 2, size_t(e.size)), Error);
    }
  }
}

TEST_CASE("our stored ZIP writer (plain and ZIP64) is read back") {
  std::vector<uint8_t> payload(1000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = uint8_t(i * 7);
  for (bool z64 : {false, true}) {
    auto zip = zip_write_stored({{"a.npy", payload}, {"b.bin", {1, 2, 3}}}, z64);
    auto src = memory_source(zip, "mem.zip");
    auto es = zip_list(*src);
    REQUIRE(es.size() == 2);
    CHECK(es[0].name == "a.npy");
    CHECK(zip_read(*src, es[0]) == payload);
  }
}

TEST_CASE("damaged .npz files give clear errors, not crashes") {
  auto good = read_whole_file(th::fixture("gs_deflated.npz"));
  auto trunc = std::vector<uint8_t>(good.begin(), good.begin() + long(good.size() / 2));
  CHECK_THROWS_WITH(load_gemmascope_npz(*memory_source(trunc, "t.npz")), Catch::Contains("ZIP"));
  auto flipped = good;
  flipped[200] ^= 0x55;  // inside the first deflated entry
  CHECK_THROWS_AS(load_gemmascope_npz(*memory_source(flipped, "f.npz")), Error);
  CHECK_THROWS_WITH(load_gemmascope_npz(*memory_source(std::vector<uint8_t>(10, 0), "z.npz")), Catch::Contains("not a ZIP"));
  CHECK_THROWS_WITH(load_sae(th::fixture("does_not_exist.npz")), Catch::Contains("cannot open"));
}

TEST_CASE("SAELens folders: old config, v6 metadata with BF16 + log_threshold, F16 ReLU, TopK") {
  Sae o = load_sae(th::fixture("saelens_old"));
  CHECK(o.act == Activation::JumpReLU);
  CHECK(o.meta.hook == "blocks.3.hook_resid_post"); CHECK(o.meta.layer == 3); CHECK(o.meta.model == "gemma-2-2b");
  CHECK(th::fixture_error(o, true) < 1e-6);
  Sae v6 = load_sae(th::fixture("saelens_v6/sae_weights.safetensors"));
  CHECK(v6.meta.hook == "blocks.5.hook_resid_post"); CHECK(v6.meta.layer == 5);
  CHECK(th::fixture_error(v6, true) < 2e-2);  // bfloat16 keeps 8 bits of mantissa
  Sae r = load_sae(th::fixture("saelens_f16_relu"));
  CHECK(r.act == Activation::ReLU);
  CHECK(th::fixture_error(r, false) < 2e-3);
  Sae t = load_sae(th::fixture("saelens_topk"));
  CHECK(t.act == Activation::TopK); CHECK(t.topk == 4);
  CHECK_THROWS_WITH(load_sae(th::fixture("saelens_bad_dims")), Catch::Contains("d_in"));
}

TEST_CASE("safetensors writer round-trips F32/F16/BF16 and rejects lying headers") {
  Tensor t; t.shape = {2, 3}; t.data = {0.5f, -1.f, 2.f, 3.25f, 0.f, -0.125f};
  for (DType dt : {DType::F32, DType::F16, DType::BF16}) {
    auto b = write_safetensors({{"x", t}}, dt, Json::object());
    uint64_t hl = safetensors_header_length(b.data(), b.size());
    auto h = parse_safetensors_header(std::string(b.begin() + 8, b.begin() + 8 + long(hl)), b.size());
    auto& info = h.tensors.at("x");
    Tensor u = safetensors_tensor(info, b.data() + h.data_start + info.begin, size_t(info.end - info.begin), "x");
    CHECK(u.data == t.data);  // all values exactly representable
    CHECK_THROWS_WITH(parse_safetensors_header(std::string(b.begin() + 8, b.begin() + 8 + long(hl)), b.size() - 4), Catch::Contains("past the end"));
  }
  std::vector<uint8_t> junk = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2};
  CHECK_THROWS_WITH(safetensors_header_length(junk.data(), junk.size()), Catch::Contains("implausible"));
}
