// Browser packs: shard limits, hashes, round trip, corruption detection.
#include "catch.hpp"
#include "helpers.h"
#include "saematch/error.h"
#include "saematch/pack.h"
#include "saematch/quant.h"
#include "saematch/sha256.h"
#include "saematch/synth.h"

using namespace saematch;

TEST_CASE("pack files: manifest first, shards within the size limit, hashes match") {
  SynthOptions so; so.layers = 2; so.F = 256; so.d = 64;
  SynthModel m = make_synthetic(so);
  PackOptions po; po.max_shard_bytes = 8192; po.neuronpedia_model = "gemma-2-2b"; po.neuronpedia_source = "gemmascope-res-16k";
  PackReport rep;
  auto files = make_pack(m.saes, m.labels, po, &rep);
  REQUIRE(files[0].name == "manifest.json");
  Json man = Json::parse(std::string(files[0].bytes.begin(), files[0].bytes.end()));
  validate_manifest(man);
  CHECK(man.at("neuronpedia").at("source").str == "gemmascope-res-16k");
  for (auto& layer : man.at("layers").arr) {
    std::vector<uint8_t> blob;
    for (auto& sh : layer.at("shards").arr) {
      const PackFile* f = nullptr;
      for (auto& x : files) if (x.name == sh.at("url").str) f = &x;
      REQUIRE(f);
      CHECK(f->bytes.size() <= 8192);
      CHECK(sha256_hex(f->bytes.data(), f->bytes.size()) == sh.at("sha256").str);
      blob.insert(blob.end(), f->bytes.begin(), f->bytes.end());
    }
    Sae s = pack_layer_to_sae(layer, blob.data(), blob.size());
    Sae ref = fold(m.saes[size_t(layer.at("index").num)]);
    CHECK(relative_error(ref.W_dec, s.W_dec) < 0.01);
    CHECK(relative_error(ref.W_enc, s.W_enc) < 0.01);
    CHECK((ref.b_enc - s.b_enc).norm() == 0);
    CHECK_THROWS_WITH(pack_layer_to_sae(layer, blob.data(), blob.size() - 4), Catch::Contains("bytes"));
    // The engine's check when a layer arrives names the layer and both sizes.
    CHECK_NOTHROW(check_layer_bytes(layer, blob.size(), "layer 3"));
    CHECK_THROWS_WITH(check_layer_bytes(layer, blob.size() - 4, "layer 3"),
                      Catch::Contains("layer 3: " + std::to_string(blob.size() - 4) + " bytes of weights, the manifest says " + std::to_string(blob.size())));
  }
  CHECK(rep.dec_rel_err[0] < 0.01);
  auto labels = std::find_if(files.begin(), files.end(), [](const PackFile& f) { return f.name == "labels01.json"; });
  REQUIRE(labels != files.end());
  CHECK(Json::parse(std::string(labels->bytes.begin(), labels->bytes.end())).arr.size() == 256);
}

TEST_CASE("fp16 and f32 packs round-trip more precisely than int8") {
  SynthOptions so; so.layers = 1; so.F = 64; so.d = 32;
  SynthModel m = make_synthetic(so);
  for (const char* q : {"fp16", "f32"}) {
    PackOptions po; po.quant = q;
    PackReport rep;
    make_pack(m.saes, {}, po, &rep);
    CHECK(rep.dec_rel_err[0] < 1e-3);
  }
  PackOptions bad; bad.quant = "int4";
  CHECK_THROWS_WITH(make_pack(m.saes, {}, bad), Catch::Contains("int4"));
}

TEST_CASE("manifests that are not packs or mix d_model are refused") {
  CHECK_THROWS_WITH(validate_manifest(Json::parse("{\"format\": \"other\"}")), Catch::Contains("not a saematch pack"));
  Json m = Json::parse(R"({"format":"saematch-pack","version":1,"d_model":64,"layers":[{"d_model":64,"shards":[]},{"d_model":32,"shards":[]}]})");
  CHECK_THROWS_WITH(validate_manifest(m), Catch::Contains("d_model mismatch"));
}

TEST_CASE("int8 row quantisation error is bounded by half a step") {
  MatF a = th::random_matrix(20, 50, 77);
  QuantInt8 q = quantize_int8_rows(a);
  MatF b = dequantize(q);
  for (int r = 0; r < 20; ++r) CHECK((a.row(r) - b.row(r)).cwiseAbs().maxCoeff() <= q.scale[size_t(r)] * 0.5f + 1e-6f);
}

TEST_CASE("a single packed layer expands to the same SAE as the pack, and is 4x smaller than floats") {
  SynthOptions so; so.layers = 2; so.F = 300; so.d = 48; so.seed = 12;
  SynthModel m = make_synthetic(so);
  PackedLayer p = pack_single_layer(m.saes[1]);
  CHECK(p.F() == 300);
  CHECK(p.d() == 48);
  CHECK(p.blob.size() < size_t(300) * 48 * 4 * 2 / 3);
  // Same bytes as the layer of a real pack (one layer, one shard).
  PackOptions po; po.max_shard_bytes = size_t(1) << 30;
  auto files = make_pack({m.saes[1]}, {}, po);
  REQUIRE(files.size() == 2);
  CHECK(files[1].bytes == p.blob);
  Sae a = p.expand(), folded = fold(m.saes[1]);
  CHECK(a.F() == folded.F());
  // int8 rows: within half a quantisation step of the folded weights.
  for (int i = 0; i < a.F(); ++i) {
    float step = folded.W_dec.row(i).cwiseAbs().maxCoeff() / 127.f;
    CHECK((a.W_dec.row(i) - folded.W_dec.row(i)).cwiseAbs().maxCoeff() <= 0.5f * step + 1e-7f);
  }
  // Corrupt blob length is refused with a message, not garbage.
  PackedLayer bad = p;
  bad.blob.pop_back();
  CHECK_THROWS_WITH(bad.expand(), Catch::Contains("bytes"));
}
