// Exact assignment: brute force, SciPy's optimum, dual certificates, rectangular problems.
#include "catch.hpp"
#include "helpers.h"
#include "saematch/cost.h"
#include "saematch/error.h"
#include "saematch/lap.h"
#include "saematch/synth.h"
#include <algorithm>
#include <cmath>
#include <numeric>

using namespace saematch;

namespace {
double brute_force(const MatF& c) {
  std::vector<int> p(size_t(c.cols()));
  std::iota(p.begin(), p.end(), 0);
  double best = 1e300;
  do {
    double s = 0;
    for (int i = 0; i < c.rows(); ++i) s += c(i, p[size_t(i)]);
    best = std::min(best, s);
  } while (std::next_permutation(p.begin(), p.end()));
  return best;
}
// c_ij - u_i - v_j >= 0 everywhere, = 0 on the assignment.
void check_certificate(const MatF& c, const LapResult& r) {
  double worst = 0, slack = 0;
  for (int i = 0; i < c.rows(); ++i)
    for (int j = 0; j < c.cols(); ++j) worst = std::min(worst, double(c(i, j)) - r.u[size_t(i)] - r.v[size_t(j)]);
  for (int i = 0; i < c.rows(); ++i)
    if (r.row_to_col[size_t(i)] >= 0) slack = std::max(slack, std::fabs(double(c(i, r.row_to_col[size_t(i)])) - r.u[size_t(i)] - r.v[size_t(r.row_to_col[size_t(i)])]));
  CHECK(worst > -1e-5);
  CHECK(slack < 1e-5);
}
}  // namespace

TEST_CASE("dense LAP equals brute force on small random instances") {
  for (int seed = 0; seed < 40; ++seed) {
    int n = 1 + seed % 7;
    MatF c = th::random_matrix(n, n, uint64_t(seed)).cwiseAbs();
    LapResult r = solve_lap_dense(c.data(), n, n, n);
    CHECK(r.total == Approx(brute_force(c)).epsilon(1e-6));
    check_certificate(c, r);
  }
}

TEST_CASE("dense LAP matches scipy.optimize.linear_sum_assignment on 60 instances (ties, rectangular, n up to 500)") {
  auto src = open_file(th::fixture("lap_cases.bin"));
  auto b = src->read(0, size_t(src->size()));
  const uint8_t* p = b.data();
  uint32_t count; std::memcpy(&count, p, 4); p += 4;
  REQUIRE(count >= 50);
  int rect = 0, big = 0;
  for (uint32_t k = 0; k < count; ++k) {
    uint32_t n, m; double opt;
    std::memcpy(&n, p, 4); std::memcpy(&m, p + 4, 4); std::memcpy(&opt, p + 8, 8); p += 16;
    MatF c(n, m);
    std::memcpy(c.data(), p, size_t(n) * m * 4); p += size_t(n) * m * 4;
    LapResult r = solve_lap_dense(c.data(), int(n), int(m), m);
    INFO("case " << k << " n=" << n << " m=" << m);
    CHECK(r.total == Approx(opt).epsilon(1e-9).margin(1e-6));
    // Smaller side fully matched, no column used twice.
    int matched = 0;
    std::vector<int> used(m, 0);
    for (int i = 0; i < int(n); ++i) if (r.row_to_col[size_t(i)] >= 0) { ++matched; used[size_t(r.row_to_col[size_t(i)])]++; }
    CHECK(matched == int(std::min(n, m)));
    CHECK(*std::max_element(used.begin(), used.end()) <= 1);
    if (n <= m) check_certificate(c, r);
    rect += n != m; big += n >= 500 || m >= 500;
  }
  CHECK(rect > 5); CHECK(big > 2);
}

TEST_CASE("sparse LAP on a complete candidate graph equals the dense solver") {
  for (int seed = 0; seed < 10; ++seed) {
    int n = 30 + seed, m = n + seed % 3;
    MatF c = th::random_matrix(n, m, uint64_t(100 + seed)).cwiseAbs();
    SparseCost sc; sc.n = n; sc.m = m; sc.start.push_back(0);
    for (int i = 0; i < n; ++i) { for (int j = 0; j < m; ++j) { sc.col.push_back(j); sc.cost.push_back(c(i, j)); } sc.start.push_back(int64_t(sc.col.size())); }
    LapResult s = solve_lap_sparse(sc), d = solve_lap_dense(c.data(), n, m, m);
    CHECK(s.total == Approx(d.total).epsilon(1e-9));
    check_certificate(c, s);
  }
}

TEST_CASE("warm-started sparse LAP after adding edges equals a cold solve") {
  for (int seed = 0; seed < 8; ++seed) {
    const int n = 80;
    MatF c = th::random_matrix(n, n, uint64_t(300 + seed)).cwiseAbs();
    // Start with the diagonal plus 3 columns per row, then give some rows 10 more.
    std::vector<std::vector<int>> cols(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) for (int t = 0; t < 4; ++t) cols[size_t(i)].push_back((i + t * 17) % n);
    auto build = [&]() {
      SparseCost sc; sc.n = n; sc.m = n; sc.start.push_back(0);
      for (int i = 0; i < n; ++i) {
        auto& r = cols[size_t(i)];
        std::sort(r.begin(), r.end()); r.erase(std::unique(r.begin(), r.end()), r.end());
        for (int j : r) { sc.col.push_back(j); sc.cost.push_back(c(i, j)); }
        sc.start.push_back(int64_t(sc.col.size()));
      }
      return sc;
    };
    LapResult first = solve_lap_sparse(build());
    std::vector<char> redo(static_cast<size_t>(n), 0);
    for (int i = seed % 3; i < n; i += 3) {
      redo[size_t(i)] = 1;
      for (int t = 0; t < 10; ++t) cols[size_t(i)].push_back((i * 7 + t * 13 + seed) % n);
    }
    SparseCost more = build();
    LapResult warm = solve_lap_sparse(more, &first, &redo), cold = solve_lap_sparse(more);
    CHECK(warm.total == Approx(cold.total).epsilon(1e-9));
    CHECK(warm.total <= first.total + 1e-9);
    // Duals stay feasible on every edge and tight on the assigned ones.
    for (int i = 0; i < n; ++i)
      for (int64_t e = more.start[size_t(i)]; e < more.start[size_t(i) + 1]; ++e) {
        double red = more.cost[size_t(e)] - warm.u[size_t(i)] - warm.v[size_t(more.col[size_t(e)])];
        CHECK(red >= -1e-9);
        if (more.col[size_t(e)] == warm.row_to_col[size_t(i)]) CHECK(std::abs(red) < 1e-9);
      }
  }
}

TEST_CASE("sparse LAP reports rows that cannot be matched on the candidate graph") {
  SparseCost sc; sc.n = 2; sc.m = 2; sc.start = {0, 1, 2}; sc.col = {0, 0}; sc.cost = {1, 1};
  CHECK_THROWS_AS(solve_lap_sparse(sc), InfeasibleRows);
}

TEST_CASE("LAP refuses NaN costs") {
  MatF c = MatF::Ones(3, 3);
  c(1, 1) = NAN;
  CHECK_THROWS_WITH(solve_lap_dense(c.data(), 3, 3, 3), Catch::Contains("NaN"));
}

namespace {
// A matcher-like candidate graph on a dense cost matrix: each row's `per_row` cheapest
// columns and each column's 4 cheapest rows; `dense_equivalent` gets the same problem with
// every other pair priced out (big enough that no optimum on the graph uses one).
SparseCost candidate_graph(const MatF& c, int per_row, MatF& dense_equivalent) {
  const int n = int(c.rows());
  std::vector<std::vector<char>> on(size_t(n), std::vector<char>(size_t(n), 0));
  for (int i = 0; i < n; ++i) {
    std::vector<int> cols(static_cast<size_t>(n));
    std::iota(cols.begin(), cols.end(), 0);
    std::partial_sort(cols.begin(), cols.begin() + per_row, cols.end(), [&](int a, int b) { return c(i, a) < c(i, b); });
    for (int t = 0; t < per_row; ++t) on[size_t(i)][size_t(cols[size_t(t)])] = 1;
  }
  for (int col = 0; col < n; ++col) {
    std::vector<int> rows(static_cast<size_t>(n));
    std::iota(rows.begin(), rows.end(), 0);
    std::partial_sort(rows.begin(), rows.begin() + 4, rows.end(), [&](int a, int b) { return c(a, col) < c(b, col); });
    for (int t = 0; t < 4; ++t) on[size_t(rows[size_t(t)])][size_t(col)] = 1;
  }
  const float priced_out = 1e3f * c.maxCoeff();
  dense_equivalent = c;
  SparseCost sc; sc.n = n; sc.m = n; sc.start.push_back(0);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      if (on[size_t(i)][size_t(j)]) { sc.col.push_back(j); sc.cost.push_back(c(i, j)); }
      else dense_equivalent(i, j) = priced_out;
    }
    sc.start.push_back(int64_t(sc.col.size()));
  }
  return sc;
}
// Reduced costs >= 0 on every edge and 0 on the assigned ones (the solver's own certificate).
void check_graph_certificate(const SparseCost& sc, const LapResult& r) {
  double worst = 0, slack = 0;
  for (int i = 0; i < sc.n; ++i)
    for (int64_t e = sc.start[size_t(i)]; e < sc.start[size_t(i) + 1]; ++e) {
      const double red = double(sc.cost[size_t(e)]) - r.u[size_t(i)] - r.v[size_t(sc.col[size_t(e)])];
      worst = std::min(worst, red);
      if (sc.col[size_t(e)] == r.row_to_col[size_t(i)]) slack = std::max(slack, std::fabs(red));
    }
  CHECK(worst > -1e-6);
  CHECK(slack < 1e-6);
}
}  // namespace

TEST_CASE("cold sparse LAP: near-ties switch to the auction start, clean problems keep the reductions; both exact") {
  // Near-tie families (32 similar features, weak partners): the reductions leave many rows
  // free and the shortest paths long, so the solver takes the auction's duals.
  // Unit rows, so that the cheapest columns are the most similar ones (no large-norm hubs).
  ClusteredPair p = make_clustered_pair(near_tie_options(512, 128, 5));
  auto unit = [](const MatF& M) -> MatF { return M.rowwise().norm().cwiseInverse().asDiagonal() * M; };
  MatF dense;
  const SparseCost hard = candidate_graph(dense_cost(unit(p.A), unit(p.B)), 32, dense);
  const LapResult opt = solve_lap_dense(dense.data(), 512, 512, 512);
  REQUIRE(opt.total < 1e3);  // the graph has a perfect matching (costs are <= 4 on it)
  const LapResult s = solve_lap_sparse(hard);
  CHECK(s.from_auction);
  CHECK(s.total == Approx(opt.total).epsilon(1e-9));
  check_graph_certificate(hard, s);
  const LapResult plain = solve_lap_sparse(hard, nullptr, nullptr, 0, false);  // column reduction only
  CHECK_FALSE(plain.from_auction);
  CHECK(plain.total == Approx(opt.total).epsilon(1e-9));
  // A planted matching (B a noisy permutation of A): the reductions assign nearly every row,
  // the duals stay the reductions' (they certify with fewer re-streamed rows in the matcher).
  MatF A = th::random_matrix(512, 128, 17), noise = th::random_matrix(512, 128, 18, 0.05f), B(512, 128);
  for (int i = 0; i < 512; ++i) B.row((i * 37 + 5) % 512) = A.row(i) + noise.row(i);
  const SparseCost easy = candidate_graph(dense_cost(A, B), 24, dense);
  const LapResult eopt = solve_lap_dense(dense.data(), 512, 512, 512);
  const LapResult e = solve_lap_sparse(easy);
  CHECK_FALSE(e.from_auction);
  CHECK(e.total == Approx(eopt.total).epsilon(1e-9));
  for (int i = 0; i < 512; ++i) CHECK(e.row_to_col[size_t(i)] == (i * 37 + 5) % 512);
  check_graph_certificate(easy, e);
}
