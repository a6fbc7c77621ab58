// Matching SAEs: planted permutations recovered, folding matters, sparse path certified,
// chains, quantised weights, layer-skip evaluation.
#include "catch.hpp"
#include "helpers.h"
#include "saematch/chains.h"
#include "saematch/error.h"
#include "saematch/int8_cost.h"
#include "saematch/layerskip.h"
#include "saematch/match.h"
#include "saematch/pack.h"
#include "saematch/quant.h"
#include "saematch/synth.h"
#include <numeric>
#include <random>

using namespace saematch;

namespace {
SynthOptions small(double noise, double spread, uint64_t seed) {
  SynthOptions o; o.layers = 3; o.F = 384; o.d = 64; o.noise = noise; o.theta_spread = spread; o.seed = seed;
  return o;
}
}  // namespace

TEST_CASE("matching with folding recovers >= 99% of planted persistent pairs at low noise") {
  SynthModel m = make_synthetic(small(0.05, 1.0, 21));
  MatchOptions o;
  for (int l = 0; l < 2; ++l) {
    MatchResult r = match_saes(m.saes[size_t(l)], m.saes[size_t(l) + 1], o);
    CHECK(r.certified);
    CHECK(recovery(m.truth[size_t(l)], r.a_to_b) >= 0.99);
  }
}

TEST_CASE("folding beats no folding when thresholds vary strongly") {
  SynthModel m = make_synthetic(small(0.05, 1.5, 22));
  MatchOptions with, without;
  without.fold = false;
  double a = recovery(m.truth[0], match_saes(m.saes[0], m.saes[1], with).a_to_b);
  double b = recovery(m.truth[0], match_saes(m.saes[0], m.saes[1], without).a_to_b);
  CHECK(a >= 0.99);
  CHECK(b < a - 0.2);
}

TEST_CASE("encoder, bias and cosine cost options still recover the planted pairs") {
  SynthModel m = make_synthetic(small(0.05, 1.0, 23));
  MatchOptions o;
  o.weights.w_enc = 1; o.weights.w_b = 1;
  CHECK(recovery(m.truth[0], match_saes(m.saes[0], m.saes[1], o).a_to_b) >= 0.99);
  MatchOptions c;
  c.weights.cosine = true;
  CHECK(recovery(m.truth[0], match_saes(m.saes[0], m.saes[1], c).a_to_b) >= 0.99);
  MatchOptions bad;
  bad.weights.w_dec = -1;
  CHECK_THROWS_AS(match_saes(m.saes[0], m.saes[1], bad), Error);
}

TEST_CASE("the sparse top-k path is certified and reaches the dense optimum") {
  SynthModel m = make_synthetic(small(0.3, 1.0, 24));  // noisy: top-k alone is not enough
  MatchOptions dense;
  MatchResult d = match_saes(m.saes[0], m.saes[1], dense);
  for (auto screen : {MatchOptions::Screen::Off, MatchOptions::Screen::On}) {
    const bool screened = screen == MatchOptions::Screen::On;
    INFO("int8 screen " << screened);
    MatchOptions sparse;
    sparse.dense_max = 1; sparse.topk = 2; sparse.screen = screen;
    MatchResult s = match_saes(m.saes[0], m.saes[1], sparse);
    CHECK(s.method == (screened ? "sparse+certify (int8 screen)" : "sparse+certify"));
    CHECK(s.certified);
    CHECK(s.total == Approx(d.total).epsilon(1e-5));
    CHECK(s.candidate_edges < int64_t(384) * 384 / 4);
    CHECK((s.exact_pairs > 0) == screened);  // the screen could not decide everything here
    // Capped rounds: not certified, but an honest bound on the gap.
    MatchOptions capped = sparse;
    capped.max_rounds = 1; capped.topk = 1;
    MatchResult c = match_saes(m.saes[0], m.saes[1], capped);
    if (!c.certified) CHECK(c.total - c.gap_bound <= d.total + 1e-3);
  }
}

TEST_CASE("first-pass bounds certify most rows without computing their costs again") {
  // Clean pairs (low noise), wide rows: the row thresholds of the candidate pass settle almost
  // every row; with the screen, its error bound (norms here span 100x) leaves more, not most.
  SynthOptions so = small(0.05, 1.0, 41);
  so.F = 1200; so.d = 256;
  SynthModel m = make_synthetic(so);
  MatchResult d = match_saes(m.saes[0], m.saes[1], MatchOptions{});
  for (auto screen : {MatchOptions::Screen::Off, MatchOptions::Screen::On}) {
    MatchOptions o;
    o.dense_max = 1; o.screen = screen;
    MatchResult s = match_saes(m.saes[0], m.saes[1], o);
    CHECK(s.certified);
    CHECK(s.total == Approx(d.total).epsilon(1e-5));
    INFO("int8 screen " << (screen == MatchOptions::Screen::On) << ", exact pairs " << s.exact_pairs);
    CHECK(s.rows_restreamed < (screen == MatchOptions::Screen::On ? so.F / 2 : so.F / 10));
    int same = 0;
    for (int i = 0; i < so.F; ++i) same += s.a_to_b[size_t(i)] == d.a_to_b[size_t(i)];
    CHECK(same == so.F);
  }
}

TEST_CASE("rows of very different kinds in turn: selection cutoffs guessed from the last row fall back, same optimum") {
  // The candidate pass starts each row's rankings at the previous row's cutoff (per unit norm).
  // Here even rows sit in a dense cluster of B rows (their 140th best cosine is high) and odd
  // rows do not, so the guess carried from an even row is too tight for the next odd row and
  // that row must be scanned again. The result must not change.
  const int F = 600, d = 64;
  std::mt19937_64 rng(77);
  std::normal_distribution<float> g(0.f, 1.f);
  auto unit = [&](MatF& m, int i) { for (int k = 0; k < d; ++k) m(i, k) = g(rng); m.row(i).normalize(); };
  MatF B(F, d), A(F, d), c(1, d);
  unit(c, 0);
  for (int j = 0; j < F; ++j) {
    if (j < 300) { for (int k = 0; k < d; ++k) B(j, k) = c(0, k) + 0.15f * g(rng) / std::sqrt(float(d)); B.row(j).normalize(); }
    else unit(B, j);
  }
  for (int i = 0; i < F; ++i) {
    const int partner = i % 2 == 0 ? i / 2 : 300 + i / 2;  // even rows: a cluster row; odd: a loner
    for (int k = 0; k < d; ++k) A(i, k) = B(partner, k) + 0.05f * g(rng) / std::sqrt(float(d));
  }
  MatchResult dense = match_embeddings(A, B, MatchOptions{});
  for (auto screen : {MatchOptions::Screen::Off, MatchOptions::Screen::On}) {
    INFO("int8 screen " << (screen == MatchOptions::Screen::On));
    MatchOptions o;
    o.dense_max = 1; o.screen = screen;
    std::vector<std::string> lines;
    o.trace = [&](const std::string& line) { lines.push_back(line); };
    MatchResult s = match_embeddings(A, B, o);
    CHECK(s.certified);
    CHECK(s.total == Approx(dense.total).epsilon(1e-5));
    CHECK(s.a_to_b == dense.a_to_b);
    int rescans = -1;
    for (auto& l : lines)
      if (l.rfind("candidate pass ", 0) == 0) rescans = std::atoi(l.substr(l.find(", ") + 2).c_str());
    INFO("rows scanned twice: " << rescans);
    CHECK(rescans > 10);
  }
}

TEST_CASE("the start-up warm-up match runs the sparse path and recovers its planted partners") {
  MatchResult r = warm_up_matcher();
  CHECK(r.method == "sparse+certify int8");
  CHECK(r.certified);
  int found = 0;
  for (int j = 0; j < 2048; ++j) found += r.a_to_b[size_t((7 * j + 3) % 2048)] == j;
  CHECK(found == 2048);
}

TEST_CASE("cost matrix: brute-force cost of the returned pairs") {
  SynthModel m = make_synthetic(small(0.05, 1.0, 25));
  MatchOptions o; o.weights.w_enc = 0.5f; o.weights.w_b = 2.f;
  MatchResult r = match_saes(m.saes[0], m.saes[1], o);
  Sae a = fold(m.saes[0]), b = fold(m.saes[1]);
  for (int i : {0, 7, 100}) {
    int j = r.a_to_b[size_t(i)];
    double c = (a.W_dec.row(i) - b.W_dec.row(j)).squaredNorm() + 0.5 * (a.W_enc.col(i) - b.W_enc.col(j)).squaredNorm() +
               2.0 * std::pow(a.b_enc[i] - b.b_enc[j], 2);
    CHECK(r.cost[size_t(i)] == Approx(c).epsilon(1e-3).margin(1e-5));
  }
}

TEST_CASE("rectangular matches report the unmatched side, both directions") {
  SynthOptions so = small(0.05, 1.0, 26);
  SynthModel m = make_synthetic(so);
  Sae big = m.saes[1], cut = m.saes[1];
  cut.W_dec = big.W_dec.topRows(300); cut.W_enc = big.W_enc.leftCols(300); cut.b_enc = big.b_enc.head(300); cut.threshold = big.threshold.head(300);
  for (int dm : {6144, 1}) {
    MatchOptions o; o.dense_max = dm;
    MatchResult r = match_saes(m.saes[0], cut, o);
    CHECK(r.FA == 384); CHECK(r.FB == 300);
    CHECK(std::count(r.a_to_b.begin(), r.a_to_b.end(), -1) == 84);
    CHECK(r.unmatched_b.empty());
    MatchResult t = match_saes(cut, m.saes[0], o);
    CHECK(t.unmatched_b.size() == 84);
    CHECK(t.total == Approx(r.total).epsilon(1e-5));
    CHECK(r.certified);
  }
}

TEST_CASE("d_model mismatch between layers is refused") {
  SynthOptions a = small(0.05, 1.0, 27), b = a;
  b.d = 32;
  CHECK_THROWS_WITH(match_saes(make_synthetic(a).saes[0], make_synthetic(b).saes[0], MatchOptions{}), Catch::Contains("d_model mismatch"));
}

TEST_CASE("chains follow planted features through all layers and flag dying ones") {
  SynthOptions so = small(0.05, 1.0, 28);
  so.layers = 5; so.death = 0.1;
  SynthModel m = make_synthetic(so);
  std::vector<MatchResult> pairs;
  for (int l = 0; l + 1 < so.layers; ++l) pairs.push_back(match_saes(m.saes[size_t(l)], m.saes[size_t(l) + 1], MatchOptions{}));
  ChainSet cs = build_chains(pairs, 0.85);
  int checked = 0, dead_flagged = 0, dead = 0;
  for (int f = 0; f < so.F; ++f) {
    // Planted chain from layer 2 forward and backward.
    std::vector<int> truth(size_t(so.layers), -1);
    truth[2] = f;
    bool whole = true;
    for (int l = 2; l + 1 < so.layers && whole; ++l) { truth[size_t(l) + 1] = m.truth[size_t(l)][size_t(truth[size_t(l)])]; whole = truth[size_t(l) + 1] >= 0; }
    for (int l = 2; l > 0 && whole; --l) {
      auto& t = m.truth[size_t(l) - 1];
      auto it = std::find(t.begin(), t.end(), truth[size_t(l)]);
      whole = it != t.end();
      if (whole) truth[size_t(l) - 1] = int(it - t.begin());
    }
    Chain c = cs.chain_through(2, f);
    if (whole) { ++checked; CHECK(c.feature == truth); }
    // A feature of layer 0 whose concept dies at hop 0 should not be called persisting there.
    if (f < so.F && m.truth[0][size_t(f)] < 0) { ++dead; dead_flagged += !cs.chain_through(0, f).hops[0].persisting; }
  }
  CHECK(checked > so.F / 2);
  CHECK(dead > 10);
  CHECK(dead_flagged >= dead * 9 / 10);
  // Composed 0->4 equals direct 0->4 matching on most features.
  std::vector<int> comp = pairs[0].a_to_b;
  for (size_t l = 1; l < pairs.size(); ++l) comp = compose(comp, pairs[l].a_to_b);
  MatchResult direct = match_saes(m.saes[0], m.saes[4], MatchOptions{});
  CHECK(agreement(comp, direct.a_to_b) > 0.6);
  CHECK_THROWS_AS(build_chains(pairs, 1.5), Error);
}

TEST_CASE("quantile interpolates and ignores NaN") {
  CHECK(quantile({1, 2, 3, 4, NAN}, 0.5) == Approx(2.5));
  CHECK(quantile({5}, 0.9) == 5);
}

TEST_CASE("int8 quantised weights match like fp32 on >= 99% of pairs") {
  SynthModel m = make_synthetic(small(0.05, 1.0, 29));
  MatchOptions o;
  MatchResult full = match_saes(m.saes[0], m.saes[1], o);
  PackOptions po;
  auto files = make_pack({m.saes[0], m.saes[1]}, {}, po);
  // Reassemble each layer from its shards and rebuild the SAE.
  auto manifest = Json::parse(std::string(files[0].bytes.begin(), files[0].bytes.end()));
  std::vector<Sae> q;
  size_t next = 1;
  for (auto& layer : manifest.at("layers").arr) {
    std::vector<uint8_t> blob;
    for (size_t s = 0; s < layer.at("shards").arr.size(); ++s, ++next) blob.insert(blob.end(), files[next].bytes.begin(), files[next].bytes.end());
    q.push_back(pack_layer_to_sae(layer, blob.data(), blob.size()));
  }
  MatchResult qr = match_saes(q[0], q[1], o);
  CHECK(agreement(full.a_to_b, qr.a_to_b) >= 0.99);
}

TEST_CASE("layer skip with the matched permutation explains x_t+1; a random permutation does not") {
  SynthOptions so = small(0.05, 1.0, 30);
  so.d = 128; so.F = 256;
  SynthModel m = make_synthetic(so);
  MatF x0, x1;
  synthetic_activations(m, so, 0, 1500, 5, x0, x1);
  MatchResult r = match_saes(m.saes[0], m.saes[1], MatchOptions{});
  LayerSkipReport rep = evaluate_layer_skip(m.saes[0], m.saes[1], r.a_to_b, x0, x1);
  std::vector<int> shuffled(r.a_to_b);
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(3));
  LayerSkipReport bad = evaluate_layer_skip(m.saes[0], m.saes[1], shuffled, x0, x1);
  CHECK(rep.ev_skip > 0.85);
  CHECK(bad.ev_skip < rep.ev_skip - 0.5);
  CHECK(rep.ev_reconstruct > 0.9);
  CHECK(explained_variance(x1, x1) == 1.0);
  CHECK_THROWS_WITH(evaluate_layer_skip(m.saes[0], m.saes[1], r.a_to_b, x0, x1.topRows(10)), Catch::Contains("rows"));
}

TEST_CASE("sparse path with dead/newborn features and spread norms certifies the dense optimum") {
  // Like real adjacent layers: most features continue (noisy, rescaled), 10% die and are
  // replaced by unrelated ones, norms span 10x. F is large next to the candidate pool, so
  // certification has to find the missing edges by streaming.
  const int F = 1500, d = 24;
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.f, 1.f);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  MatF A(F, d), B(F, d);
  std::vector<int> perm(static_cast<size_t>(F));
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), rng);
  for (int i = 0; i < F; ++i) {
    float gain = std::pow(10.f, u(rng) - 0.5f);
    bool survives = u(rng) < 0.9f;
    for (int c = 0; c < d; ++c) {
      float base = g(rng);
      A(i, c) = gain * base;
      B(perm[size_t(i)], c) = gain * (0.8f + 0.4f * u(rng)) * (survives ? base + 0.2f * g(rng) : g(rng));
    }
  }
  MatchOptions dense;
  MatchResult dr = match_embeddings(A, B, dense);
  for (auto screen : {MatchOptions::Screen::Off, MatchOptions::Screen::On}) {
    INFO("int8 screen " << (screen == MatchOptions::Screen::On));
    MatchOptions sparse;
    sparse.dense_max = 1; sparse.topk = 8; sparse.screen = screen;
    MatchResult sr = match_embeddings(A, B, sparse);
    CHECK(sr.method.rfind("sparse+certify", 0) == 0);
    CHECK(sr.certified);
    CHECK(sr.rounds > 1);
    CHECK(sr.total == Approx(dr.total).epsilon(1e-5));
    int same = 0;
    for (int i = 0; i < F; ++i) same += sr.a_to_b[size_t(i)] == dr.a_to_b[size_t(i)];
    CHECK(same >= F * 99 / 100);  // ties aside, the same assignment
  }
}

TEST_CASE("int8 cost kernel: exact integer dots, same optimum as floats on the dequantised rows") {
  // Kernel against a scalar reference, sizes that exercise the SIMD tiles and the remainders.
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> q(-127, 127);
  const int na = 5, nb = 70, stride = 24;
  std::vector<int16_t> A(size_t(na) * stride), B(size_t(nb) * stride);
  for (auto& v : A) v = int16_t(q(rng));
  for (auto& v : B) v = int16_t(q(rng));
  std::vector<int32_t> out(size_t(na) * nb);
  dot_block_i16(A.data(), na, B.data(), nb, stride, out.data());
  // The fastest kernel of this build (VNNI natively where the CPU has it) on whole rows,
  // 13 x 70: a full 8-row tile plus a remainder, two full 32-row panels plus a partial one.
  {
    MatF X = MatF::Random(13, 40), Y = MatF::Random(70, 40);
    QuantRows QX = quantise_rows(X), QY = quantise_rows(Y);
    std::vector<int32_t> got(size_t(13) * 70);
    dot_rows_q(QX, 2, 13, QY, got.data());
    int bad = 0;
    for (int i = 2; i < 13; ++i)
      for (int j = 0; j < 70; ++j) {
        int32_t ref = 0;
        for (int k = 0; k < QX.stride; ++k) ref += int32_t(QX.q[size_t(i) * QX.stride + k]) * QY.q[size_t(j) * QY.stride + k];
        bad += got[size_t(i - 2) * 70 + j] != ref;
      }
    CHECK(bad == 0);
  }
  int wrong = 0;
  for (int i = 0; i < na; ++i)
    for (int j = 0; j < nb; ++j) {
      int32_t ref = 0;
      for (int k = 0; k < stride; ++k) ref += int32_t(A[size_t(i) * stride + k]) * B[size_t(j) * stride + k];
      wrong += out[size_t(i) * nb + j] != ref;
    }
  CHECK(wrong == 0);

  // Re-quantising int8 rows (as packs store them) gives back the same integers and scales.
  SynthModel m = make_synthetic(small(0.05, 1.0, 31));
  MatF EA = feature_embedding(fold(m.saes[0]), CostWeights{}), EB = feature_embedding(fold(m.saes[1]), CostWeights{});
  QuantRows QA = quantise_rows(EA), again = quantise_rows(dequantise(QA));
  CHECK(again.q == QA.q);
  CHECK((again.scale - QA.scale).cwiseAbs().maxCoeff() <= 1e-6f * QA.scale.maxCoeff());

  for (int dense_max : {6144, 1}) {
    MatchOptions fo, io;
    fo.dense_max = io.dense_max = dense_max;
    fo.screen = MatchOptions::Screen::Off;
    io.int8 = true;
    MatchResult f = match_embeddings(dequantise(QA), dequantise(quantise_rows(EB)), fo);
    MatchResult i8 = match_embeddings(EA, EB, io);
    CHECK(i8.method == f.method + " int8");
    CHECK(i8.certified);
    CHECK(i8.total == Approx(f.total).epsilon(1e-5));
    int same = 0;
    for (int i = 0; i < f.FA; ++i) same += f.a_to_b[size_t(i)] == i8.a_to_b[size_t(i)];
    CHECK(same == f.FA);
    CHECK(recovery(m.truth[0], i8.a_to_b) >= 0.99);
  }
}

TEST_CASE("int8 pack decoders match directly, as their expanded layers would") {
  // What the app does for decoder-only costs: no float copy of either layer.
  SynthModel m = make_synthetic(small(0.05, 1.0, 33));
  PackedLayer pa = pack_single_layer(m.saes[0]), pb = pack_single_layer(m.saes[1]);
  QuantRows qa, qb;
  REQUIRE(pa.decoder_rows(qa));
  REQUIRE(pb.decoder_rows(qb));
  for (int dense_max : {6144, 1}) {
    MatchOptions o;
    o.dense_max = dense_max; o.int8 = true;
    MatchResult direct = match_quantised(qa, qb, o);
    MatchResult expanded = match_saes(pa.expand(), pb.expand(), o);
    CHECK(direct.method == expanded.method);
    CHECK(direct.certified);
    CHECK(direct.total == Approx(expanded.total).epsilon(1e-5));
    CHECK(direct.a_to_b == expanded.a_to_b);
  }
  // Norms straight from the pack agree with the expanded decoder's.
  std::vector<float> norms = pa.decoder_norms();
  Sae ea = pa.expand();
  float worst = 0;
  for (int i = 0; i < ea.F(); ++i) worst = std::max(worst, std::abs(norms[size_t(i)] - ea.W_dec.row(i).norm()));
  CHECK(worst <= 1e-5f * ea.W_dec.rowwise().norm().maxCoeff());
  // Cost weight w_dec scales every cost by w_dec.
  QuantRows qa3, qb3;
  pa.decoder_rows(qa3, 3.f); pb.decoder_rows(qb3, 3.f);
  MatchOptions o;
  o.int8 = true;
  CHECK(match_quantised(qa3, qb3, o).total == Approx(3 * match_quantised(qa, qb, o).total).epsilon(1e-5));
  // fp16 packs have no int8 rows to share; a cut blob is refused with a reason.
  QuantRows none;
  CHECK_FALSE(pack_single_layer(m.saes[0], "fp16").decoder_rows(none));
  PackedLayer cut = pa;
  cut.blob.resize(cut.blob.size() / 3);
  CHECK_THROWS_WITH(cut.decoder_rows(none), Catch::Contains("outside the layer data"));
}
