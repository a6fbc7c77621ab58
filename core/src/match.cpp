#include "saematch/match.h"
#include "saematch/error.h"
#include "saematch/int8_cost.h"
#include "saematch/parallel.h"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>

namespace saematch {
namespace {
// Wall-clock seconds since construction; feeds the stage timings benchmarks report.
struct Stopwatch {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }
};

void report(const MatchOptions& o, const std::string& stage, double f) {
  if (o.progress && !o.progress(stage, f)) fail("cancelled");
}

void finish(MatchResult& r, const MatF& EA, const MatF& EB, const std::vector<int>& a_to_b, const std::vector<float>& costs) {
  VecF nA = squared_norms(EA), nB = squared_norms(EB);
  r.FA = int(EA.rows()); r.FB = int(EB.rows());
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

// Rows of the cost matrix between A's and B's embeddings: float GEMM, or integer dots on
// int8-quantised rows (then EA/EB hold the dequantised rows, so everything else agrees).
struct Blocks {
  const MatF& EA;
  const MatF& EB;
  const QuantRows* QA = nullptr;
  const QuantRows* QB = nullptr;
  VecF nA = squared_norms(EA), nB = squared_norms(EB);
  void rows(int r0, int r1, MatF& out) const {
    if (QA) { cost_rows_q(*QA, nA, *QB, nB, r0, r1, out); return; }
    out.resize(r1 - r0, EB.rows());
    cost_rows(EA, nA, EB, nB, r0, r1, out);
  }
  // Rows ids[0..count) of the cost matrix (in that order), for partial certification passes.
  void rows_of(const int* ids, int count, MatF& out) const {
    VecF ns(count);
    for (int t = 0; t < count; ++t) ns[t] = nA[ids[t]];
    if (QA) {
      QuantRows sub;
      sub.rows = count; sub.cols = QA->cols; sub.stride = QA->stride;
      sub.q.resize(size_t(count) * size_t(sub.stride));
      sub.scale.resize(count);
      for (int t = 0; t < count; ++t) {
        std::copy_n(&QA->q[size_t(ids[t]) * size_t(sub.stride)], sub.stride, &sub.q[size_t(t) * size_t(sub.stride)]);
        sub.scale[t] = QA->scale[ids[t]];
      }
      cost_rows_q(sub, ns, *QB, nB, 0, count, out);
      return;
    }
    MatF sub(count, EA.cols());
    for (int t = 0; t < count; ++t) sub.row(t) = EA.row(ids[t]);
    out.resize(count, EB.rows());
    cost_rows(sub, ns, EB, nB, 0, count, out);
  }
  Blocks swapped() const { Blocks t{EB, EA, QB, QA}; return t; }
};

MatchResult match_dense(const Blocks& B, const MatchOptions& o) {
  const MatF &EA = B.EA, &EB = B.EB;
  report(o, "cost matrix", 0);
  Stopwatch cost_clock;
  MatF C = dense_cost(int(EA.rows()), int(EB.rows()), [&](int r0, int r1, MatF& out) { B.rows(r0, r1, out); });
  const double cost_s = cost_clock.seconds();
  report(o, "assignment", 0.5);
  Stopwatch lap_clock;
  LapResult l = solve_lap_dense(C.data(), int(C.rows()), int(C.cols()), C.cols());
  const double lap_s = lap_clock.seconds();
  std::vector<float> costs(size_t(C.rows()), std::numeric_limits<float>::quiet_NaN());
  for (int i = 0; i < C.rows(); ++i) if (l.row_to_col[size_t(i)] >= 0) costs[size_t(i)] = C(i, l.row_to_col[size_t(i)]);
  MatchResult r;
  finish(r, EA, EB, l.row_to_col, costs);
  r.certified = true; r.method = "dense"; r.rounds = 1;
  r.seconds_cost = cost_s; r.seconds_lap = lap_s;
  r.candidate_edges = int64_t(C.rows()) * C.cols();
  report(o, "done", 1);
  return r;
}

struct Edge { int col; float cost; };

// One pass over the cost blocks of all rows, or of the rows in `subset`; `visit(worker, row,
// costs_of_row)` runs on worker threads (worker in [0, thread_count())), one row per call.
template <class Visit>
void stream_rows(const Blocks& B, const MatchOptions& o, const std::string& stage, Visit visit,
                 const std::vector<int>* subset = nullptr) {
  const int block = 128;
  const int rows = subset ? int(subset->size()) : int(B.EA.rows());
  int nblocks = (rows + block - 1) / block;
  std::atomic<int> next{0}, finished{0};
  std::atomic<bool> cancel{false};
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
        B.rows_of(subset->data() + r0, r1 - r0, tmp);
        for (int t = r0; t < r1; ++t) visit(worker, (*subset)[size_t(t)], tmp.row(t - r0).data());
      } else {
        B.rows(r0, r1, tmp);
        for (int i = r0; i < r1; ++i) visit(worker, i, tmp.row(i - r0).data());
      }
      int f = ++finished;
      if (caller && o.progress && !o.progress(stage, double(f) / nblocks)) cancel = true;
    }
  });
  if (cancel) fail("cancelled");
}

MatchResult match_sparse(const Blocks& B, const MatchOptions& o) {
  const MatF &EA = B.EA, &EB = B.EB;
  const VecF &nA = B.nA, &nB = B.nB;
  const int n = int(EA.rows()), m = int(EB.rows());  // n <= m here
  const int k = std::max(1, std::min(o.topk, m));
  const int kc = 4;  // best rows per column, so that every column is reachable
  std::vector<std::vector<Edge>> cand(static_cast<size_t>(n));
  // The LAP runs on shifted costs c'_ij = c_ij - |a_i|^2 - |b_j|^2 + S (square problems) or
  // c_ij - |a_i|^2 + S (n < m). Every assignment that matches all rows (and, when square,
  // all columns) pays the same sum of norms, so the optimum is the same; but c' ranks by the
  // dot product alone. Plain cost would send every row to the smallest-norm columns, leave
  // dead/newborn features without candidates, and produce duals far from the dense ones,
  // so certification would need many rounds. S keeps c' >= 0.
  const bool square = n == m;
  const double S = double(nA.maxCoeff()) + (square ? double(nB.maxCoeff()) : 0.0);
  auto shift = [&](int i, int j) { return S - double(nA[i]) - (square ? double(nB[j]) : 0.0); };
  auto shifted = [&](int i, int j, float c) { return float(double(c) + shift(i, j)); };
  // Candidates are chosen by cosine, -2 a.b / |b| per row and -2 a.b / |a| per column: ranking
  // by raw dot product would make the largest-norm features hubs that every row and column
  // lists, and the candidate graph would then have no perfect matching.
  VecF invA = nA.cwiseSqrt().cwiseMax(1e-20f).cwiseInverse(), invB = nB.cwiseSqrt().cwiseMax(1e-20f).cwiseInverse();
  // A wider pool of next-best candidates per row, kept with their costs, lets most
  // solve/check rounds run without streaming the full cost matrix again (a full pass costs
  // 2·F²·d flops); the dense certification pass runs once the pool shows no violation.
  const int P = std::min(m - k, std::max(8 * k, 256));
  std::vector<std::vector<Edge>> pool(static_cast<size_t>(n));
  // Each worker keeps its own best-rows-per-column table (no lock in the hot loop); merged after.
  const int T = thread_count();
  std::vector<std::vector<float>> colbest(size_t(T), std::vector<float>(size_t(m) * kc, std::numeric_limits<float>::infinity()));
  std::vector<std::vector<int>> colarg(size_t(T), std::vector<int>(size_t(m) * kc, -1));
  std::vector<float> max_cost_w(size_t(T), 0.f);
  Stopwatch stream_clock;
  stream_rows(B, o, "candidates", [&](int w, int i, const float* row) {
    std::vector<int> idx(static_cast<size_t>(m));
    for (int j = 0; j < m; ++j) idx[size_t(j)] = j;
    // Graph: best k by cosine, which spreads rows over all columns; pool: the next best P.
    auto key = [&](int j) { return (row[j] - nA[i] - nB[j]) * invB[j]; };
    auto before = [&](int a, int b) { return key(a) < key(b) || (key(a) == key(b) && a < b); };
    std::nth_element(idx.begin(), idx.begin() + (k + P - 1), idx.end(), before);
    std::nth_element(idx.begin(), idx.begin() + (k - 1), idx.begin() + (k + P), before);
    auto& c = cand[size_t(i)];
    for (int t = 0; t < k; ++t) { int j = idx[size_t(t)]; c.push_back({j, shifted(i, j, row[j])}); }
    auto& pl = pool[size_t(i)];
    for (int t = k; t < k + P; ++t) { int j = idx[size_t(t)]; pl.push_back({j, shifted(i, j, row[j])}); }
    float mx = 0;
    float* cbw = colbest[size_t(w)].data();
    int* caw = colarg[size_t(w)].data();
    for (int j = 0; j < m; ++j) {
      float v = (row[j] - nA[i] - nB[j]) * invA[i];
      mx = std::max(mx, row[j]);
      float* cb = cbw + size_t(j) * kc;
      if (v >= cb[kc - 1]) continue;
      int* ca = caw + size_t(j) * kc;
      int p = kc - 1;
      while (p > 0 && v < cb[p - 1]) { cb[p] = cb[p - 1]; ca[p] = ca[p - 1]; --p; }
      cb[p] = v; ca[p] = i;
    }
    max_cost_w[size_t(w)] = std::max(max_cost_w[size_t(w)], mx);
  });
  double stream_s = stream_clock.seconds();
  const float max_cost = *std::max_element(max_cost_w.begin(), max_cost_w.end());
  for (int j = 0; j < m; ++j) {
    // The kc best rows of column j over all workers (duplicates are removed when the graph is built).
    std::vector<std::pair<float, int>> best;
    for (int w = 0; w < T; ++w)
      for (int t = 0; t < kc; ++t) {
        int i = colarg[size_t(w)][size_t(j) * kc + t];
        if (i >= 0) best.push_back({colbest[size_t(w)][size_t(j) * kc + t], i});
      }
    std::sort(best.begin(), best.end());
    for (size_t t = 0; t < best.size() && t < size_t(kc); ++t) {
      int i = best[t].second;
      cand[size_t(i)].push_back({j, shifted(i, j, best[t].first / invA[i] + nA[i] + nB[j])});
    }
  }
  const double tol = 1e-6 * std::max(1.0, double(max_cost) + S);
  MatchResult r;
  r.method = "sparse+certify";
  LapResult l;
  double lap_s = 0;
  // Square problems re-solve warm: only rows that gained edges are augmented again.
  std::vector<char> redo(size_t(n), 1);
  bool warm = false;
  int passes = 0;  // certification passes, full or partial (what max_rounds caps)
  // Row bounds that spare re-streaming: when row i was last streamed (duals u0, v0), every
  // column outside its pool and graph had reduced cost >= rq[i]. Warm solves only lower v, so
  // now c'_ij - u_i - v_j >= rq[i] - (u_i - u0_i) there; rows where that is >= -tol need no
  // new pass. A cold solve resets v and invalidates the bounds.
  std::vector<double> uref(size_t(n), 0), rq(size_t(n), -std::numeric_limits<double>::infinity());
  bool bounds_valid = false;
  // The result for the current solution; when not certified, a gap bound from weak duality
  // with v <= 0: any assignment costs >= sum(u) + sum(v) + sum_i min(0, min_j red_ij), in
  // shifted costs (the shift is the same for every assignment, so the gap is too).
  auto done = [&](bool certified, const std::vector<double>& row_min) {
    std::vector<float> costs(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {  // true costs, not shifted ones
      int j = l.row_to_col[size_t(i)];
      costs[size_t(i)] = std::max(0.f, nA[i] + nB[j] - 2.f * EA.row(i).dot(EB.row(j)));
    }
    finish(r, EA, EB, l.row_to_col, costs);
    r.seconds_cost = stream_s; r.seconds_lap = lap_s;
    r.certified = certified;
    if (!certified) {
      double lb = 0, shifted_total = 0;
      for (double x : l.u) lb += x;
      for (double x : l.v) lb += x;
      for (double x : row_min) lb += x;
      for (int i = 0; i < n; ++i) shifted_total += double(costs[size_t(i)]) + shift(i, l.row_to_col[size_t(i)]);
      r.gap_bound = std::max(0.0, shifted_total - lb);
    }
    report(o, "done", 1);
    return r;
  };
  for (int round = 1;; ++round) {
    r.rounds = round;
    SparseCost sc; sc.n = n; sc.m = m; sc.start.assign(size_t(n) + 1, 0);
    for (int i = 0; i < n; ++i) {
      auto& c = cand[size_t(i)];
      std::sort(c.begin(), c.end(), [](const Edge& a, const Edge& b) { return a.col < b.col; });
      c.erase(std::unique(c.begin(), c.end(), [](const Edge& a, const Edge& b) { return a.col == b.col; }), c.end());
      sc.start[size_t(i) + 1] = sc.start[size_t(i)] + int64_t(c.size());
      for (auto& e : c) { sc.col.push_back(e.col); sc.cost.push_back(e.cost); }
    }
    r.candidate_edges = int64_t(sc.col.size());
    report(o, "assignment", 0);
    try {
      Stopwatch lap_clock;
      if (!warm) bounds_valid = false;
      l = warm ? solve_lap_sparse(sc, &l, &redo) : solve_lap_sparse(sc);
      lap_s += lap_clock.seconds();
      warm = square;
      std::fill(redo.begin(), redo.end(), 0);
    } catch (const InfeasibleRows& bad) {
      warm = false;
      std::fill(redo.begin(), redo.end(), 1);
      // Candidate graph has no perfect matching through these rows: give them every column.
      for (int i : bad.rows) {
        MatF row;
        B.rows(i, i + 1, row);
        for (int j = 0; j < m; ++j) cand[size_t(i)].push_back({j, shifted(i, j, row(0, j))});
      }
      continue;
    }
    // Cheap check first: reduced costs of the pooled candidates.
    int64_t pool_violations = 0;
    for (int i = 0; i < n; ++i) {
      std::vector<Edge> worst;
      for (const Edge& e : pool[size_t(i)])
        if (double(e.cost) - l.u[size_t(i)] - l.v[size_t(e.col)] < -tol) worst.push_back(e);
      pool_violations += int64_t(worst.size());
      if (!worst.empty()) redo[size_t(i)] = 1;
      cand[size_t(i)].insert(cand[size_t(i)].end(), worst.begin(), worst.end());
    }
    if (pool_violations > 0 && round < 50 * o.max_rounds) continue;
    // Certify: every reduced cost on the full dense problem must be >= -tol. Rows whose bound
    // already proves it are skipped; the others (all, the first time) are streamed again.
    std::vector<int> recheck;
    std::vector<double> row_min(size_t(n), 0);
    for (int i = 0; i < n; ++i) {
      double bound = rq[size_t(i)] - (l.u[size_t(i)] - uref[size_t(i)]);
      if (!bounds_valid || bound < -tol) recheck.push_back(i);
      else row_min[size_t(i)] = std::min(0.0, bound);
    }
    if (recheck.empty()) return done(true, row_min);  // proven without a pass
    ++passes;
    std::vector<std::vector<Edge>> add(static_cast<size_t>(n));
    std::atomic<int64_t> violations{0};
    Stopwatch certify_clock;
    const bool full = int(recheck.size()) == n;
    stream_rows(B, o, full ? "certify" : "certify (partial)", [&](int, int i, const float* row) {
      const double ui = l.u[size_t(i)];
      std::vector<float> red(static_cast<size_t>(m));
      double mn = 0;
      int64_t bad = 0;
      for (int j = 0; j < m; ++j) {
        double rj = double(row[j]) + shift(i, j) - ui - l.v[size_t(j)];
        red[size_t(j)] = float(rj);
        mn = std::min(mn, rj);
        if (rj < -tol) ++bad;
      }
      row_min[size_t(i)] = mn;
      violations += bad;
      // The 16 most negative reduced costs join the graph; the next P smallest (violating or
      // nearly so) become the row's pool, so the cheap pool rounds can follow the duals as
      // they move without another full pass.
      const int Q = std::min(m, 16 + P);
      std::vector<int> idx(static_cast<size_t>(m));
      for (int j = 0; j < m; ++j) idx[size_t(j)] = j;
      auto by_red = [&](int x, int y) { return red[size_t(x)] < red[size_t(y)] || (red[size_t(x)] == red[size_t(y)] && x < y); };
      std::nth_element(idx.begin(), idx.begin() + (Q - 1), idx.end(), by_red);
      std::sort(idx.begin(), idx.begin() + Q, by_red);
      auto& pl = pool[size_t(i)];
      pl.clear();
      for (int t = 0; t < Q; ++t) {
        int j = idx[size_t(t)];
        Edge e{j, shifted(i, j, row[j])};
        if (t < 16 && double(red[size_t(j)]) < -tol) add[size_t(i)].push_back(e);
        else pl.push_back(e);
      }
      uref[size_t(i)] = ui;
      rq[size_t(i)] = Q < m ? double(red[size_t(idx[size_t(Q - 1)])]) : std::numeric_limits<double>::infinity();
    }, full ? nullptr : &recheck);
    bounds_valid = square;
    stream_s += certify_clock.seconds();
    if (violations == 0 || passes >= o.max_rounds) return done(violations == 0, row_min);
    for (int i = 0; i < n; ++i) {
      if (!add[size_t(i)].empty()) redo[size_t(i)] = 1;
      cand[size_t(i)].insert(cand[size_t(i)].end(), add[size_t(i)].begin(), add[size_t(i)].end());
    }
  }
}
MatchResult match_blocks(const Blocks& B, const MatchOptions& o) {
  const MatF &EA = B.EA, &EB = B.EB;
  if (std::max(EA.rows(), EB.rows()) < o.dense_max) return match_dense(B, o);
  if (EA.rows() <= EB.rows()) return match_sparse(B, o);
  // More features in A than B: match B to A, then invert.
  MatchResult t = match_sparse(B.swapped(), o);
  std::vector<int> a_to_b(size_t(EA.rows()), -1);
  std::vector<float> costs(size_t(EA.rows()), std::numeric_limits<float>::quiet_NaN());
  for (int j = 0; j < t.FA; ++j) { int i = t.a_to_b[size_t(j)]; a_to_b[size_t(i)] = j; costs[size_t(i)] = t.cost[size_t(j)]; }
  MatchResult r;
  finish(r, EA, EB, a_to_b, costs);
  r.certified = t.certified; r.gap_bound = t.gap_bound; r.rounds = t.rounds; r.method = t.method; r.candidate_edges = t.candidate_edges;
  r.seconds_cost = t.seconds_cost; r.seconds_lap = t.seconds_lap;
  return r;
}
}  // namespace

MatchResult match_embeddings(const MatF& EA, const MatF& EB, const MatchOptions& o) {
  if (EA.cols() != EB.cols()) fail("the two layers have different feature widths (d_model mismatch)");
  if (EA.rows() == 0 || EB.rows() == 0) fail("cannot match an SAE with no features");
  if (!o.int8) return match_blocks(Blocks{EA, EB}, o);
  // Exact matching of the int8-quantised embeddings (identical to the stored weights of an
  // int8 pack); the method name says so.
  QuantRows QA = quantise_rows(EA), QB = quantise_rows(EB);
  MatF DA = dequantise(QA), DB = dequantise(QB);
  MatchResult r = match_blocks(Blocks{DA, DB, &QA, &QB}, o);
  r.method += " int8";
  return r;
}

MatchResult match_saes(const Sae& A, const Sae& B, const MatchOptions& o) {
  if (A.d() != B.d())
    fail("d_model mismatch: layer A has d_model=" + std::to_string(A.d()) + ", layer B has " + std::to_string(B.d()) + " (SAEs from different models or hook points?)");
  const Sae fa = o.fold ? fold(A) : A, fb = o.fold ? fold(B) : B;
  return match_embeddings(feature_embedding(fa, o.weights), feature_embedding(fb, o.weights), o);
}
}  // namespace saematch
