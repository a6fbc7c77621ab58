// epsilon-scaling auction (Bertsekas 1988; Bertsekas & Castanon 1989) on a sparse square
// assignment problem, used to find near-optimal duals before the exact shortest-path finish.
//
// Why: shortest augmenting paths from cold duals explore large parts of the graph when many
// rows have near-equal options (families of similar features with weak partners). The
// auction moves every price a little at a time; scaling epsilon down keeps the number of bids
// per phase small, so it reaches epsilon-optimal duals in a few passes over the edges even on
// near-ties. The exact solver then only has to tighten rows left slack by the last bids.
#include "saematch/lap.h"
#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace saematch {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// One auction phase at a fixed epsilon, every row starting unassigned (prices v carried over).
// Min-cost form: row i prefers the column with the smallest c_ij - v_j and bids v_j down so
// that this column is epsilon worse than its second choice. Returns false when the bid budget
// runs out (no perfect matching on the graph, or a price war too long to be worth it).
bool auction_phase(const SparseCost& c, double eps, double big, int64_t budget, std::vector<int>& row_to_col,
                   std::vector<int>& col_to_row, std::vector<double>& v) {
  const int n = c.n;
  std::fill(row_to_col.begin(), row_to_col.end(), -1);
  std::fill(col_to_row.begin(), col_to_row.end(), -1);
  std::vector<int> queue(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) queue[size_t(i)] = n - 1 - i;  // popped from the back: row 0 first
  while (!queue.empty()) {
    if (--budget < 0) return false;
    const int i = queue.back();
    queue.pop_back();
    double w1 = kInf, w2 = kInf;
    int j1 = -1;
    for (int64_t e = c.start[size_t(i)]; e < c.start[size_t(i) + 1]; ++e) {
      const int j = c.col[size_t(e)];
      const double w = double(c.cost[size_t(e)]) - v[size_t(j)];
      if (w < w1) { w2 = w1; w1 = w; j1 = j; }
      else if (w < w2) w2 = w;
    }
    if (j1 < 0) return false;  // a row without edges
    if (!(w2 < kInf)) w2 = w1 + big;  // one edge: nothing to compete with
    v[size_t(j1)] -= (w2 - w1) + eps;
    const int evicted = col_to_row[size_t(j1)];
    col_to_row[size_t(j1)] = i;
    row_to_col[size_t(i)] = j1;
    if (evicted >= 0) { row_to_col[size_t(evicted)] = -1; queue.push_back(evicted); }
  }
  return true;
}
}  // namespace

bool auction_sparse(const SparseCost& c, double eps_final, LapResult& out, const std::vector<double>* v0) {
  const int n = c.n;
  if (n != c.m || n == 0) return false;
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (float x : c.cost) { lo = std::min(lo, x); hi = std::max(hi, x); }
  const double range = std::max(double(hi) - double(lo), 1e-30);
  eps_final = std::max(eps_final, range * 1e-12);
  LapResult r;
  r.row_to_col.assign(size_t(n), -1);
  r.col_to_row.assign(size_t(n), -1);
  if (v0 && int(v0->size()) == n) r.v = *v0; else r.v.assign(size_t(n), 0);
  // Bids per phase before giving up: generous for price wars among near-ties, small enough
  // that a graph without a perfect matching fails fast (the exact solver then reports it).
  const int64_t budget = 64 * int64_t(n) + int64_t(c.col.size());
  // Scaling factor 6, first epsilon a tenth of the cost range (literature: 4-10 and C/n..C/2).
  // Also from a previous solution's prices (v0): starting at 1e-5 of the range there made the
  // first warm round of the near-tie families at F = 8192 take 34 s (loaded machine; small
  // bids make long price wars), while the large first phases cost little when prices are close.
  for (double eps = std::max(range / 10, eps_final);; eps = std::max(eps / 6, eps_final)) {
    if (!auction_phase(c, eps, range, budget, r.row_to_col, r.col_to_row, r.v)) return false;
    if (eps <= eps_final) break;
  }
  // Row duals: the cheapest reduced cost of each row, so that c_ij - u_i - v_j >= 0 on every
  // edge; the assigned pair is then within epsilon of tight (epsilon-complementary slackness).
  r.u.assign(size_t(n), kInf);
  for (int i = 0; i < n; ++i)
    for (int64_t e = c.start[size_t(i)]; e < c.start[size_t(i) + 1]; ++e)
      r.u[size_t(i)] = std::min(r.u[size_t(i)], double(c.cost[size_t(e)]) - r.v[size_t(c.col[size_t(e)])]);
  for (int i = 0; i < n; ++i) {
    const int j = r.row_to_col[size_t(i)];
    for (int64_t e = c.start[size_t(i)]; e < c.start[size_t(i) + 1]; ++e)
      if (c.col[size_t(e)] == j) { r.total += c.cost[size_t(e)]; break; }
  }
  r.from_auction = true;
  out = std::move(r);
  return true;
}
}  // namespace saematch
