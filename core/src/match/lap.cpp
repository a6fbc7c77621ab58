#include "saematch/lap.h"
#include "saematch/error.h"
#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace saematch {
namespace {
// Augments along the shortest path found from row `cur` to the free column `sink` (path[j] is
// the row through which column j was reached): every column on it takes that row.
void flip_augmenting_path(LapResult& r, const std::vector<int>& path, int sink, int cur) {
  int j = sink;
  while (true) {
    int k = path[size_t(j)];
    r.col_to_row[size_t(j)] = k;
    std::swap(r.row_to_col[size_t(k)], j);
    if (k == cur) break;
  }
}

constexpr double kInf = std::numeric_limits<double>::infinity();

// n <= m. Each row is added by one Dijkstra-like search over columns in reduced costs.
LapResult dense_wide(const float* C, int n, int m, int64_t ld) {
  LapResult r;
  r.u.assign(size_t(n), 0); r.v.assign(size_t(m), 0);
  r.row_to_col.assign(size_t(n), -1); r.col_to_row.assign(size_t(m), -1);
  std::vector<double> shortest(static_cast<size_t>(m));
  std::vector<int> path(static_cast<size_t>(m)), remaining(static_cast<size_t>(m));
  std::vector<char> SR(static_cast<size_t>(n)), SC(static_cast<size_t>(m));
  std::vector<int> scanned_rows; scanned_rows.reserve(size_t(n));
  for (int cur = 0; cur < n; ++cur) {
    double minv = 0;
    int i = cur, num_rem = m, sink = -1;
    for (int it = 0; it < m; ++it) remaining[size_t(it)] = m - it - 1;
    std::fill(shortest.begin(), shortest.end(), kInf);
    std::fill(SC.begin(), SC.end(), 0);
    for (int k : scanned_rows) SR[size_t(k)] = 0;
    scanned_rows.clear();
    while (sink == -1) {
      int index = -1; double lowest = kInf;
      SR[size_t(i)] = 1; scanned_rows.push_back(i);
      const float* row = C + int64_t(i) * ld;
      double ui = r.u[size_t(i)];
      for (int it = 0; it < num_rem; ++it) {
        int j = remaining[size_t(it)];
        double red = minv + double(row[j]) - ui - r.v[size_t(j)];
        if (red < shortest[size_t(j)]) { path[size_t(j)] = i; shortest[size_t(j)] = red; }
        // Prefer a free column on ties: ends the search sooner.
        if (shortest[size_t(j)] < lowest || (shortest[size_t(j)] == lowest && r.col_to_row[size_t(j)] == -1)) {
          lowest = shortest[size_t(j)]; index = it;
        }
      }
      minv = lowest;
      if (!(minv < kInf)) fail("assignment is infeasible (non-finite costs)");
      int j = remaining[size_t(index)];
      if (r.col_to_row[size_t(j)] == -1) sink = j; else i = r.col_to_row[size_t(j)];
      SC[size_t(j)] = 1;
      remaining[size_t(index)] = remaining[size_t(--num_rem)];
    }
    r.u[size_t(cur)] += minv;
    for (int k : scanned_rows) if (k != cur) r.u[size_t(k)] += minv - shortest[size_t(r.row_to_col[size_t(k)])];
    for (int j = 0; j < m; ++j) if (SC[size_t(j)]) r.v[size_t(j)] -= minv - shortest[size_t(j)];
    flip_augmenting_path(r, path, sink, cur);
  }
  for (int k = 0; k < n; ++k) r.total += C[int64_t(k) * ld + r.row_to_col[size_t(k)]];
  return r;
}
}  // namespace

LapResult solve_lap_dense(const float* cost, int n, int m, int64_t ld) {
  if (n == 0 || m == 0) { LapResult r; r.row_to_col.assign(size_t(n), -1); r.col_to_row.assign(size_t(m), -1); r.u.assign(size_t(n), 0); r.v.assign(size_t(m), 0); return r; }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j)
      if (!std::isfinite(cost[int64_t(i) * ld + j])) fail("cost matrix contains NaN or Inf at (" + std::to_string(i) + "," + std::to_string(j) + ")");
  if (n <= m) return dense_wide(cost, n, m, ld);
  // More rows than columns: solve the transpose, then swap roles.
  std::vector<float> t(size_t(n) * size_t(m));
  for (int i = 0; i < n; ++i) for (int j = 0; j < m; ++j) t[size_t(j) * size_t(n) + size_t(i)] = cost[int64_t(i) * ld + j];
  LapResult tr = dense_wide(t.data(), m, n, n), r;
  r.row_to_col = tr.col_to_row; r.col_to_row = tr.row_to_col; r.u = tr.v; r.v = tr.u; r.total = tr.total;
  return r;
}

namespace {
// Min-heap of columns keyed by tentative distance, 4-ary, with decrease-key: each column
// appears at most once, so the search never wades through stale entries. Ties go to the
// smaller column index, which keeps results identical across builds.
class IndexedHeap {
 public:
  explicit IndexedHeap(int m) : pos_(size_t(m), -1) {}
  bool empty() const { return items_.empty(); }
  void clear() { for (const Node& x : items_) pos_[size_t(x.col)] = -1; items_.clear(); }
  void push_or_decrease(int col, double key) {
    int p = pos_[size_t(col)];
    if (p < 0) { p = int(items_.size()); items_.push_back({key, col}); pos_[size_t(col)] = p; }
    else items_[size_t(p)].key = key;
    sift_up(p);
  }
  int pop_min() {
    const int col = items_[0].col;
    pos_[size_t(col)] = -1;
    const Node last = items_.back();
    items_.pop_back();
    if (!items_.empty()) { items_[0] = last; pos_[size_t(last.col)] = 0; sift_down(0); }
    return col;
  }

 private:
  struct Node { double key; int col; };
  static bool before(const Node& a, const Node& b) { return a.key < b.key || (a.key == b.key && a.col < b.col); }
  void place(int p, const Node& x) { items_[size_t(p)] = x; pos_[size_t(x.col)] = p; }
  void sift_up(int p) {
    const Node x = items_[size_t(p)];
    while (p > 0) {
      const int parent = (p - 1) / 4;
      if (!before(x, items_[size_t(parent)])) break;
      place(p, items_[size_t(parent)]);
      p = parent;
    }
    place(p, x);
  }
  void sift_down(int p) {
    const Node x = items_[size_t(p)];
    const int n = int(items_.size());
    while (true) {
      const int first = 4 * p + 1;
      if (first >= n) break;
      int best = first;
      for (int c = first + 1; c < std::min(n, first + 4); ++c) if (before(items_[size_t(c)], items_[size_t(best)])) best = c;
      if (!before(items_[size_t(best)], x)) break;
      place(p, items_[size_t(best)]);
      p = best;
    }
    place(p, x);
  }
  std::vector<Node> items_;
  std::vector<int> pos_;
};

// Column reduction (square problems, cold start): v_j = the cheapest edge into column j, and
// each column's cheapest row takes it if still free. Duals stay feasible (c_ij - v_j >= 0) and
// every assignment is tight with u_i = 0.
void column_reduction(const SparseCost& c, LapResult& r) {
  const int n = c.n, m = c.m;
  std::vector<int> best_row(size_t(m), -1);
  std::vector<double> v(size_t(m), kInf);
  for (int i = 0; i < n; ++i)
    for (int64_t e = c.start[size_t(i)]; e < c.start[size_t(i) + 1]; ++e) {
      int j = c.col[size_t(e)];
      if (double(c.cost[size_t(e)]) < v[size_t(j)]) { v[size_t(j)] = c.cost[size_t(e)]; best_row[size_t(j)] = i; }
    }
  for (int j = 0; j < m; ++j) {
    r.v[size_t(j)] = best_row[size_t(j)] >= 0 ? v[size_t(j)] : 0.0;
    int i = best_row[size_t(j)];
    if (i >= 0 && r.row_to_col[size_t(i)] < 0) { r.row_to_col[size_t(i)] = j; r.col_to_row[size_t(j)] = i; r.u[size_t(i)] = 0; }
  }
}

// Augmenting row reduction (Jonker & Volgenant 1987): each free row takes its cheapest column
// in reduced terms and lowers that column's v by the gap to its second cheapest, displacing the
// previous owner, which tries again at once. Cheap, and on matching problems (most rows have
// one clear partner) it assigns nearly every row, so few shortest-path searches remain. Only
// lowers v, keeps every assigned pair tight and every edge's reduced cost >= 0.
// Returns the rows still free.
std::vector<int> augmenting_row_reduction(const SparseCost& c, LapResult& r, std::vector<int> free_rows) {
  for (int pass = 0; pass < 4 && !free_rows.empty(); ++pass) {
    std::vector<int> next;
    // A cap on steps: with float costs, tiny decrements could otherwise chain for long.
    int64_t budget = 8 * int64_t(c.n) + 1000;
    size_t k = 0;
    int carried = -1;  // a row displaced by a strict improvement: handled next
    while (carried >= 0 || k < free_rows.size()) {
      int i = carried >= 0 ? carried : free_rows[k++];
      carried = -1;
      if (--budget < 0) { next.push_back(i); continue; }
      double u1 = kInf, u2 = kInf;
      int j1 = -1, j2 = -1;
      for (int64_t e = c.start[size_t(i)]; e < c.start[size_t(i) + 1]; ++e) {
        int j = c.col[size_t(e)];
        double h = double(c.cost[size_t(e)]) - r.v[size_t(j)];
        if (h < u1) { u2 = u1; j2 = j1; u1 = h; j1 = j; }
        else if (h < u2) { u2 = h; j2 = j; }
      }
      if (j1 < 0) { next.push_back(i); continue; }  // no edges: the shortest-path phase reports it
      if (j2 < 0) u2 = u1;                          // one edge: nothing to trade against
      int r0 = r.col_to_row[size_t(j1)];
      const bool strict = u1 < u2;
      if (strict) r.v[size_t(j1)] -= u2 - u1;
      else if (r0 >= 0 && j2 >= 0) { j1 = j2; r0 = r.col_to_row[size_t(j2)]; }
      r.row_to_col[size_t(i)] = j1; r.col_to_row[size_t(j1)] = i;
      r.u[size_t(i)] = u2;  // = c_ij1 - v_j1 now (tight), <= c_ij - v_j elsewhere
      if (r0 >= 0) {
        r.row_to_col[size_t(r0)] = -1;
        if (strict) carried = r0; else next.push_back(r0);
      }
    }
    free_rows.swap(next);
  }
  return free_rows;
}

#ifndef NDEBUG
// Debug builds: the invariants the solver's comments state. Every edge's reduced cost >= 0
// and every assigned pair's <= slack (0 for exact solves), up to float rounding.
bool duals_certify(const SparseCost& c, const LapResult& r, double slack) {
  for (int i = 0; i < c.n; ++i)
    for (int64_t e = c.start[size_t(i)]; e < c.start[size_t(i) + 1]; ++e) {
      const int j = c.col[size_t(e)];
      const double red = double(c.cost[size_t(e)]) - r.u[size_t(i)] - r.v[size_t(j)];
      const double tol = 1e-9 * (1 + std::fabs(c.cost[size_t(e)]) + std::fabs(r.u[size_t(i)]) + std::fabs(r.v[size_t(j)]));
      if (red < -tol) return false;
      if (r.row_to_col[size_t(i)] == j && red > slack + tol) return false;
    }
  return true;
}
#endif
// Cost of edge (i, j) on the graph (j must be listed in row i).
double pair_cost(const SparseCost& c, int i, int j) {
  for (int64_t e = c.start[size_t(i)]; e < c.start[size_t(i) + 1]; ++e) if (c.col[size_t(e)] == j) return c.cost[size_t(e)];
  return kInf;
}
// After an auction: rows whose assigned pair is not exactly tight (c_ij - u_i - v_j > 0)
// are freed for the exact finish; the others keep their column.
void tighten_or_free(const SparseCost& c, LapResult& r, std::vector<int>& order) {
  for (int i = 0; i < c.n; ++i) {
    const int j = r.row_to_col[size_t(i)];
    if (pair_cost(c, i, j) - r.u[size_t(i)] - r.v[size_t(j)] > 0) { r.row_to_col[size_t(i)] = -1; r.col_to_row[size_t(j)] = -1; order.push_back(i); }
  }
  r.total = 0;
}
// Where the auction hands over to the exact finish: small enough that the shortest paths from
// its duals stay short, large enough that its last phases are few.
double auction_eps_for_exact(const SparseCost& c) {
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (float x : c.cost) { lo = std::min(lo, x); hi = std::max(hi, x); }
  return std::max(0.0, double(hi) - double(lo)) * 1e-7;
}

// Shortest augmenting paths (one Dijkstra search in reduced costs per free row) for the rows
// order[from..]. Rows that reach no free column go to `bad`. Returns how far it got: stops
// early, after a complete augmentation, once the edge relaxations projected for all its rows
// (from the first 16 on: the mean so far times the rows) exceed `budget` (budget < 0: none)
// and no row was found unmatched so far.
size_t augment_free_rows(const SparseCost& c, LapResult& r, const std::vector<int>& order, size_t from, int64_t budget, InfeasibleRows& bad) {
  const int m = c.m;
  std::vector<double> dist(size_t(m), kInf);
  std::vector<int> path(size_t(m), -1), touched, popped_cols, scanned_rows;
  std::vector<char> done(size_t(m), 0);
  IndexedHeap heap(m);
  int64_t relaxed = 0;
  for (size_t t = from; t < order.size(); ++t) {
    // Projected from the rows done so far: long paths show early, so the switch comes
    // before most of the budget is spent.
    const size_t done_rows = t - from;
    const double projected = done_rows >= 16 ? double(relaxed) * double(order.size() - from) / double(done_rows) : double(relaxed);
    if (budget >= 0 && projected > double(budget) && bad.rows.empty()) return t;
    const int cur = order[t];
    for (int j : touched) { dist[size_t(j)] = kInf; done[size_t(j)] = 0; }
    touched.clear(); popped_cols.clear(); scanned_rows.clear();
    heap.clear();
    int i = cur, sink = -1;
    double minv = 0;
    while (true) {
      scanned_rows.push_back(i);
      double ui = r.u[size_t(i)];
      relaxed += c.start[size_t(i) + 1] - c.start[size_t(i)];
      for (int64_t e = c.start[size_t(i)]; e < c.start[size_t(i) + 1]; ++e) {
        int j = c.col[size_t(e)];
        if (done[size_t(j)]) continue;
        double nd = minv + double(c.cost[size_t(e)]) - ui - r.v[size_t(j)];
        if (nd < dist[size_t(j)]) {
          if (dist[size_t(j)] == kInf) touched.push_back(j);
          dist[size_t(j)] = nd; path[size_t(j)] = i; heap.push_or_decrease(j, nd);
        }
      }
      const int j = heap.empty() ? -1 : heap.pop_min();
      if (j < 0) break;  // nothing reachable: infeasible on this candidate graph
      done[size_t(j)] = 1; popped_cols.push_back(j);
      minv = dist[size_t(j)];
      if (r.col_to_row[size_t(j)] == -1) { sink = j; break; }
      i = r.col_to_row[size_t(j)];
    }
    if (sink < 0) { bad.rows.insert(bad.rows.end(), scanned_rows.begin(), scanned_rows.end()); continue; }
    r.u[size_t(cur)] += minv;
    for (int k : scanned_rows) if (k != cur) r.u[size_t(k)] += minv - dist[size_t(r.row_to_col[size_t(k)])];
    for (int j : popped_cols) r.v[size_t(j)] -= minv - dist[size_t(j)];
    flip_augmenting_path(r, path, sink, cur);
  }
  return order.size();
}
}  // namespace

LapResult solve_lap_sparse(const SparseCost& c, const LapResult* warm, const std::vector<char>* redo, double eps_stop, bool auction) {
  int n = c.n, m = c.m;
  if (n > m) fail("sparse assignment needs rows <= columns");
  if (warm && (n != m || !redo || int(redo->size()) != n || int(warm->u.size()) != n || int(warm->v.size()) != m))
    fail("warm start needs a square problem, its previous solution and the rows to redo");
  LapResult r;
  std::vector<int> order;
  InfeasibleRows bad;
  int redo_count = 0;
  if (warm) for (char x : *redo) redo_count += x != 0;
  // After an auction start, many rows to redo (a pool round that added hundreds of rows'
  // edges): shortest paths from one row at a time would each wander through the near-ties
  // the auction's duals leave, so the auction runs again from the previous prices.
  const bool reauction = warm && auction && warm->from_auction && redo_count > std::max(32, n / 64) &&
                         auction_sparse(c, auction_eps_for_exact(c), r, &warm->v);
  if (reauction) {
    tighten_or_free(c, r, order);  // (exact from here: epsilon_optimal is false)
    order = augmenting_row_reduction(c, r, std::move(order));
  } else if (warm) {
    // Rows whose edges did not change keep their assignment; the previous duals stay feasible
    // for them (edges are per row), so only the changed rows are augmented again.
    r = *warm;
    r.total = 0;
    for (int i = 0; i < n; ++i) {
      if (!(*redo)[size_t(i)]) continue;
      int j = r.row_to_col[size_t(i)];
      if (j >= 0) r.col_to_row[size_t(j)] = -1;
      r.row_to_col[size_t(i)] = -1; r.u[size_t(i)] = 0;
      order.push_back(i);
    }
    order = augmenting_row_reduction(c, r, std::move(order));
  } else {
    // Cold start: column reduction and augmenting row reduction (Jonker-Volgenant) assign
    // nearly every row of a clean matching problem, and the few shortest paths left are short.
    // Rectangular problems keep v = 0 on columns that stay free (their duals must be <= 0),
    // which column reduction and the auction would break; row reduction alone is still valid.
    r.u.assign(size_t(n), 0); r.v.assign(size_t(m), 0);
    r.row_to_col.assign(size_t(n), -1); r.col_to_row.assign(size_t(m), -1);
    if (n == m) column_reduction(c, r);
    for (int i = 0; i < n; ++i) if (r.row_to_col[size_t(i)] < 0) order.push_back(i);
    order = augmenting_row_reduction(c, r, std::move(order));
    for (int i : order) r.u[size_t(i)] = 0;
    // Where those paths turn out long (near-ties: families of similar features with weak
    // partners, every search wandering through them), square problems switch to the duals of
    // an epsilon-scaling auction (auction.cpp) once the searches are projected (mean so far
    // times the free rows) to relax more than a few times the edges; shortest paths then only
    // tighten the rows the auction left slack. Measured (CPU, load ~12): the auction costs
    // about one such pass (clustered F = 16384: 0.05 s, where the shortest paths had spent
    // 0.62 s before switching at 100x; clustered F = 4096: 0.01 s against 0.20 s), same
    // optimum and certification work. Clean problems, whose reductions leave few rows free
    // (easy instance at F = 8192: 60 of 8192, paths relaxing 20x the edges), keep the
    // reduction duals up to 100x: the auction's make certification harder there (10620 rows
    // re-streamed instead of 322).
    const bool may_switch = n == m && auction;
    const double per_edge = int64_t(order.size()) * 32 > n ? 4 : 100;
    const int64_t budget = may_switch ? int64_t(per_edge * double(c.col.size())) + 16 * int64_t(n) : -1;
    const size_t reached = augment_free_rows(c, r, order, 0, budget, bad);
    if (reached == order.size()) {
      order.clear();
    } else {
      LapResult a;
      if (auction_sparse(c, eps_stop > 0 ? eps_stop : auction_eps_for_exact(c), a)) {
        r = std::move(a);
        r.from_auction = true;
        order.clear();
        if (eps_stop > 0) {
          assert(duals_certify(c, r, 2 * eps_stop) && "epsilon-complementary slackness after the auction");
          r.epsilon_optimal = true;
          return r;
        }
        tighten_or_free(c, r, order);
        order = augmenting_row_reduction(c, r, std::move(order));
      } else {
        order.erase(order.begin(), order.begin() + std::ptrdiff_t(reached));  // the auction gave up: finish the paths
      }
    }
  }
  for (int i : order) r.u[size_t(i)] = 0;  // free rows start their search from u = 0
  augment_free_rows(c, r, order, 0, -1, bad);
  if (!bad.rows.empty()) {
    std::sort(bad.rows.begin(), bad.rows.end());
    bad.rows.erase(std::unique(bad.rows.begin(), bad.rows.end()), bad.rows.end());
    throw bad;
  }
  for (int k = 0; k < n; ++k) {
    int j = r.row_to_col[size_t(k)];
    for (int64_t e = c.start[size_t(k)]; e < c.start[size_t(k) + 1]; ++e) if (c.col[size_t(e)] == j) { r.total += c.cost[size_t(e)]; break; }
  }
  assert(duals_certify(c, r, 0) && "shortest paths keep every reduced cost >= 0 and assigned pairs tight");
  return r;
}
}  // namespace saematch
