// Neuronpedia's bulk explanation export (batch-N.jsonl.gz, written by tools/make_fixtures.py
// the way Neuronpedia's export script writes it) into pack labels; gzip around our own inflate.
#include "catch.hpp"
#include "deflate_writer.h"
#include "helpers.h"
#include "saematch/error.h"
#include "saematch/gzip.h"
#include "saematch/inflate.h"
#include "saematch/neuronpedia.h"
#include "saematch/pack.h"
#include "saematch/synth.h"

using namespace saematch;

namespace {
// One gzip member around a raw DEFLATE stream (no optional header fields unless `name`).
std::vector<uint8_t> gzip_member(const std::vector<uint8_t>& text, const std::vector<uint8_t>& deflated, const char* name = nullptr) {
  std::vector<uint8_t> g = {0x1f, 0x8b, 8, uint8_t(name ? 8 : 0), 0, 0, 0, 0, 0, 3};
  if (name) { for (const char* c = name; *c; ++c) g.push_back(uint8_t(*c)); g.push_back(0); }
  g.insert(g.end(), deflated.begin(), deflated.end());
  const uint32_t crc = crc32(text.data(), text.size()), n = uint32_t(text.size());
  for (int k = 0; k < 4; ++k) g.push_back(uint8_t(crc >> (8 * k)));
  for (int k = 0; k < 4; ++k) g.push_back(uint8_t(n >> (8 * k)));
  return g;
}
std::vector<uint8_t> bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }
}  // namespace

TEST_CASE("gunzip: members with header fields, concatenated members, CRC and length checked") {
  const auto a = bytes("{\"index\": \"1\"}\n"), b = bytes("second member\n");
  auto g = gzip_member(a, th::deflate_literals(a), "batch-0.jsonl");
  auto g2 = gzip_member(b, th::deflate_literals(b));
  g.insert(g.end(), g2.begin(), g2.end());
  auto out = gunzip(g.data(), g.size(), LoadLimits(), "x.gz");
  CHECK(std::string(out.begin(), out.end()) == "{\"index\": \"1\"}\nsecond member\n");
  auto bad_crc = g;
  bad_crc[bad_crc.size() - 8] ^= 1;
  CHECK_THROWS_WITH(gunzip(bad_crc.data(), bad_crc.size(), LoadLimits(), "x.gz"), "x.gz: gzip CRC check fails (corrupt file)");
  auto bad_len = g;
  bad_len[bad_len.size() - 4] ^= 1;
  CHECK_THROWS_WITH(gunzip(bad_len.data(), bad_len.size(), LoadLimits(), "x.gz"), "x.gz: gzip length check fails (corrupt file)");
  auto cut = std::vector<uint8_t>(g.begin(), g.begin() + 40);
  CHECK_THROWS_WITH(gunzip(cut.data(), cut.size(), LoadLimits(), "x.gz"), Catch::StartsWith("x.gz: corrupt or truncated deflate data"));
  CHECK_THROWS_WITH(gunzip(a.data(), a.size(), LoadLimits(), "x.gz"), "x.gz: not a gzip file (bad magic)");
}

TEST_CASE("gunzip: a gzip bomb stops at the limits, before its output is held") {
  const auto bomb = th::deflate_zero_run(40000);  // 10.3 MB of zeros from 63 KB: 158:1
  std::vector<uint8_t> zeros(1 + 40000 * 258, 0);
  auto g = gzip_member(zeros, bomb);
  CHECK(gunzip(g.data(), g.size(), LoadLimits(), "z.gz").size() == zeros.size());  // under the default caps
  LoadLimits tight;
  tight.max_inflate_ratio = 50;
  CHECK_THROWS_WITH(gunzip(g.data(), g.size(), tight, "z.gz"), Catch::StartsWith("z.gz: decompresses to more than") && Catch::Contains("a decompression bomb?"));
  LoadLimits small;
  small.max_array_bytes = 4 << 20;
  CHECK_THROWS_WITH(gunzip(g.data(), g.size(), small, "z.gz"), "z.gz: decompresses to more than 4194304 bytes (4.0 MiB) (limit 4194304 bytes (4.0 MiB), at most 200 times the compressed size; a decompression bomb?)");
}

TEST_CASE("Neuronpedia explanation export: lines land on the right features, bad lines are counted") {
  NeuronpediaExplanations np("synthetic", "res-test", {0, 1, 2}, {256, 256, 256});
  np.add_dir(th::fixture("np_export"), LoadLimits());
  const auto labels = np.labels();
  REQUIRE(labels.size() == 3);
  REQUIRE(labels[0].size() == 256);
  CHECK(labels[0][5] == "fruit");  // two explanations: the one whose id sorts first
  CHECK(labels[0][7] == "the number seven");
  CHECK(labels[0][200] == "feature 200 of layer 0");
  CHECK(labels[0][255] == "feature 255 of layer 0");
  CHECK(labels[0][4] == "");  // only other layers/sources explain feature 4
  CHECK(labels[0][9] == "");  // wrong model
  REQUIRE(labels[1].size() == 256);
  CHECK(labels[1][0] == "<b>bold</b> & \"quotes\"");  // kept verbatim; escaping is the page's job
  CHECK(labels[1][255] == "last feature");
  CHECK(labels[2].empty());
  CHECK(np.explainers()[0] == std::vector<std::string>{"claude-3-5-haiku", "gpt-4o-mini"});
  CHECK(np.explainers()[1] == std::vector<std::string>{"gpt-4.1"});
  const auto& c = np.counts();
  CHECK(c.files == 3);
  CHECK(c.lines == 69);
  CHECK(c.labelled == 60);
  CHECK(c.not_json == 1);
  CHECK(c.bad_index == 3);
  CHECK(c.wrong_model == 1);
  CHECK(c.bad_fields == 1);
  CHECK(c.other_layer == 2);
  CHECK(np.summary() == "Neuronpedia explanations: 3 files, 69 lines; labels for 60 features on 2 layers; skipped 6 bad lines "
                        "(1 not JSON, 3 index out of range, 1 wrong model, 1 missing fields); 2 lines for layers not in this pack");
}

TEST_CASE("Neuronpedia explanations: the pick does not depend on line order; layer ids map to pack layers") {
  const std::string a = R"({"id":"clb","modelId":"m","layer":"12-src","index":"3","description":"second","explanationModelName":"x"})";
  const std::string b = R"({"id":"cla","modelId":"m","layer":"12-src","index":3,"description":"first","explanationModelName":"y"})";
  for (const std::string& text : {a + "\n" + b + "\n", b + "\n" + a}) {
    NeuronpediaExplanations np("m", "src", {11, 12}, {8, 4});  // pack layer 1 is model layer 12
    np.add_jsonl(text);
    CHECK(np.labels()[0].empty());
    CHECK(np.labels()[1] == std::vector<std::string>{"", "", "", "first"});
    CHECK(np.explainers()[1] == std::vector<std::string>{"y"});
  }
}

TEST_CASE("Neuronpedia explanations: a missing or empty folder is an error naming it") {
  NeuronpediaExplanations np("m", "src", {0}, {4});
  CHECK_THROWS_WITH(np.add_dir("/nonexistent/np", LoadLimits()), "/nonexistent/np: no such folder (expected Neuronpedia's explanation export)");
  CHECK_THROWS_WITH(np.add_dir(th::fixture("saelens_old"), LoadLimits()),
                    th::fixture("saelens_old") + ": no batch-N.jsonl.gz files in this folder (expected Neuronpedia's explanation export)");
  CHECK_THROWS_WITH(NeuronpediaExplanations("", "src", {0}, {4}), Catch::Contains("Neuronpedia model and source"));
}

TEST_CASE("explanations become pack labels with the explainers in the manifest") {
  SynthOptions so; so.layers = 2; so.F = 256; so.d = 16;
  SynthModel m = make_synthetic(so);
  NeuronpediaExplanations np("synthetic", "res-test", {0, 1}, {256, 256});
  np.add_dir(th::fixture("np_export"), LoadLimits());
  PackOptions po; po.neuronpedia_model = "synthetic"; po.neuronpedia_source = "res-test";
  po.explainers = np.explainers();
  auto files = make_pack(m.saes, np.labels(), po);
  Json man = Json::parse(std::string(files[0].bytes.begin(), files[0].bytes.end()));
  validate_manifest(man);
  const Json& l0 = man.at("layers").arr[0];
  CHECK(l0.at("labels_count").num == 256);
  CHECK(l0.at("explainers").dump() == "[\"claude-3-5-haiku\",\"gpt-4o-mini\"]");
  for (auto& f : files)
    if (f.name == "labels00.json") {
      auto labels = parse_layer_labels(std::string(f.bytes.begin(), f.bytes.end()), l0, f.name);
      CHECK(labels[5] == "fruit");
      CHECK(labels[7] == "the number seven");
    }
}
