#include "reduced_costs.h"
#include "simd_vec.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace saematch {
ReducedCostColumns::ReducedCostColumns(const Blocks& B, std::vector<double> col_part, double S, double max_cost_, double tol_)
    : part(std::move(col_part)), max_cost(max_cost_), tol(tol_) {
  const int m = B.FB;
  part_f.resize(size_t(m));
  err.assign(size_t(m), 0.f);
  for (int j = 0; j < m; ++j) {
    part_f[size_t(j)] = float(part[size_t(j)]);
    part_max = std::max(part_max, std::fabs(part_f[size_t(j)]));
    if (B.screen) err[size_t(j)] = B.errB[j];
  }
  if (B.screen) err_max = float(2.0 * (double(B.hatA.maxCoeff()) * B.errB.maxCoeff() + double(B.errA.maxCoeff()) * B.normB.maxCoeff()) * 1.01 + 3e-6 * S);
}

RowCheck check_reduced_row(const Blocks& B, const ReducedCostColumns& cols, int i, const float* row, double row_part,
                           std::vector<float>& red, std::vector<float>& priced) {
  const int m = B.FB;
  const double tol = cols.tol;
  red.resize(size_t(m));
  priced.assign(size_t(m), std::numeric_limits<float>::quiet_NaN());
  RowCheck out;
  // In double, for the lanes that matter: violating or within the float pass's error of it.
  auto precise = [&](int j) {
    const double base = row_part + cols.part[size_t(j)];
    double rj = double(row[j]) + base - B.error(i, j);
    if (B.screen && rj < -tol) { priced[size_t(j)] = B.exact(i, j); rj = double(priced[size_t(j)]) + base; ++out.exact_pairs; }
    red[size_t(j)] = float(rj);
    if (rj < -tol) ++out.violations;
  };
  // Vector pass in float: cost + row part + column part - screen error. Its rounding is
  // at most a few ulps of the terms' magnitudes; `margin` is several times that, so a lane
  // above -tol + margin is certainly not violating, and the rest are redone in double.
  const float margin = float(1e-6 * (cols.max_cost + std::fabs(row_part) + cols.part_max + cols.err_max));
  const Blocks::RowError er = B.error_row(i);
  const f32x8 rp8 = splat8(float(row_part)), lim8 = splat8(float(-tol) + margin);
  const f32x8 ha8 = splat8(er.ha), ea8 = splat8(er.ea), na8 = splat8(er.k * B.nA[i]), k8 = splat8(er.k);
  const float* eb = cols.err.data();
  const float* nb = B.normB.data();
  const float* nb2 = B.nB.data();
  const float* cp = cols.part_f.data();
  f32x8 mn8 = splat8(0.f);
  int j = 0;
  for (; j + 8 <= m; j += 8) {
    const f32x8 err = ha8 * load8(eb + j) + ea8 * load8(nb + j) + na8 + k8 * load8(nb2 + j);
    const f32x8 r = load8(row + j) + rp8 + load8(cp + j) - err;
    std::memcpy(&red[size_t(j)], &r, sizeof r);
    for (unsigned bits = lt_bits(r, lim8); bits; bits &= bits - 1) precise(j + __builtin_ctz(bits));
    mn8 = min8(mn8, load8(&red[size_t(j)]));
  }
  double mn = std::min(0.f, hmin8(mn8));
  for (; j < m; ++j) { precise(j); mn = std::min(mn, double(red[size_t(j)])); }
  out.min = mn - margin;  // lanes left in float may sit that far above their true value
  out.margin = margin;
  return out;
}
}  // namespace saematch
