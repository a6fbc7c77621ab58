// Null baseline: planted continuations beat chance-level best matches; dead/born features do not.
#include "catch.hpp"
#include "saematch/match.h"
#include "saematch/null_baseline.h"
#include "saematch/synth.h"

using namespace saematch;

TEST_CASE("null baseline: planted hops beat the chance-level best score, unplanted ones do not") {
  SynthOptions so; so.layers = 2; so.F = 384; so.d = 64; so.noise = 0.08; so.death = 0.2; so.seed = 31;
  SynthModel m = make_synthetic(so);
  MatchOptions o;
  MatchResult r = match_saes(m.saes[0], m.saes[1], o);
  const CostWeights w;
  const MatF EA = feature_embedding(fold(m.saes[0]), w), EB = feature_embedding(fold(m.saes[1]), w);
  NullBaseline nb = null_baseline(EA, EB, 256, 5);
  REQUIRE(nb.best_scores.size() == 256);
  CHECK(std::is_sorted(nb.best_scores.begin(), nb.best_scores.end()));
  const float p99 = nb.quantile(0.99);
  // Best of 384 random directions in 64 dimensions: clearly above 0, far below a real match.
  CHECK(p99 > 0.2f);
  CHECK(p99 < 0.7f);
  int planted = 0, planted_beat = 0, unplanted = 0, unplanted_beat = 0;
  for (int i = 0; i < so.F; ++i) {
    const bool sig = r.score[size_t(i)] > p99;
    if (m.truth[0][size_t(i)] >= 0) { planted++; planted_beat += sig; }
    else { unplanted++; unplanted_beat += sig; }
  }
  REQUIRE(planted > 200);
  REQUIRE(unplanted > 30);
  CHECK(planted_beat >= 0.99 * planted);
  CHECK(unplanted_beat <= 0.05 * unplanted);
  // Same seed, same baseline.
  CHECK(null_baseline(EA, EB, 256, 5).best_scores == nb.best_scores);
}

TEST_CASE("null baseline: refuses embeddings of different width, empty input gives no samples") {
  MatF A = MatF::Ones(4, 3), B = MatF::Ones(4, 5);
  CHECK_THROWS_WITH(null_baseline(A, B, 10, 1), "null baseline: the layers' embeddings differ in width");
  CHECK(null_baseline(MatF(0, 3), MatF::Ones(4, 3), 10, 1).best_scores.empty());
}

TEST_CASE("null baseline from int8 rows equals the float baseline of the same (dequantised) rows, in blocks of B") {
  // FB > one block (1024 rows), so the block loop is exercised; w_dec = 2 scales both forms alike.
  SynthOptions so; so.layers = 2; so.F = 2500; so.d = 48; so.seed = 7;
  SynthModel m = make_synthetic(so);
  const CostWeights w{2.f, 0.f, 0.f, false};
  const QuantRows QA = quantise_rows(feature_embedding(fold(m.saes[0]), w));
  const QuantRows QB = quantise_rows(feature_embedding(fold(m.saes[1]), w));
  const NullBaseline from_rows = null_baseline(QA, QB, 300, 9);
  const NullBaseline from_floats = null_baseline(dequantise(QA), dequantise(QB), 300, 9);
  REQUIRE(from_rows.best_scores.size() == 300);
  for (size_t s = 0; s < 300; ++s) CHECK(from_rows.best_scores[s] == Approx(from_floats.best_scores[s]).margin(1e-5));
  CHECK(from_rows.quantile(0.99) > 0.2f);
  QuantRows narrow = quantise_rows(MatF::Ones(4, 3));
  CHECK_THROWS_WITH(null_baseline(QA, narrow, 10, 1), "null baseline: the layers' embeddings differ in width");
}

TEST_CASE("null baseline: its random directions are not the draws of a synthetic generator seeded alike") {
  // saematch synth's defaults (seed 1) and the first hop's baseline seed (1): with the same
  // std::mt19937_64 + normal_distribution stream the "random" directions were the generator's
  // own draws, and chance matched its features at scores of 0.99 (median 0.985 natively).
  SynthOptions so; so.layers = 2; so.F = 256; so.d = 32;
  SynthModel m = make_synthetic(so);
  const CostWeights w{1.f, 0.f, 0.f, false};
  const NullBaseline nb = null_baseline(feature_embedding(fold(m.saes[0]), w), feature_embedding(fold(m.saes[1]), w), 256, 1);
  // A random direction's best score against 256 features in 32 dimensions (NumPy on such
  // layers: median 0.465, largest of 256 samples 0.70).
  CHECK(nb.quantile(0.5) > 0.3f);
  CHECK(nb.quantile(0.5) < 0.6f);
  CHECK(nb.best_scores.back() < 0.85f);
}
