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
// The sparse path at these sizes, with the coarse screen whatever kernel is registered.
MatchOptions coarse_options() {
  MatchOptions o;
  o.dense_max = 64;
  o.screen = MatchOptions::Screen::On;
  return o;
}
// The exact int8 problem's dense cost matrix (from the dequantised rows) and its optimum.
MatF int8_dense_cost(const QuantRows& A, const QuantRows& B) { return dense_cost(dequantise(A), dequantise(B)); }
double optimum(const MatF& C) { return solve_lap_dense(C.data(), int(C.rows()), int(C.cols()), C.cols()).total; }
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

TEST_CASE("coarse costs lie within the bound the matcher uses of the exact int8 costs, odd rows included") {
  const int d = 64;
  QuantRows A = quantise_rows(random_rows(6, d, 3)), B = quantise_rows(random_rows(9, d, 4));
  // Row 0 of B all odd (the most halving can drop), row 1 all -127 / 127 (the range's ends).
  for (int k = 0; k < d; ++k) {
    int16_t& b0 = B.q[size_t(k)];
    if (b0 % 2 == 0) b0 = int16_t(b0 > 0 ? b0 - 1 : b0 + 1);
    B.q[size_t(B.stride) + size_t(k)] = int16_t(k % 2 ? 127 : -127);
  }
  prepare_int8_kernels(B);
  const CoarseRows C = coarsen(B);
  const VecF nA = squared_norms(A), nB = squared_norms(B);
  MatF exact, coarse;
  cost_rows_q(A, nA, B, nB, 0, 6, exact);
  coarse_cost_rows(A, nA, C, nB, 0, 6, coarse);
  double worst = 0;
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 9; ++j) {
      const double bound = 2.0 * std::sqrt(double(nA[i])) * C.err[j] * (1 + 1e-5) + 3e-6 * (double(nA[i]) + nB[j]);
      const double miss = std::abs(double(exact(i, j)) - double(coarse(i, j)));
      INFO("A row " << i << ", B row " << j << ": missed " << miss << ", bound " << bound);
      CHECK(miss <= bound);
      worst = std::max(worst, miss / bound);
    }
  CHECK(worst > 0.05);  // the bound is not vacuous: halving does move these costs
}

// Every row of B is 2h + r_j with one h for all rows: the coarse screen sees the same row
// everywhere, and only the dropped parts r_j (distinct 0/1 patterns) tell partners apart. A
// bound that under-counts what halving drops certifies a wrong assignment here.
TEST_CASE("partners that differ only in what halving drops are still found: the bound is what decides") {
  const int F = 256, d = 64;
  SplitMix rng(9);
  std::vector<int> h(d), perm(F);
  for (int& x : h) x = int(rng.below(121)) - 60;
  for (int j = 0; j < F; ++j) perm[size_t(j)] = j;
  for (int j = F - 1; j > 0; --j) std::swap(perm[size_t(j)], perm[size_t(rng.below(j + 1))]);
  QuantRows A, B;
  for (QuantRows* r : {&A, &B}) { r->rows = F; r->cols = d; r->stride = d; r->q.assign(size_t(F) * d, 0); r->scale = VecF::Constant(F, 0.01f); }
  for (int j = 0; j < F; ++j)
    for (int k = 0; k < d; ++k) {
      const int bit = int(rng.below(2));
      B.q[size_t(j) * d + size_t(k)] = int16_t(2 * h[size_t(k)] + bit);
      // A's row perm[j] leans towards B row j's pattern (+-40, a little noise).
      const int i = perm[size_t(j)];
      A.q[size_t(i) * d + size_t(k)] = int16_t((bit ? 40 : -40) + int(rng.below(7)) - 3);
    }
  prepare_int8_kernels(A); prepare_int8_kernels(B);
  const MatchResult r = match_quantised(A, B, coarse_options());
  REQUIRE(r.method.find("coarse screen") != std::string::npos);
  CHECK(r.certified);
  int found = 0;  // A row perm[j] leans towards B row j's pattern: each row's best by far
  for (int j = 0; j < F; ++j) found += r.a_to_b[size_t(perm[size_t(j)])] == j;
  CHECK(found == F);
}

TEST_CASE("an int8 problem screened coarsely keeps the exact int8 optimum") {
  ClusteredOptions co;
  co.F = 1024; co.d = 128; co.seed = 5; co.partner_mean = 0.5;
  const ClusteredPair p = make_clustered_pair(co);
  const QuantRows A = quantise_rows(p.A), B = quantise_rows(p.B);
  const MatF C = int8_dense_cost(A, B);
  const double opt = optimum(C);
  MatchOptions o = coarse_options();
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
    const double opt2 = optimum(int8_dense_cost(A2, B));
    const MatchResult r = match_quantised(A2, B, o);
    CHECK(r.method.find("coarse screen") != std::string::npos);
    CHECK(r.certified);
    CHECK(r.total == Approx(opt2).epsilon(2e-6));
  }
}

TEST_CASE("near-tie families as int8 rows, screened coarsely: certified at the dense optimum") {
  const ClusteredPair p = make_clustered_pair(near_tie_options(1024, 256, 7));
  const QuantRows A = quantise_rows(p.A), B = quantise_rows(p.B);
  const double opt = optimum(int8_dense_cost(A, B));
  const MatchResult r = match_quantised(A, B, coarse_options());
  CHECK(r.method.find("coarse screen") != std::string::npos);
  CHECK(r.certified);
  CHECK(r.total == Approx(opt).epsilon(2e-6));
}
