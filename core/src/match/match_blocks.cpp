#include "match_blocks.h"
#include "simd_vec.h"
#include "saematch/error.h"
#include "saematch/parallel.h"
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

namespace saematch {
void trace(const MatchOptions& o, const std::string& line) { if (o.trace) o.trace(line); }

void report(const MatchOptions& o, const std::string& stage, double f) {
  if (o.progress && !o.progress(stage, f)) fail("cancelled");
}

namespace {
// Per row: |row - dequantised row|, in double so the bound it feeds is not itself a rounding
// victim (no dequantised copy is made: these matrices are large).
VecF quantisation_error(const MatF& e, const QuantRows& q) {
  VecF err(e.rows());
  parallel_for(int(e.rows()), [&](int i0, int i1) { for (int i = i0; i < i1; ++i) {
    const double s = q.scale[i];
    const int16_t* qi = &q.q[size_t(i) * size_t(q.stride)];
    const float* ei = e.row(i).data();
    double d2 = 0;
    for (int k = 0; k < e.cols(); ++k) { const double d = double(ei[k]) - s * double(qi[k]); d2 += d * d; }
    err[i] = float(std::sqrt(d2) * (1 + 1e-6));
  } }, 256);
  return err;
}
// |dequantised row|, rounded up (it multiplies an error in a bound).
VecF quantised_norms(const QuantRows& q) { return (squared_norms(q).cwiseSqrt() * (1 + 1e-6f)).eval(); }
}  // namespace

Blocks::Blocks(const MatF& a, const MatF& b, const QuantRows* qa, const QuantRows* qb, bool is_screen)
    : EA(&a), EB(&b), QA(qa), QB(qb), screen(is_screen && qa && qb), FA(int(a.rows())), FB(int(b.rows())) {
  nA = squared_norms(a); nB = squared_norms(b);
  normA = nA.cwiseSqrt(); normB = nB.cwiseSqrt();
  if (screen) {
    hatA = quantised_norms(*QA); errA = quantisation_error(a, *QA);
    hatB = quantised_norms(*QB); errB = quantisation_error(b, *QB);
  }
}

Blocks::Blocks(const QuantRows& qa, const QuantRows& qb, const CoarseRows* cb)
    : QA(&qa), QB(&qb), CB(cb), screen(cb != nullptr), FA(qa.rows), FB(qb.rows) {
  nA = squared_norms(qa); nB = squared_norms(qb);
  normA = nA.cwiseSqrt(); normB = nB.cwiseSqrt();
  if (screen) {  // A's rows enter the coarse dot exactly; B's lose what halving dropped
    hatA = quantised_norms(qa); errA = VecF::Zero(FA);
    hatB = quantised_norms(qb); errB = cb->err;
  }
}

void Blocks::int8_rows(const QuantRows& a, const VecF& na, int r0, int r1, MatF& out) const {
  if (CB) coarse_cost_rows(a, na, *CB, nB, r0, r1, out);
  else cost_rows_q(a, na, *QB, nB, r0, r1, out);
}

void Blocks::rows(int r0, int r1, MatF& out) const {
  if (QA) { int8_rows(*QA, nA, r0, r1, out); return; }
  exact_rows(r0, r1, out);
}

void Blocks::exact_rows(int r0, int r1, MatF& out) const {
  if (int8_exact()) { cost_rows_q(*QA, nA, *QB, nB, r0, r1, out); return; }
  out.resize(r1 - r0, FB);
  cost_rows(*EA, nA, *EB, nB, r0, r1, out);
}

void Blocks::rows_of(const int* ids, int count, MatF& out) const {
  VecF ns(count);
  for (int t = 0; t < count; ++t) ns[t] = nA[ids[t]];
  if (QA) {
    int8_rows(subset_rows(*QA, ids, count), ns, 0, count, out);
    return;
  }
  MatF sub(count, EA->cols());
  for (int t = 0; t < count; ++t) sub.row(t) = EA->row(ids[t]);
  out.resize(count, FB);
  cost_rows(sub, ns, *EB, nB, 0, count, out);
}

float Blocks::exact(int i, int j) const {
  // Int8 problems: the integer dot is exact (and half the memory traffic of the float rows).
  if (int8_exact()) return cost_pair_q(*QA, nA[i], i, *QB, nB[j], j);
  return std::max(0.f, nA[i] + nB[j] - 2.f * dot8(EA->row(i).data(), EB->row(j).data(), int(EA->cols())));
}

double Blocks::error(int i, int j) const {
  if (!screen) return 0;
  // a.b - â.b̂ = â.(b - b̂) + (a - â).b, so |difference| <= |â||e_b| + |e_a||b|; the cost has
  // -2 a.b. The last term covers float rounding in both costs (a few ulps of |a|^2 + |b|^2).
  return 2.0 * (double(hatA[i]) * errB[j] + double(errA[i]) * normB[j]) * (1 + 1e-5) + 3e-6 * (double(nA[i]) + nB[j]);
}

Blocks::RowError Blocks::error_row(int i) const {
  if (!screen) return {};
  const float g = 2.f * (1 + 1e-5f);
  return {g * hatA[i], g * errA[i], 3e-6f};
}

bool wants_int8_screen(const MatchOptions& o) {
  return o.screen == MatchOptions::Screen::On || (o.screen == MatchOptions::Screen::Auto && int8_kernel_pays());
}
bool wants_coarse_screen(const MatchOptions& o) {
  return o.screen == MatchOptions::Screen::On || (o.screen == MatchOptions::Screen::Auto && coarse_dot_kernel_fast());
}

// (A coarse screen is made for B's rows; swapped, the int8 problem is matched without it.)
Blocks Blocks::swapped() const { return EA ? Blocks(*EB, *EA, QB, QA, screen) : Blocks(*QB, *QA); }

void stream_rows(const Blocks& B, const MatchOptions& o, const std::string& stage,
                 const std::function<void(int, int, const float*)>& visit, const std::vector<int>* subset) {
  // Rows per cost block: B streams from memory once per block, so bigger is better until A's
  // rows stop fitting in L2 next to a panel of B (the WASM integer kernel's A rows are int16).
  const int block = vnni_kernel() ? 256 : 64;
  const int rows = subset ? int(subset->size()) : B.FA;
  int nblocks = (rows + block - 1) / block;
  std::atomic<int> next{0}, finished{0};
  std::atomic<bool> cancel{false};
  // Seconds in cost blocks and in the row scans, per worker (for the trace).
  std::vector<double> kern(size_t(thread_count()), 0), scan(kern);
  // Progress callbacks may be JS functions, callable only from the calling thread (chunk 0).
  parallel_for(thread_count(), [&](int first, int) {
    const int worker = first;
    const bool caller = first == 0;
    MatF tmp;
    while (!cancel) {
      int b = next++;
      if (b >= nblocks) break;
      int r0 = b * block, r1 = std::min(rows, r0 + block);
      if (subset) {
        Stopwatch k0;
        B.rows_of(subset->data() + r0, r1 - r0, tmp);
        kern[size_t(worker)] += k0.seconds();
        Stopwatch v0;
        for (int t = r0; t < r1; ++t) visit(worker, (*subset)[size_t(t)], tmp.row(t - r0).data());
        scan[size_t(worker)] += v0.seconds();
      } else {
        Stopwatch k0;
        B.rows(r0, r1, tmp);
        kern[size_t(worker)] += k0.seconds();
        Stopwatch v0;
        for (int i = r0; i < r1; ++i) visit(worker, i, tmp.row(i - r0).data());
        scan[size_t(worker)] += v0.seconds();
      }
      int f = ++finished;
      if (caller && o.progress && !o.progress(stage, double(f) / nblocks)) cancel = true;
    }
  });
  double k = 0, v = 0;
  for (size_t w = 0; w < kern.size(); ++w) { k += kern[w]; v += scan[w]; }
  trace(o, stage + ": cost blocks " + std::to_string(k) + " s, row scans " + std::to_string(v) + " s (summed over workers)");
  if (cancel) fail("cancelled");
}

void finish(MatchResult& r, const VecF& nA, const VecF& nB, const std::vector<int>& a_to_b, const std::vector<float>& costs) {
  r.FA = int(nA.size()); r.FB = int(nB.size());
  r.a_to_b = a_to_b; r.cost = costs;
  r.score.assign(size_t(r.FA), std::numeric_limits<float>::quiet_NaN());
  std::vector<char> used(size_t(r.FB), 0);
  r.total = 0;
  for (int i = 0; i < r.FA; ++i) {
    int j = a_to_b[size_t(i)];
    if (j < 0) continue;
    used[size_t(j)] = 1;
    r.total += costs[size_t(i)];
    float den = nA[i] + nB[j];
    r.score[size_t(i)] = den > 0 ? 1.f - costs[size_t(i)] / den : 1.f;
  }
  for (int j = 0; j < r.FB; ++j) if (!used[size_t(j)]) r.unmatched_b.push_back(j);
}
}  // namespace saematch
