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
