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
  SynthOptions so; so.layers = 2; so.F = 64; so.d = 32;
  auto files = make_pack(make_synthetic(so).saes, {}, PackOptions());
  Json m = Json::parse(std::string(files[0].bytes.begin(), files[0].bytes.end()));
  m.set("layers", m.at("layers")).arr[1].set("d_model", Json::number(16));  // set() gives a mutable reference
  CHECK_THROWS_WITH(validate_manifest(m), "d_model mismatch: layer 1 has d_model=16, the pack says 32");
}

TEST_CASE("manifest claims are bounded and consistent: layer ids, F, blob_bytes, shards, labels_count") {
  SynthOptions so; so.layers = 2; so.F = 64; so.d = 32;
  SynthModel sm = make_synthetic(so);
  PackOptions po; po.max_shard_bytes = 4096;
  auto files = make_pack(sm.saes, sm.labels, po);
  const Json good = Json::parse(std::string(files[0].bytes.begin(), files[0].bytes.end()));
  REQUIRE_NOTHROW(validate_manifest(good));
  auto with = [&](const std::string& key, Json v) { Json m = good; m.set("layers", m.at("layers")).arr[1].set(key, std::move(v)); return m; };
  // A string layer id would flow unencoded into Neuronpedia paths.
  CHECK_THROWS_WITH(validate_manifest(with("layer", Json::string("1/../../x"))), "layer 1: layer must be an integer in 0..1000000 (got \"1/../../x\")");
  CHECK_THROWS_WITH(validate_manifest(with("layer", Json::number(-1))), "layer 1: layer must be an integer in 0..1000000 (got -1)");
  CHECK_THROWS_WITH(validate_manifest(with("F", Json::number(1e12))), "layer 1: F must be an integer in 1..16777216 (got 1000000000000)");
  CHECK_THROWS_WITH(validate_manifest(with("F", Json::number(65))), "layer 1 array 'W_dec' has shape [64,32], expected [65,32] from F and d_model");
  CHECK_THROWS_WITH(validate_manifest(with("labels_count", Json::number(63))), "layer 1: labels_count 63 differs from F=64");
  const double blob = good.at("layers").arr[1].at("blob_bytes").num;
  CHECK_THROWS_WITH(validate_manifest(with("blob_bytes", Json::number(blob + 4096))), Catch::StartsWith("layer 1: blob_bytes " + std::to_string(int64_t(blob) + 4096) + " is more than its arrays take"));
  CHECK_THROWS_WITH(validate_manifest(with("blob_bytes", Json::number(blob - 8))), Catch::Contains("lies outside the layer's"));
  Json shards = good.at("layers").arr[1].at("shards");
  shards.arr[0].set("bytes", Json::number(1e15));
  CHECK_THROWS_WITH(validate_manifest(with("shards", shards)), Catch::StartsWith("layer 1 shard 0: bytes must be an integer in 1.."));
  shards.arr[0].set("bytes", Json::number(100));
  CHECK_THROWS_WITH(validate_manifest(with("shards", shards)), Catch::StartsWith("layer 1: its shards hold "));
  Json big = good;
  big.set("d_model", Json::number(1e9));
  CHECK_THROWS_WITH(validate_manifest(big), "manifest: d_model must be an integer in 1..65536 (got 1000000000)");
  // F x d_model beyond the per-array cap (here lowered) is refused before any layer is fetched.
  LoadLimits lim; lim.max_array_bytes = 4096;
  CHECK_THROWS_WITH(validate_manifest(good, lim), "layer 0 (F x d_model floats) claims 8192 bytes, above the limit of 4096 bytes per array");
  // The engine's per-layer check validates the entry too (it may come straight from a page).
  Json e = with("F", Json::number(1e12)).at("layers").arr[1];
  CHECK_THROWS_WITH(check_layer_bytes(e, size_t(blob), "layer 3"), "layer 3: F must be an integer in 1..16777216 (got 1000000000000)");
  // Labels files: one string per feature.
  const Json& l0 = good.at("layers").arr[0];
  CHECK(parse_layer_labels(Json::parse(std::string(files.back().bytes.begin(), files.back().bytes.end())).dump(), l0, "labels01.json").size() == 64);
  CHECK_THROWS_WITH(parse_layer_labels("[\"a\", \"b\"]", l0, "labels00.json"), "labels00.json: 2 labels for 64 features");
  CHECK_THROWS_WITH(parse_layer_labels("{}", l0, "labels00.json"), "labels00.json: labels must be a JSON array of strings");
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
