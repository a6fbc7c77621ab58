#pragma once
// Internal to the matcher: checking the reduced costs c_ij + row_part_i + col_part_j of one
// streamed cost row against -tol, rigorously and fast. Shared by the sparse matcher's
// certification passes and by verify_duals (which re-checks a certificate without solving).
#include "match_blocks.h"
#include <cstdint>
#include <vector>

namespace saematch {
// What every row of one check shares.
struct ReducedCostColumns {
  std::vector<double> part;   // col_part_j, in double for the lanes that matter
  std::vector<float> part_f;  // the same in float for the vector pass
  std::vector<float> err;     // the screen's per-column error term (B.errB), zeros without a screen
  float part_max = 0;         // max |col_part_j|
  float err_max = 0;          // largest screen error of any pair (0 without a screen)
  double max_cost = 0;        // (a bound on) the largest cost of a row: scales the float pass's margin
  double tol = 0;             // a reduced cost below -tol violates
  // S: the magnitude of the costs plus any shift the caller adds (its rounding is covered).
  ReducedCostColumns(const Blocks& B, std::vector<double> col_part, double S, double max_cost, double tol);
};

struct RowCheck {
  int64_t violations = 0;   // pairs with reduced cost < -tol
  int64_t exact_pairs = 0;  // pairs priced exactly because the screen's bound could not decide
  double min = 0;           // lower bound on min(0, min_j reduced cost) of the row
  float margin = 0;         // how far a lane left in float may sit above its true value
};
// Fills red[j] with a lower bound on each reduced cost of row i (exact where it is near or
// below -tol) and priced[j] with the exact cost where it was computed (NaN elsewhere).
// row: the row's screened costs (exact without a screen), as stream_rows delivers them.
RowCheck check_reduced_row(const Blocks& B, const ReducedCostColumns& cols, int i, const float* row, double row_part,
                           std::vector<float>& red, std::vector<float>& priced);
}  // namespace saematch
