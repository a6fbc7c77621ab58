// The explorer's engine functions: best partners and hop flags (against brute force and a
// planted split), method comparison, thresholds kept in packs, activations from .npy bytes.
#include "catch.hpp"
#include "helpers.h"
#include "saematch/activations.h"
#include "saematch/arrays.h"
#include "saematch/chains.h"
#include "saematch/compare.h"
#include "saematch/depth.h"
#include "saematch/neighbours.h"
#include "saematch/pack.h"
#include "saematch/pack_thresholds.h"
#include "saematch/synth.h"
#include <algorithm>
#include <numeric>

using namespace saematch;

namespace {
SynthModel small_model(uint64_t seed) {
  SynthOptions o; o.layers = 2; o.F = 200; o.d = 32; o.noise = 0.05; o.seed = seed;
  return make_synthetic(o);
}
MatF embedding(const Sae& s) { return feature_embedding(fold(s), CostWeights{}); }

// Layer B whose feature `twin` is a near copy of B's partner of A feature `f` (a planted split).
Sae with_split(const Sae& B, int partner, int twin) {
  Sae s = fold(B);
  s.W_dec.row(twin) = s.W_dec.row(partner) + 0.02f * th::random_matrix(1, s.d(), 5);
  return s;
}
}  // namespace

TEST_CASE("best partners of a feature equal the brute-force cheapest costs") {
  SynthModel m = small_model(3);
  const MatF EA = embedding(m.saes[0]), EB = embedding(m.saes[1]);
  const MatF C = dense_cost(EA, EB);
  const PairCosts pc = float_pair_costs(EA, EB);
  for (int i : {0, 17, 199}) {
    std::vector<int> idx(size_t(C.cols()));
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return C(i, a) < C(i, b); });
    auto best = best_of_row(pc.a_row(i), pc.nA[size_t(i)], pc.nB, 4);
    REQUIRE(best.size() == 4);
    for (size_t r = 0; r < 4; ++r) {
      CHECK(best[r].feature == idx[r]);
      CHECK(best[r].cost == Approx(C(i, idx[r])).margin(1e-5));
      CHECK(best[r].score == Approx(1.0 - C(i, idx[r]) / (EA.row(i).squaredNorm() + EB.row(idx[r]).squaredNorm())).margin(1e-5));
    }
    auto back = pc.b_row(idx[0]);  // column of C
    for (int a = 0; a < C.rows(); ++a) CHECK(back[size_t(a)] == Approx(C(a, idx[0])).margin(1e-4));
  }
}

TEST_CASE("explain_hop: margins to the chosen partner; a planted split is flagged, a clean hop is not") {
  SynthModel m = small_model(4);
  MatchOptions o;
  // A planted-persistent feature f and a B feature that no planted chain reaches (born there).
  int f = -1;
  for (int i = 0; i < 200 && f < 0; ++i) if (m.truth[0][size_t(i)] >= 0) f = i;
  const int partner = m.truth[0][size_t(f)];
  int twin = -1;
  for (int j = 0; j < 200 && twin < 0; ++j) if (std::find(m.truth[0].begin(), m.truth[0].end(), j) == m.truth[0].end()) twin = j;
  REQUIRE(twin >= 0);
  const Sae A = fold(m.saes[0]), B = with_split(m.saes[1], partner, twin);
  const MatchResult r = match_saes(A, B, o);
  const MatF EA = embedding(A), EB = embedding(B);
  const PairCosts pc = float_pair_costs(EA, EB);
  std::vector<float> matched(r.cost);
  const float threshold = quantile(matched, 0.9);
  const int to = r.a_to_b[size_t(f)];
  REQUIRE((to == partner || to == twin));
  HopView h = explain_hop(r, pc, f, 3, threshold);
  CHECK(h.to == to);
  CHECK(h.forward.size() == 4);
  // The chosen partner is listed with the matched cost; the best other candidate may even be
  // cheaper (the assignment is global), which makes the margin negative.
  auto chosen = std::find_if(h.forward.begin(), h.forward.end(), [&](const Candidate& c) { return c.feature == to; });
  REQUIRE(chosen != h.forward.end());
  CHECK(chosen->cost == Approx(r.cost[size_t(f)]).margin(1e-4));
  const Candidate& other = h.forward[0].feature == to ? h.forward[1] : h.forward[0];
  CHECK(h.margin_forward == Approx(other.cost - h.cost).margin(1e-6));
  CHECK(h.close_call == (std::min(h.margin_forward, h.margin_backward) <= 0.1f * h.cost));
  CHECK(h.split);
  CHECK(h.split_with == (to == partner ? twin : partner));
  CHECK_FALSE(h.merge);
  // Another planted hop with no twin: not a split, not a merge, not a close call.
  int g = -1;
  for (int i = f + 1; i < 200 && g < 0; ++i) if (m.truth[0][size_t(i)] >= 0 && r.a_to_b[size_t(i)] == m.truth[0][size_t(i)]) g = i;
  HopView c = explain_hop(r, pc, g, 3, threshold);
  CHECK_FALSE(c.split);
  CHECK_FALSE(c.merge);
  CHECK_FALSE(c.close_call);
  CHECK(c.margin_forward > 0);
  CHECK_THROWS_WITH(explain_hop(r, pc, 200, 3, threshold), Catch::Contains("feature 200 is not in this layer"));
  auto ex = cost_excerpt(pc, {f, g}, {to, r.a_to_b[size_t(g)]});
  CHECK(ex[0] == Approx(r.cost[size_t(f)]).margin(1e-4));
  CHECK(ex[3] == Approx(r.cost[size_t(g)]).margin(1e-4));
}

TEST_CASE("int8 pair costs equal the int8 matcher's costs") {
  SynthModel m = small_model(5);
  MatchOptions o; o.int8 = true;
  const MatF EA = embedding(m.saes[0]), EB = embedding(m.saes[1]);
  const QuantRows qa = quantise_rows(EA), qb = quantise_rows(EB);
  const MatchResult r = match_quantised(qa, qb, o);
  const PairCosts pc = quant_pair_costs(qa, qb);
  for (int i : {1, 50, 150}) {
    auto row = pc.a_row(i);
    CHECK(row[size_t(r.a_to_b[size_t(i)])] == Approx(r.cost[size_t(i)]).epsilon(1e-5));
  }
}

TEST_CASE("compare_methods: configured agrees with itself, top-1 cosine is the argmax, no folding matches raw weights") {
  SynthModel m = small_model(6);
  MatchOptions o;
  const Sae A = fold(m.saes[0]), B = fold(m.saes[1]);
  const MethodComparison c = compare_methods(A, &m.saes[0].threshold, B, &m.saes[1].threshold, o);
  REQUIRE(c.methods.size() == 4);
  CHECK(c.methods[0].key == "configured");
  CHECK(c.methods[0].agreement == 1.0);
  CHECK(c.methods[0].certified);
  const MatchResult ref = match_saes(m.saes[0], m.saes[1], o);
  CHECK(c.methods[0].a_to_b == ref.a_to_b);
  CHECK(c.methods[0].configured_total == Approx(ref.total).epsilon(1e-4));
  MatchOptions nf = o; nf.fold = false;
  CHECK(c.methods[1].a_to_b == match_saes(m.saes[0], m.saes[1], nf).a_to_b);
  // Every one-to-one alternative costs at least the optimum under the configured cost.
  for (auto& x : c.methods) if (x.one_to_one) CHECK(x.configured_total >= c.methods[0].configured_total - 1e-3);
  // top-1 cosine by brute force
  const MatF& da = A.W_dec; const MatF& db = B.W_dec;
  for (int i : {0, 99, 199}) {
    int best = 0; double bc = -2;
    for (int j = 0; j < db.rows(); ++j) {
      double cs = da.row(i).dot(db.row(j)) / (da.row(i).norm() * db.row(j).norm());
      if (cs > bc) { bc = cs; best = j; }
    }
    CHECK(c.methods[2].a_to_b[size_t(i)] == best);
  }
  size_t differ = 0;
  for (int i = 0; i < 200; ++i)
    for (auto& x : c.methods) if (x.a_to_b[size_t(i)] != c.methods[0].a_to_b[size_t(i)]) { ++differ; break; }
  CHECK(c.disagree.size() == differ);
  // Without thresholds, "no folding" says why it is unavailable.
  const MethodComparison u = compare_methods(A, nullptr, B, nullptr, o);
  CHECK_FALSE(u.methods[1].available);
  CHECK(u.methods[1].unavailable_reason.find("thresholds") != std::string::npos);
}

TEST_CASE("unfold undoes fold") {
  SynthModel m = small_model(7);
  const Sae back = unfold(fold(m.saes[0]), m.saes[0].threshold);
  CHECK((back.W_dec - m.saes[0].W_dec).cwiseAbs().maxCoeff() < 1e-4f);
  CHECK((back.W_enc - m.saes[0].W_enc).cwiseAbs().maxCoeff() < 1e-4f);
}

TEST_CASE("packs keep the raw JumpReLU thresholds") {
  SynthModel m = small_model(8);
  PackedLayer p = pack_single_layer(m.saes[0]);
  VecF t;
  REQUIRE(pack_layer_thresholds(p.entry, p.blob, t));
  CHECK((t - m.saes[0].threshold).cwiseAbs().maxCoeff() == 0.f);
  Sae relu = m.saes[0]; relu.act = Activation::ReLU; relu.threshold.resize(0);
  PackedLayer q = pack_single_layer(relu);
  VecF none;
  CHECK_FALSE(pack_layer_thresholds(q.entry, q.blob, none));
}

TEST_CASE("activations from .npy bytes: 2-D [N, d] or one clear sentence") {
  Tensor t; t.shape = {3, 4}; t.data.assign(12, 0.5f);
  auto b = write_npy(t);
  MatF x = activations_from_npy(b.data(), b.size(), "x_t");
  CHECK(x.rows() == 3); CHECK(x.cols() == 4);
  Tensor v; v.shape = {12}; v.data.assign(12, 1.f);
  auto bv = write_npy(v);
  CHECK_THROWS_WITH(activations_from_npy(bv.data(), bv.size(), "x_t"), "x_t: activations must be a 2-D array [N, d] (one row per token), got shape " + v.shape_str());
}

TEST_CASE("depth summary: persisting, dying and newborn counts add up; extremes sorted by cost") {
  SynthModel m = small_model(9);
  SynthOptions o3; o3.layers = 3; o3.F = 150; o3.d = 32; o3.seed = 9; o3.death = 0.2;
  SynthModel m3 = make_synthetic(o3);
  std::vector<MatchResult> ps;
  for (int l = 0; l < 2; ++l) ps.push_back(match_saes(m3.saes[size_t(l)], m3.saes[size_t(l) + 1], MatchOptions{}));
  ChainSet cs = build_chains(ps, 0.8);
  auto s = depth_summary(cs, 5);
  REQUIRE(s.size() == 2);
  for (size_t l = 0; l < 2; ++l) {
    int persisting = 0;
    for (int i = 0; i < 150; ++i) persisting += cs.pairs[l].cost[size_t(i)] <= cs.threshold[l];
    CHECK(s[l].persisting == persisting);
    CHECK(s[l].dying + s[l].persisting == 150);
    CHECK(s[l].newborn + s[l].persisting == 150);
    CHECK(s[l].share_persisting == Approx(persisting / 150.0));
    REQUIRE(s[l].best.size() == 5);
    CHECK(cs.pairs[l].cost[size_t(s[l].best[0])] <= cs.pairs[l].cost[size_t(s[l].best[4])]);
    CHECK(cs.pairs[l].cost[size_t(s[l].worst[0])] == *std::max_element(cs.pairs[l].cost.begin(), cs.pairs[l].cost.end()));
  }
}
