// Exact assignment: brute force, SciPy's optimum, dual certificates, rectangular problems.
#include "catch.hpp"
#include "helpers.h"
#include "saematch/error.h"
#include "saematch/lap.h"
#include <algorithm>
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
