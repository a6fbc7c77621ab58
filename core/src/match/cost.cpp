#include "saematch/cost.h"
#include "saematch/error.h"
#include "saematch/parallel.h"
#include <algorithm>
#include <cmath>

namespace saematch {
void validate_weights(const CostWeights& w) {
  for (float v : {w.w_dec, w.w_enc, w.w_b})
    if (!(v >= 0) || !std::isfinite(v)) fail("cost weights must be finite and >= 0");
  if (w.w_dec + w.w_enc + w.w_b <= 0) fail("at least one cost weight must be positive");
}

MatF feature_embedding(const Sae& s, const CostWeights& w) {
  validate_weights(w);
  int F = s.F(), d = s.d();
  int D = (w.w_dec > 0 ? d : 0) + (w.w_enc > 0 ? d : 0) + (w.w_b > 0 ? 1 : 0);
  MatF e(F, D);
  int c = 0;
  auto unit = [&](auto row) { float n = row.norm(); if (n > 0) row /= n; };
  if (w.w_dec > 0) {
    e.middleCols(c, d) = s.W_dec * std::sqrt(w.w_dec);
    if (w.cosine) for (int i = 0; i < F; ++i) { auto r = e.row(i).segment(c, d); unit(r); r *= std::sqrt(w.w_dec); }
    c += d;
  }
  if (w.w_enc > 0) {
    e.middleCols(c, d) = s.W_enc.transpose() * std::sqrt(w.w_enc);
    if (w.cosine) for (int i = 0; i < F; ++i) { auto r = e.row(i).segment(c, d); unit(r); r *= std::sqrt(w.w_enc); }
    c += d;
  }
  if (w.w_b > 0) e.col(c) = s.b_enc * std::sqrt(w.w_b);
  return e;
}

VecF squared_norms(const MatF& e) { return e.rowwise().squaredNorm(); }

void cost_rows(const MatF& EA, const VecF& nA, const MatF& EB, const VecF& nB, int r0, int r1, MatF& out) {
  out.noalias() = -2.f * EA.middleRows(r0, r1 - r0) * EB.transpose();
  for (int i = r0; i < r1; ++i) {
    auto row = out.row(i - r0);
    row.array() += nA[i] + nB.transpose().array();
    row = row.cwiseMax(0.f);  // rounding can make a true 0 slightly negative
  }
}

MatF dense_cost(int n, int m, const CostRowsFn& rows) {
  MatF C(n, m);
  const int block = 256;
  parallel_for((n + block - 1) / block, [&](int b0, int b1) {
    MatF tmp;
    for (int b = b0; b < b1; ++b) {
      int r0 = b * block, r1 = std::min(n, r0 + block);
      rows(r0, r1, tmp);
      C.middleRows(r0, r1 - r0) = tmp;
    }
  });
  return C;
}

MatF dense_cost(const MatF& EA, const MatF& EB) {
  if (EA.cols() != EB.cols()) fail("cannot compare features of different widths (d_model mismatch?)");
  VecF nA = squared_norms(EA), nB = squared_norms(EB);
  return dense_cost(int(EA.rows()), int(EB.rows()), [&](int r0, int r1, MatF& out) {
    out.resize(r1 - r0, EB.rows());
    cost_rows(EA, nA, EB, nB, r0, r1, out);
  });
}
}  // namespace saematch
