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
LapResult solve_lap_sparse(const SparseCost& c, const LapResult* warm = nullptr, const std::vector<char>* redo = nullptr);
}  // namespace saematch
