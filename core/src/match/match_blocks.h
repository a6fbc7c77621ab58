#pragma once
// Internal to the matcher: where cost rows come from, and the helpers both paths share.
#include "saematch/coarse_dot.h"
#include "saematch/int8_cost.h"
#include "saematch/match.h"
#include <chrono>
#include <string>
#include <vector>

namespace saematch {
// Wall-clock seconds since construction; feeds the stage timings benchmarks report.
struct Stopwatch {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }
};

void trace(const MatchOptions& o, const std::string& line);
void report(const MatchOptions& o, const std::string& stage, double fraction);  // throws "cancelled"

// Cost rows between A's and B's feature embeddings, in one of four ways:
//  - float GEMM on the rows themselves;
//  - integer dots on int8-quantised rows that ARE the problem (int8 packs; EA/EB then hold
//    the dequantised rows, so everything else agrees);
//  - a screen: integer dots on int8 copies of float rows, with a rigorous bound on how far
//    each screened cost can be from the exact one. The sparse path chooses candidates and
//    certifies with the screen and computes exact float costs only where the bound cannot
//    decide, so the answer is the exact float optimum at integer-kernel speed.
//  - a coarse screen of an int8 problem: B's rows halved to 7 bits for a faster kernel
//    (coarse_dot.h), with the same kind of bound (A's side exact); exact prices from the int8
//    rows. The answer is the exact optimum of the int8 problem.
struct Blocks {
  const MatF* EA = nullptr;  // float rows; absent for int8 problems given as QuantRows only
  const MatF* EB = nullptr;
  const QuantRows* QA = nullptr;
  const QuantRows* QB = nullptr;
  const CoarseRows* CB = nullptr;  // coarse screen of an int8 problem (B's rows halved)
  bool screen = false;  // rows() are screened costs with an error bound (QA/QB approximate EA/EB, or CB)
  int FA = 0, FB = 0;   // features on each side
  VecF nA, nB;          // squared norms of the exact rows
  VecF normA, normB;    // their norms
  // Screen only: norms of the rows the screen multiplies, and the norm of what it misses per
  // row (|row - int8 copy|; under the coarse screen A's rows are exact, errA = 0, and errB is
  // the norm of what halving B's rows dropped).
  VecF hatA, hatB;
  VecF errA, errB;

  Blocks(const MatF& a, const MatF& b, const QuantRows* qa = nullptr, const QuantRows* qb = nullptr, bool is_screen = false);
  // The int8 rows are the problem; with cb (coarsen(qb)) they are screened coarsely.
  Blocks(const QuantRows& qa, const QuantRows& qb, const CoarseRows* cb = nullptr);
  // Rows [r0, r1) / rows ids[0..count) of the screened cost matrix (exact without a screen).
  void rows(int r0, int r1, MatF& out) const;
  void rows_of(const int* ids, int count, MatF& out) const;
  // Rows [r0, r1) of the exact cost matrix.
  void exact_rows(int r0, int r1, MatF& out) const;
  float exact(int i, int j) const;
  // Exact costs come from integer dots of the int8 rows (they are the problem).
  bool int8_exact() const { return QA && (!screen || CB); }
  // Upper bound on |exact(i, j) - screened(i, j)|, rounding included; 0 without a screen.
  double error(int i, int j) const;
  // The same bound in float coefficients for row i, for vector loops over j:
  // error(i, j) ~ ha * errB[j] + ea * normB[j] + k * (nA[i] + nB[j]); all zero without a
  // screen. Callers' margins cover the float rounding.
  struct RowError { float ha = 0, ea = 0, k = 0; };
  RowError error_row(int i) const;
  Blocks swapped() const;

 private:
  // Rows [r0, r1) of `a` (A's int8 rows, or a subset) against B's: coarse when CB is set.
  void int8_rows(const QuantRows& a, const VecF& na, int r0, int r1, MatF& out) const;
};

// Whether to screen: float rows with int8 copies (MatchOptions::screen, Auto where the integer
// kernel beats float GEMM), and int8 rows coarsely (Auto where a fast coarse kernel is registered).
bool wants_int8_screen(const MatchOptions& o);
bool wants_coarse_screen(const MatchOptions& o);

// One pass over the screened cost rows of all rows, or of the rows in `subset`;
// `visit(worker, row, costs_of_row)` runs on worker threads (worker < thread_count()).
void stream_rows(const Blocks& B, const MatchOptions& o, const std::string& stage,
                 const std::function<void(int, int, const float*)>& visit, const std::vector<int>* subset = nullptr);

// Fills the result from an assignment and its per-row costs (NaN where unmatched).
// nA, nB: squared norms of the rows on each side (for the scores).
void finish(MatchResult& r, const VecF& nA, const VecF& nB, const std::vector<int>& a_to_b, const std::vector<float>& costs);

MatchResult match_sparse(const Blocks& B, const MatchOptions& o);
}  // namespace saematch
