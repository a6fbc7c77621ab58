#include "saematch/neighbours.h"
#include "saematch/error.h"
#include <algorithm>
#include <cmath>
#include <numeric>

namespace saematch {
namespace {
std::vector<float> norms_of(const VecF& v) { return std::vector<float>(v.data(), v.data() + v.size()); }

std::vector<float> row_of(const MatF& m) { return std::vector<float>(m.data(), m.data() + m.cols()); }

// Inverse of a_to_b: for each B feature, its A partner (-1 unmatched).
std::vector<int> b_to_a(const MatchResult& p) {
  std::vector<int> inv(size_t(p.FB), -1);
  for (int i = 0; i < p.FA; ++i) if (p.a_to_b[size_t(i)] >= 0) inv[size_t(p.a_to_b[size_t(i)])] = i;
  return inv;
}

float cost_of(const MatchResult& p, int a) {
  return a >= 0 && p.a_to_b[size_t(a)] >= 0 ? p.cost[size_t(a)] : std::numeric_limits<float>::infinity();
}

// Margin from `chosen` to the cheapest other candidate in a list sorted by cost.
float margin_to(const std::vector<Candidate>& list, int chosen, float chosen_cost) {
  for (auto& c : list) if (c.feature != chosen) return c.cost - chosen_cost;
  return std::numeric_limits<float>::infinity();
}

// A candidate other than `chosen` that is within the threshold and cheaper than what it got
// in the matching (own_cost(feature)): the sign of a split (forward) or merge (backward).
template <class OwnCost>
int rival(const std::vector<Candidate>& list, int chosen, float threshold, OwnCost own_cost) {
  for (auto& c : list)
    if (c.feature != chosen && c.cost <= threshold && c.cost < own_cost(c.feature)) return c.feature;
  return -1;
}
}  // namespace

PairCosts float_pair_costs(const MatF& EA, const MatF& EB) {
  if (EA.cols() != EB.cols()) fail("cannot compare features of different widths (d_model mismatch?)");
  PairCosts pc;
  VecF nA = squared_norms(EA), nB = squared_norms(EB);
  pc.nA = norms_of(nA); pc.nB = norms_of(nB);
  pc.a_row = [&EA, &EB, nA, nB](int i) { MatF out(1, EB.rows()); cost_rows(EA, nA, EB, nB, i, i + 1, out); return row_of(out); };
  pc.b_row = [&EA, &EB, nA, nB](int j) { MatF out(1, EA.rows()); cost_rows(EB, nB, EA, nA, j, j + 1, out); return row_of(out); };
  return pc;
}

PairCosts quant_pair_costs(const QuantRows& A, const QuantRows& B) {
  PairCosts pc;
  VecF nA = squared_norms(A), nB = squared_norms(B);
  pc.nA = norms_of(nA); pc.nB = norms_of(nB);
  pc.a_row = [&A, &B, nA, nB](int i) { MatF out; cost_rows_q(A, nA, B, nB, i, i + 1, out); return row_of(out); };
  pc.b_row = [&A, &B, nA, nB](int j) { MatF out; cost_rows_q(B, nB, A, nA, j, j + 1, out); return row_of(out); };
  return pc;
}

std::vector<Candidate> best_of_row(const std::vector<float>& row, float own_norm, const std::vector<float>& other_norms, int k) {
  if (row.size() != other_norms.size()) fail("cost row and norms differ in length");
  std::vector<int> idx(row.size());
  std::iota(idx.begin(), idx.end(), 0);
  const size_t n = std::min(idx.size(), size_t(std::max(k, 0)));
  auto cheaper = [&](int a, int b) { return row[size_t(a)] < row[size_t(b)] || (row[size_t(a)] == row[size_t(b)] && a < b); };
  std::partial_sort(idx.begin(), idx.begin() + std::ptrdiff_t(n), idx.end(), cheaper);
  std::vector<Candidate> out;
  for (size_t r = 0; r < n; ++r) {
    const int j = idx[r];
    const float c = row[size_t(j)], den = own_norm + other_norms[size_t(j)];
    out.push_back({j, c, den > 0 ? 1.f - c / den : 1.f});
  }
  return out;
}

HopView explain_hop(const MatchResult& pair, const PairCosts& costs, int from, int k, float threshold, float close_fraction) {
  if (from < 0 || from >= pair.FA) fail("feature " + std::to_string(from) + " is not in this layer (0…" + std::to_string(pair.FA - 1) + ")");
  if (k < 1 || k > 100) fail("number of alternatives must be between 1 and 100");
  HopView h;
  h.from = from;
  h.to = pair.a_to_b[size_t(from)];
  // k alternatives besides the chosen partner.
  h.forward = best_of_row(costs.a_row(from), costs.nA[size_t(from)], costs.nB, k + 1);
  if (h.to < 0) return h;
  h.cost = pair.cost[size_t(from)];
  h.score = pair.score[size_t(from)];
  h.backward = best_of_row(costs.b_row(h.to), costs.nB[size_t(h.to)], costs.nA, k + 1);
  h.margin_forward = margin_to(h.forward, h.to, h.cost);
  h.margin_backward = margin_to(h.backward, from, h.cost);
  h.close_call = std::min(h.margin_forward, h.margin_backward) <= close_fraction * h.cost;
  const std::vector<int> inv = b_to_a(pair);
  h.split_with = rival(h.forward, h.to, threshold, [&](int j) { return cost_of(pair, inv[size_t(j)]); });
  h.merge_with = rival(h.backward, from, threshold, [&](int i) { return cost_of(pair, i); });
  h.split = h.split_with >= 0;
  h.merge = h.merge_with >= 0;
  return h;
}
}  // namespace saematch

namespace saematch {
std::vector<float> cost_excerpt(const PairCosts& costs, const std::vector<int>& rows, const std::vector<int>& cols) {
  if (rows.size() > 64 || cols.size() > 64) fail("a cost excerpt holds at most 64 x 64 entries");
  std::vector<float> out;
  for (int i : rows) {
    if (i < 0 || i >= int(costs.nA.size())) fail("excerpt row " + std::to_string(i) + " is not a feature of layer A");
    const std::vector<float> row = costs.a_row(i);
    for (int j : cols) {
      if (j < 0 || j >= int(row.size())) fail("excerpt column " + std::to_string(j) + " is not a feature of layer B");
      out.push_back(row[size_t(j)]);
    }
  }
  return out;
}
}  // namespace saematch
