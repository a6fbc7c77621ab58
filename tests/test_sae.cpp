// SAE model: encode/decode, folding invariance, input validation.
#include "catch.hpp"
#include "helpers.h"
#include "saematch/error.h"
#include "saematch/synth.h"

using namespace saematch;

namespace {
Sae random_jumprelu(int F, int d, uint64_t seed) {
  Sae s;
  s.act = Activation::JumpReLU;
  s.W_enc = th::random_matrix(d, F, seed);
  s.W_dec = th::random_matrix(F, d, seed + 1);
  s.b_enc = th::random_matrix(F, 1, seed + 2, 0.1f);
  s.b_dec = th::random_matrix(d, 1, seed + 3, 0.1f);
  s.threshold = (th::random_matrix(F, 1, seed + 4).array().abs() + 0.05f).matrix();
  return s;
}
}  // namespace

TEST_CASE("folding leaves decode(encode(x)) unchanged (1e-5 relative)") {
  Sae s = random_jumprelu(128, 32, 11);
  MatF x = th::random_matrix(200, 32, 12, 2.f);
  MatF y0 = s.decode(s.encode(x));
  Sae f = fold(s);
  CHECK(f.threshold.isOnes());
  MatF y1 = f.decode(f.encode(x));
  double rel = (y0 - y1).norm() / y0.norm();
  CHECK(rel < 1e-5);
  CHECK((s.encode(x).array() > 0).count() > 100);  // the test exercises real activations
  // Folded encoder column i is the original divided by theta_i.
  CHECK(f.W_enc(3, 5) == Approx(s.W_enc(3, 5) / s.threshold[5]));
  CHECK(f.W_dec(5, 3) == Approx(s.W_dec(5, 3) * s.threshold[5]));
}

TEST_CASE("folding is the identity for ReLU and TopK SAEs") {
  Sae s = random_jumprelu(32, 8, 3);
  s.act = Activation::ReLU; s.threshold.resize(0);
  Sae f = fold(s);
  CHECK(f.W_dec == s.W_dec); CHECK(f.W_enc == s.W_enc);
  CHECK_FALSE(folding_changes(s));
}

TEST_CASE("bad thresholds and values are refused with a reason") {
  Sae s = random_jumprelu(16, 4, 5);
  s.threshold[3] = 0;
  CHECK_THROWS_WITH(fold(s), Catch::Contains("threshold[3]"));
  s.threshold[3] = -1;
  CHECK_THROWS_AS(fold(s), Error);
  Sae n = random_jumprelu(16, 4, 6);
  n.W_dec(2, 1) = NAN;
  CHECK_THROWS_WITH(n.validate("x"), Catch::Contains("W_dec contains NaN"));
  Sae b = random_jumprelu(16, 4, 7);
  b.b_enc.resize(15);
  CHECK_THROWS_WITH(b.validate("x"), Catch::Contains("b_enc"));
}

TEST_CASE("TopK keeps exactly k activations per row") {
  Sae s = random_jumprelu(64, 16, 9);
  s.act = Activation::TopK; s.topk = 5;
  MatF f = s.encode(th::random_matrix(50, 16, 10, 3.f));
  for (int r = 0; r < f.rows(); ++r) CHECK((f.row(r).array() > 0).count() <= 5);
  CHECK((f.array() > 0).count() > 50 * 3);
}

TEST_CASE("activations with the wrong width are refused") {
  Sae s = random_jumprelu(16, 4, 13);
  CHECK_THROWS_WITH(s.encode(MatF::Zero(3, 5)), Catch::Contains("d_model=5"));
}
