// Result packs (issue 12, item 4): the results part of a pack written, validated and read back,
// and re-certification from the duals (verify_duals.h) passing on real results and failing,
// with its reason, on tampered ones.
#include "catch.hpp"
#include "saematch/chains.h"
#include "saematch/error.h"
#include "saematch/loaders.h"
#include "saematch/packed_pair.h"
#include "saematch/result_pack.h"
#include "saematch/sha256.h"
#include "saematch/synth.h"
#include "saematch/verify_duals.h"
#include <cmath>
#include <functional>

using namespace saematch;

namespace {
DualCertificate certificate(const MatchResult& r) { return DualCertificate{r.a_to_b, r.u, r.v, r.total, 0}; }

// A synthetic 3-layer result pack built as `chain --pack` builds it (small shards: several).
struct BuiltPack {
  std::vector<PackFile> files;
  std::vector<PackedLayer> layers;
  PackResults results;
  Json manifest() const { return Json::parse(std::string(files[0].bytes.begin(), files[0].bytes.end())); }
  std::vector<uint8_t> concat(const Json& shards) const {
    std::vector<uint8_t> blob;
    for (auto& sh : shards.arr)
      for (auto& f : files)
        if (f.name == sh.at("url").str) blob.insert(blob.end(), f.bytes.begin(), f.bytes.end());
    return blob;
  }
};

BuiltPack build_pack(bool int8 = true) {
  SynthOptions so; so.layers = 3; so.F = 96; so.d = 24; so.seed = 5;
  const SynthModel m = make_synthetic(so);
  BuiltPack b;
  b.files = make_pack(m.saes, m.labels, PackOptions(), nullptr);
  const Json man = b.manifest();
  for (auto& e : man.at("layers").arr) {
    PackedLayer p{e, {}};
    p.blob = b.concat(e.at("shards"));
    b.layers.push_back(std::move(p));
  }
  MatchOptions o;
  o.int8 = int8;
  b.results.producer = "saematch test";
  b.results.created = "2026-11-29T00:00:00Z";
  b.results.settings.int8 = int8;
  for (auto& p : b.layers) b.results.norms.push_back(p.decoder_norms());
  for (size_t l = 0; l + 1 < b.layers.size(); ++l) {
    HopResult h;
    h.from = int(l); h.to = int(l + 1);
    h.match = match_packed(b.layers[l], b.layers[l + 1], o);
    h.null_scores = null_baseline_packed(b.layers[l], b.layers[l + 1], o.weights, 256, l + 1).best_scores;
    h.null_cut = quantile(h.null_scores, 0.99);
    b.results.hops.push_back(h);
  }
  add_results_to_pack(b.files, b.results, 4096);
  return b;
}

// Every tampering below must fail with a reason containing `expect`.
void expect_failure(const std::function<VerifyReport(const DualCertificate&)>& verify, DualCertificate c, const std::string& expect) {
  const VerifyReport r = verify(c);
  INFO("reason: " << r.reason);
  CHECK_FALSE(r.passed);
  CHECK(r.reason.find(expect) != std::string::npos);
}

// The tamperings of the issue: one dual lowered or raised a little, a_to_b permuted, total off.
void check_tampering(const std::function<VerifyReport(const DualCertificate&)>& verify, const MatchResult& r) {
  const VerifyReport ok = verify(certificate(r));
  INFO("reason: " << ok.reason);
  REQUIRE(ok.passed);
  const double small = 20 * ok.tolerance;
  const int i = r.FA / 3;
  const int j = r.a_to_b[size_t(i)];
  REQUIRE(j >= 0);
  { DualCertificate c = certificate(r); c.u[size_t(i)] += small; expect_failure(verify, c, "below -"); }   // raised: reduced cost of (i, j) < 0
  { DualCertificate c = certificate(r); c.v[size_t(j)] += small; expect_failure(verify, c, "below -"); }
  { DualCertificate c = certificate(r); c.u[size_t(i)] -= small; expect_failure(verify, c, "is not tight"); }  // lowered: (i, j) slack
  { DualCertificate c = certificate(r); c.v[size_t(j)] -= small; expect_failure(verify, c, "is not tight"); }
  {
    DualCertificate c = certificate(r);
    int k = i + 1;
    while (c.a_to_b[size_t(k)] < 0) ++k;
    std::swap(c.a_to_b[size_t(i)], c.a_to_b[size_t(k)]);  // still one-to-one, no longer what the duals prove
    expect_failure(verify, c, "");
    CHECK_FALSE(verify(c).reason.empty());
  }
  { DualCertificate c = certificate(r); c.a_to_b[size_t(i + 1)] = j; expect_failure(verify, c, "is not one-to-one"); }
  { DualCertificate c = certificate(r); c.total += 1e-4 * std::fabs(r.total) + 100 * ok.tolerance; expect_failure(verify, c, "the stated total"); }
  { DualCertificate c = certificate(r); c.u[0] = std::nan(""); expect_failure(verify, c, "u[0] is not a finite number"); }
}
}  // namespace

TEST_CASE("result pack: written, validated and read back exactly; shards within the limit, digests match") {
  const BuiltPack b = build_pack();
  const Json man = b.manifest();
  REQUIRE_NOTHROW(validate_manifest(man));
  const Json& res = man.at("results");
  REQUIRE(res.at("shards").arr.size() > 1);  // 4096-byte shards
  for (auto& sh : res.at("shards").arr)
    for (auto& f : b.files)
      if (f.name == sh.at("url").str) {
        CHECK(f.bytes.size() <= 4096);
        CHECK(sha256_hex(f.bytes.data(), f.bytes.size()) == sh.at("sha256").str);
      }
  const std::vector<uint8_t> blob = b.concat(res.at("shards"));
  const PackResults back = read_results(man, blob.data(), blob.size());
  CHECK(back.settings.int8);
  CHECK(back.null_samples == 256);
  CHECK(back.null_percentile == 0.99);
  REQUIRE(back.norms.size() == 3);
  CHECK(back.norms[1] == b.results.norms[1]);
  REQUIRE(back.hops.size() == 2);
  for (size_t k = 0; k < 2; ++k) {
    const MatchResult &w = b.results.hops[k].match, &r = back.hops[k].match;
    CHECK(back.hops[k].from == int(k)); CHECK(back.hops[k].to == int(k + 1));
    CHECK(r.a_to_b == w.a_to_b); CHECK(r.cost == w.cost); CHECK(r.score == w.score);
    CHECK(r.u == w.u); CHECK(r.v == w.v);
    CHECK(r.total == Approx(w.total).epsilon(1e-8));
    CHECK(r.certified); CHECK(r.method == w.method);
    CHECK(back.hops[k].null_scores == b.results.hops[k].null_scores);
    CHECK(back.hops[k].null_cut == Approx(b.results.hops[k].null_cut));
  }
  CHECK_THROWS_WITH(read_results(man, blob.data(), blob.size() - 8), Catch::Contains("(truncated?)"));
  // The hops re-certify from what was read back, on the packed layers.
  MatchOptions o; o.int8 = true;
  for (size_t k = 0; k < 2; ++k) {
    const MatchResult& r = back.hops[k].match;
    const VerifyReport v = verify_packed(b.layers[k], b.layers[k + 1], certificate(r), o);
    INFO(v.reason);
    CHECK(v.passed);
    CHECK(v.pairs_checked == 96 * 96);
    CHECK(v.violations == 0);
    CHECK(v.proven_gap < 1e-6);
    CHECK(v.total_recomputed == Approx(r.total).epsilon(1e-6));
  }
}

TEST_CASE("verify from duals: clustered pair, dense and sparse, float (screened) and int8; tampering fails with its reason") {
  const ClusteredPair p = make_clustered_pair([] { ClusteredOptions c; c.F = 640; c.d = 64; c.seed = 3; return c; }());
  for (bool int8 : {false, true})
    for (int dense_max : {4096, 64}) {
      INFO("int8 " << int8 << " dense_max " << dense_max);
      MatchOptions o;
      o.int8 = int8; o.dense_max = dense_max;
      const MatchResult r = match_embeddings(p.A, p.B, o);
      REQUIRE(r.certified);
      check_tampering([&](const DualCertificate& c) { return verify_embeddings(p.A, p.B, c, o); }, r);
      if (!int8) {  // the screen (int8 dots + error bound + exact recheck) and plain float rows agree
        MatchOptions on = o, off = o;
        on.screen = MatchOptions::Screen::On; off.screen = MatchOptions::Screen::Off;
        const VerifyReport a = verify_embeddings(p.A, p.B, certificate(r), on), b = verify_embeddings(p.A, p.B, certificate(r), off);
        CHECK(a.passed); CHECK(b.passed);
        CHECK(a.total_recomputed == Approx(b.total_recomputed).epsilon(1e-6));
        DualCertificate bad = certificate(r);
        bad.u[5] += 20 * a.tolerance;
        CHECK_FALSE(verify_embeddings(p.A, p.B, bad, on).passed);
        CHECK_FALSE(verify_embeddings(p.A, p.B, bad, off).passed);
      }
    }
}

TEST_CASE("verify from duals: the real Othello-GPT pair (blocks 1 -> 3), int8 as stored and float") {
  const Sae A = load_sae("data/othello-gpt/blocks.1.hook_resid_pre"), B = load_sae("data/othello-gpt/blocks.3.hook_resid_pre");
  const PackedLayer pa = pack_single_layer(A), pb = pack_single_layer(B);
  REQUIRE(pa.F() == 2048);
  for (bool int8 : {true, false}) {
    INFO("int8 " << int8);
    MatchOptions o;
    o.int8 = int8;
    const MatchResult r = match_packed(pa, pb, o);
    REQUIRE(r.certified);
    CHECK(r.method.find("sparse") != std::string::npos);
    const VerifyReport v = verify_packed(pa, pb, certificate(r), o);
    INFO(v.reason);
    CHECK(v.passed);
    CHECK(v.pairs_checked == int64_t(2048) * 2048);
    DualCertificate bad = certificate(r);
    bad.v[size_t(r.a_to_b[100])] += 20 * v.tolerance;
    const VerifyReport w = verify_packed(pa, pb, bad, o);
    CHECK_FALSE(w.passed);
    CHECK(w.reason.find("below -") != std::string::npos);
    bad = certificate(r);
    bad.total *= 1.001;
    CHECK(verify_packed(pa, pb, bad, o).reason.find("the stated total") != std::string::npos);
  }
}

TEST_CASE("verify from duals: rectangular pairs (F_A < F_B and F_A > F_B), dense and sparse") {
  const ClusteredPair p = make_clustered_pair([] { ClusteredOptions c; c.F = 320; c.d = 48; c.seed = 4; return c; }());
  const MatF A = p.A.topRows(250), B = p.B;
  for (bool swap : {false, true})
    for (int dense_max : {4096, 64}) {
      INFO("swap " << swap << " dense_max " << dense_max);
      const MatF& X = swap ? B : A;
      const MatF& Y = swap ? A : B;
      MatchOptions o;
      o.dense_max = dense_max;
      const MatchResult r = match_embeddings(X, Y, o);
      REQUIRE(r.certified);
      auto verify = [&](const DualCertificate& c) { return verify_embeddings(X, Y, c, o); };
      const VerifyReport ok = verify(certificate(r));
      INFO(ok.reason);
      REQUIRE(ok.passed);
      CHECK(ok.proven_gap < 1e-6);
      // A feature of the larger side left out: lowering its dual (no pair of it is tight) breaks the proof.
      DualCertificate c = certificate(r);
      if (!swap) c.v[size_t(r.unmatched_b.at(0))] -= 1e3 * ok.tolerance;
      else for (int i = 0; i < r.FA; ++i) if (r.a_to_b[size_t(i)] < 0) { c.u[size_t(i)] -= 1e3 * ok.tolerance; break; }
      expect_failure(verify, c, "is left unmatched");
      // An incomplete assignment is refused outright.
      c = certificate(r);
      for (int& j : c.a_to_b) if (j >= 0) { j = -1; break; }
      expect_failure(verify, c, "a complete assignment matches");
    }
}

TEST_CASE("verify from duals: a gap-budget result passes within its budget, not as exact") {
  const ClusteredPair p = make_clustered_pair(near_tie_options(1024, 64, 2));
  MatchOptions o;
  o.dense_max = 64; o.gap = 1e-3;
  const MatchResult r = match_embeddings(p.A, p.B, o);
  DualCertificate c = certificate(r);
  c.gap_budget = r.certified ? 0 : r.gap_budget;
  const VerifyReport v = verify_embeddings(p.A, p.B, c, o);
  INFO(v.reason);
  CHECK(v.passed);
  CHECK(v.proven_gap <= 1e-3 + 1e-6);
  c.gap_budget = 1e-12;
  if (v.proven_gap > 1e-9) CHECK(verify_embeddings(p.A, p.B, c, o).reason.find("more than the budget") != std::string::npos);
}

TEST_CASE("manifest.results: every malformed key is refused with a message naming it") {
  const BuiltPack b = build_pack();
  const Json good = b.manifest();
  auto refused = [&](const std::function<void(Json&)>& edit, const std::string& message) {
    Json m = good;
    edit(m.set("results", m.at("results")));
    INFO("expected: " << message);
    CHECK_THROWS_WITH(validate_manifest(m), Catch::Contains(message));
  };
  auto hop = [](Json& r, int k) -> Json& { Json& hs = r.set("hops", r.at("hops")); return hs.arr[size_t(k)]; };
  auto array = [&](Json& r, int k, const char* name) -> Json& {
    Json& h = hop(r, k);
    Json& a = h.set("arrays", h.at("arrays"));
    return a.set(name, a.at(name));
  };
  refused([](Json& r) { r = Json::array(); }, "results is not a JSON object");
  refused([](Json& r) { r.set("producer", Json::number(3)); }, "results: producer must be a string");
  refused([](Json& r) { Json s = r.at("settings"); s.set("gap", Json::number(2)); r.set("settings", s); }, "results.settings: gap must be in [0, 1)");
  refused([](Json& r) { Json s = r.at("settings"); s.set("int8", Json::string("yes")); r.set("settings", s); }, "results.settings: int8 must be true or false");
  refused([](Json& r) { Json s = r.at("null"); s.set("percentile", Json::number(1.5)); r.set("null", s); }, "results.null: percentile must be in [0, 1]");
  refused([](Json& r) { r.set("blob_bytes", Json::number(1e12)); }, "results (blob_bytes) claims");
  refused([](Json& r) { r.set("blob_bytes", Json::number(-8)); }, "results: blob_bytes must be an integer");
  refused([](Json& r) { Json& s = r.set("shards", r.at("shards")); s.arr.pop_back(); }, "results: its shards hold");
  refused([](Json& r) { Json& s = r.set("shards", r.at("shards")); s.arr[0].set("sha256", Json::string("abc")); }, "results shard 0: sha256 must be 64 lowercase hex digits");
  refused([](Json& r) { Json& s = r.set("shards", r.at("shards")); s.arr[1].set("url", Json::string("")); }, "results shard 1 has no url");
  refused([](Json& r) { Json& n = r.set("norms", r.at("norms")); n.arr.pop_back(); }, "results: norms must list one entry per layer (3)");
  refused([](Json& r) { Json& n = r.set("norms", r.at("norms")); n.arr[1].set("layer", Json::number(7)); }, "results norms of layer 1: layer must be 1");
  refused([](Json& r) { Json& n = r.set("norms", r.at("norms")); Json a = n.arr[2].at("array"); a.set("count", Json::number(95)); n.arr[2].set("array", a); }, "results norms of layer 2: count 95, expected 96");
  refused([](Json& r) { Json& hs = r.set("hops", r.at("hops")); hs.arr.pop_back(); }, "results: hops must list one entry per consecutive layer pair (2)");
  refused([](Json& r) { Json& hs = r.set("hops", r.at("hops")); std::swap(hs.arr[0], hs.arr[1]); }, "results hop 0 must join layers 0 -> 1");
  refused([&](Json& r) { hop(r, 1).set("to", Json::number(9)); }, "results hop 1 must join layers 1 -> 2");
  refused([&](Json& r) { hop(r, 0).set("FA", Json::number(95)); }, "results hop 0: FA must be 96");
  refused([&](Json& r) { hop(r, 1).set("FB", Json::number(1e300)); }, "results hop 1: FB must be an integer");
  refused([&](Json& r) { hop(r, 0).set("total", Json()); }, "results hop 0: total must be a finite number");
  refused([&](Json& r) { hop(r, 0).set("certified", Json::number(1)); }, "results hop 0: certified must be true or false");
  refused([&](Json& r) { hop(r, 0).set("arrays", Json::array()); }, "results hop 0: arrays must be a JSON object");
  refused([&](Json& r) { Json& h = hop(r, 0); Json& a = h.set("arrays", h.at("arrays")); a.obj.pop_back(); }, "results hop 0 array null_scores is missing");
  refused([&](Json& r) { array(r, 0, "u").set("dtype", Json::string("float32")); }, "results hop 0 array u: dtype must be float64 (got float32)");
  refused([&](Json& r) { array(r, 1, "a_to_b").set("dtype", Json::string("int64")); }, "results hop 1 array a_to_b: dtype must be int32, float32 or float64");
  refused([&](Json& r) { array(r, 1, "v").set("count", Json::number(97)); }, "results hop 1 array v: count 97, expected 96");
  refused([&](Json& r) { array(r, 0, "cost").set("offset", Json::number(12)); }, "results hop 0 array cost: offset 12 is not a multiple of 8");
  refused([&](Json& r) { array(r, 0, "score").set("offset", r.at("blob_bytes")); }, "results hop 0 array score lies outside the results'");
  refused([&](Json& r) { array(r, 0, "score").set("offset", Json::number(1e300)); }, "results hop 0 array score: offset must be an integer");
  refused([&](Json& r) { array(r, 1, "null_scores").set("count", Json::number(255)); }, "results hop 1 array null_scores: count 255, expected 96");
}

TEST_CASE("manifest.results: values are checked when read") {
  const BuiltPack b = build_pack();
  const Json man = b.manifest();
  const Json& hop = man.at("results").at("hops").arr[0];
  const std::vector<uint8_t> blob = b.concat(man.at("results").at("shards"));
  auto at = [&](const char* name) { return size_t(hop.at("arrays").at(name).at("offset").num); };
  auto read_with = [&](const std::function<void(std::vector<uint8_t>&)>& edit) {
    std::vector<uint8_t> x = blob;
    edit(x);
    return read_results(man, x.data(), x.size());
  };
  auto put_int = [&](std::vector<uint8_t>& x, size_t off, int32_t v) { std::memcpy(&x[off], &v, 4); };
  CHECK_THROWS_WITH(read_with([&](std::vector<uint8_t>& x) { put_int(x, at("a_to_b") + 4 * 3, 96); }), Catch::Contains("results hop 0: a_to_b[3] = 96 is outside -1..95"));
  CHECK_THROWS_WITH(read_with([&](std::vector<uint8_t>& x) { put_int(x, at("a_to_b") + 4 * 3, -7); }), Catch::Contains("a_to_b[3] = -7 is outside"));
  CHECK_THROWS_WITH(read_with([&](std::vector<uint8_t>& x) { int32_t j; std::memcpy(&j, &x[at("a_to_b")], 4); put_int(x, at("a_to_b") + 4, j); }),
                    Catch::Contains("results hop 0: a_to_b is not one-to-one (features 0 and 1"));
  CHECK_THROWS_WITH(read_with([&](std::vector<uint8_t>& x) { const double nan = std::nan(""); std::memcpy(&x[at("v") + 8 * 5], &nan, 8); }), Catch::Contains("results hop 0: v contains NaN or Inf"));
  CHECK_THROWS_WITH(read_with([&](std::vector<uint8_t>& x) { const float nan = std::nanf(""); std::memcpy(&x[at("cost") + 4 * 2], &nan, 4); }),
                    Catch::Contains("cost or score of matched feature 2 is not a finite number"));
}
