#pragma once
// Exact linear assignment by shortest augmenting paths (Jonker-Volgenant family, the
// variant of Crouse 2016 that scipy uses). Returns the assignment and dual potentials u, v
// with c_ij - u_i - v_j >= 0 everywhere and = 0 on assigned pairs: the optimality certificate.
#include <cstdint>
#include <vector>

namespace saematch {
struct LapResult {
  std::vector<int> row_to_col;  // -1: row unmatched (only when rows > cols)
  std::vector<int> col_to_row;  // -1: column unmatched
  std::vector<double> u, v;
  double total = 0;
  // Stopped at eps_stop by the auction: every assigned pair within eps_stop of tight, so the
  // total is within n * eps_stop of the optimum on the graph (false: exact).
  bool epsilon_optimal = false;
  bool from_auction = false;  // duals from an auction start (warm re-solves then re-run it when many rows change)
};

// Dense row-major cost [n, m] with leading dimension ld; any n, m (the smaller side is fully matched).
LapResult solve_lap_dense(const float* cost, int n, int m, int64_t ld);

// Sparse problem: each row lists candidate columns with costs (CSR). Requires n <= m and
// costs >= 0. Throws InfeasibleRows listing rows that could not reach a free column.
struct SparseCost {
  int n = 0, m = 0;
  std::vector<int64_t> start;  // n+1
  std::vector<int> col;
  std::vector<float> cost;
};
struct InfeasibleRows { std::vector<int> rows; };
// warm/redo (square problems only): continue from a previous solution of the same problem
// after edges were added to the rows marked in redo.
// Cold square problems whose shortest paths turn out long (near-ties: projected from the
// first rows to relax more than 4 times the edges, or 100 times when under 1/32 of the rows
// are free) switch to the duals of an epsilon-scaling auction (auction_sparse); warm
// re-solves of such a solution with many rows to redo re-run it. eps_stop > 0 (cold square
// problems): may return the auction's epsilon-optimal
// assignment as it is (epsilon_optimal set): every edge's reduced cost >= 0 and each assigned
// pair's <= eps_stop, so its total is within n * eps_stop of the optimum on the graph.
// Otherwise the exact optimum (every assigned pair tight).
// auction = false: start from column reduction instead.
LapResult solve_lap_sparse(const SparseCost& c, const LapResult* warm = nullptr, const std::vector<char>* redo = nullptr,
                           double eps_stop = 0, bool auction = true);
// epsilon-scaling auction (Bertsekas & Castanon 1989) on a square sparse problem down to
// eps_final: row_to_col, col_to_row, v from the auction, u_i = min_j (c_ij - v_j) over row i's
// edges. Returns false (out untouched) when it does not settle within its bid budget, e.g.
// when the graph has no perfect matching.
// v0: start from these column duals (a previous solution's) with small epsilons only.
bool auction_sparse(const SparseCost& c, double eps_final, LapResult& out, const std::vector<double>* v0 = nullptr);
}  // namespace saematch
