// The coarse screen of int8 problems (coarse_dot.h): B's rows halved to 7 bits for the
// relaxed-SIMD kernel, with a rigorous bound, and still the exact optimum of the int8 problem.
#include "catch.hpp"
#include "saematch/coarse_dot.h"
#include "saematch/cost.h"
#include "saematch/lap.h"
#include "saematch/match.h"
#include "saematch/splitmix.h"
#include "saematch/synth.h"
#include "saematch/verify_duals.h"
#include <cmath>

using namespace saematch;

namespace {
MatF random_rows(int n, int d, uint64_t seed) {
  SplitMix rng(seed);
  MatF m(n, d);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < d; ++k) m(i, k) = float(rng.normal());
  return m;
}
int16_t q_at(const QuantRows& r, int i, int k) { return r.q[size_t(i) * size_t(r.stride) + size_t(k)]; }
}  // namespace

TEST_CASE("coarse dots are A times twice the halved B, exactly, and within |a| |r| of the int8 dots") {
  const int d = 37;  // not a multiple of the kernel's 16: padding must add nothing
  const QuantRows A = quantise_rows(random_rows(7, d, 1)), B = quantise_rows(random_rows(10, d, 2));
  const CoarseRows C = coarsen(B);
  REQUIRE(C.stride == 48);
  REQUIRE(C.padded_rows == 12);
  const int r0 = 1, r1 = 6;  // an odd count of A's rows, not from the first
  std::vector<int32_t> out(size_t(r1 - r0) * 10);
  coarse_dot_rows(A, r0, r1, C, out.data());
  bool extremes = false;
  for (int i = r0; i < r1; ++i)
    for (int j = 0; j < 10; ++j) {
      int64_t halved = 0, full = 0, a2 = 0, odd = 0;
      for (int k = 0; k < d; ++k) {
        const int a = q_at(A, i, k), b = q_at(B, j, k);
        const int h = int(std::floor(b / 2.0));
        halved += int64_t(a) * 2 * h; full += int64_t(a) * b; a2 += a * a; odd += b - 2 * h;
        extremes |= b == -127 || b == 127;
      }
      INFO("A row " << i << ", B row " << j);
      CHECK(out[size_t(i - r0) * 10 + size_t(j)] == halved);
      CHECK(std::abs(double(full - halved)) <= std::sqrt(double(a2)) * std::sqrt(double(odd)) + 1e-9);
      CHECK(C.err[j] == Approx(B.scale[j] * std::sqrt(double(odd))).epsilon(1e-5));
    }
  CHECK(extremes);  // each row's largest value quantises to +-127: the ends of the 7-bit range
}

TEST_CASE("an int8 problem screened coarsely keeps the exact int8 optimum") {
  ClusteredOptions co;
  co.F = 1024; co.d = 128; co.seed = 5; co.partner_mean = 0.5;
  const ClusteredPair p = make_clustered_pair(co);
  const QuantRows A = quantise_rows(p.A), B = quantise_rows(p.B);
  const MatF C = dense_cost(dequantise(A), dequantise(B));
  const double opt = solve_lap_dense(C.data(), int(C.rows()), int(C.cols()), C.cols()).total;
  MatchOptions o;
  o.dense_max = 64;  // the sparse path at this size
  o.screen = MatchOptions::Screen::Off;
  const MatchResult exact = match_quantised(A, B, o);
  o.screen = MatchOptions::Screen::On;
  const MatchResult coarse = match_quantised(A, B, o);
  CHECK(exact.method.find("coarse") == std::string::npos);
  CHECK(coarse.method.find("coarse screen") != std::string::npos);
  CHECK(exact.certified);
  CHECK(coarse.certified);
  CHECK(exact.total == Approx(opt).epsilon(2e-6));
  CHECK(coarse.total == Approx(opt).epsilon(2e-6));
  double recomputed = 0;
  for (int i = 0; i < co.F; ++i) recomputed += C(i, coarse.a_to_b[size_t(i)]);
  CHECK(recomputed == Approx(opt).epsilon(2e-6));
  // The bound was really used: some pairs it could not decide were priced exactly.
  CHECK(coarse.exact_pairs > 0);

  SECTION("its duals verify through the coarse screen too, and a wrong dual fails") {
    DualCertificate cert{coarse.a_to_b, coarse.u, coarse.v, coarse.total, 0};
    const VerifyReport ok = verify_quantised(A, B, cert, o);
    CHECK(ok.passed);
    CHECK(ok.exact_pairs > 0);  // screened: the pairs the bound could not decide were priced
    cert.u[3] += 0.1 * coarse.total / co.F;  // row 3's matched pair is no longer tight
    const VerifyReport bad = verify_quantised(A, B, cert, o);
    CHECK_FALSE(bad.passed);
    CHECK(bad.violations > 0);
  }

  SECTION("fewer features in A than in B: still screened, still the optimum") {
    QuantRows A2 = subset_rows(A, std::vector<int>([] { std::vector<int> ids(900); for (int i = 0; i < 900; ++i) ids[size_t(i)] = i; return ids; }()).data(), 900);
    const MatF C2 = dense_cost(dequantise(A2), dequantise(B));
    const double opt2 = solve_lap_dense(C2.data(), int(C2.rows()), int(C2.cols()), C2.cols()).total;
    const MatchResult r = match_quantised(A2, B, o);
    CHECK(r.method.find("coarse screen") != std::string::npos);
    CHECK(r.certified);
    CHECK(r.total == Approx(opt2).epsilon(2e-6));
  }
}
