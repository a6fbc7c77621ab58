#include "saematch/match.h"
#include "saematch/error.h"
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

MatchResult match_dense(const MatF& EA, const MatF& EB, const MatchOptions& o) {
  report(o, "cost matrix", 0);
  Stopwatch cost_clock;
  MatF C = dense_cost(EA, EB);
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

// One pass over all cost blocks; `visit(worker, row, costs_of_row)` runs on worker threads
// (worker in [0, thread_count())), one row per call.
template <class Visit>
void stream_rows(const MatF& EA, const VecF& nA, const MatF& EB, const VecF& nB, const MatchOptions& o,
                 const std::string& stage, Visit visit) {
  const int block = 128;
  int nblocks = int((EA.rows() + block - 1) / block);
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
      int r0 = b * block, r1 = std::min<int>(int(EA.rows()), r0 + block);
      tmp.resize(r1 - r0, EB.rows());
      cost_rows(EA, nA, EB, nB, r0, r1, tmp);
      for (int i = r0; i < r1; ++i) visit(worker, i, tmp.row(i - r0).data());
      int f = ++finished;
      if (caller && o.progress && !o.progress(stage, double(f) / nblocks)) cancel = true;
    }
  });
  if (cancel) fail("cancelled");
}

MatchResult match_sparse(const MatF& EA, const MatF& EB, const MatchOptions& o) {
  const int n = int(EA.rows()), m = int(EB.rows());  // n <= m here
  const int k = std::max(1, std::min(o.topk, m));
  const int kc = 2;  // best rows per column, so that every column is reachable
  VecF nA = squared_norms(EA), nB = squared_norms(EB);
  std::vector<std::vector<Edge>> cand(static_cast<size_t>(n));
  // Each worker keeps its own best-rows-per-column table (no lock in the hot loop); merged after.
  const int T = thread_count();
  std::vector<std::vector<float>> colbest(size_t(T), std::vector<float>(size_t(m) * kc, std::numeric_limits<float>::infinity()));
  std::vector<std::vector<int>> colarg(size_t(T), std::vector<int>(size_t(m) * kc, -1));
  std::vector<float> max_cost_w(size_t(T), 0.f);
  Stopwatch stream_clock;
  stream_rows(EA, nA, EB, nB, o, "candidates", [&](int w, int i, const float* row) {
    std::vector<int> idx(static_cast<size_t>(m));
    for (int j = 0; j < m; ++j) idx[size_t(j)] = j;
    std::nth_element(idx.begin(), idx.begin() + (k - 1), idx.end(), [&](int a, int b) { return row[a] < row[b] || (row[a] == row[b] && a < b); });
    auto& c = cand[size_t(i)];
    for (int t = 0; t < k; ++t) c.push_back({idx[size_t(t)], row[idx[size_t(t)]]});
    max_cost_w[size_t(w)] = std::max(max_cost_w[size_t(w)], *std::max_element(row, row + m));
    float* cbw = colbest[size_t(w)].data();
    int* caw = colarg[size_t(w)].data();
    for (int j = 0; j < m; ++j) {
      float v = row[j];
      float* cb = cbw + size_t(j) * kc;
      if (v >= cb[kc - 1]) continue;
      int* ca = caw + size_t(j) * kc;
      int p = kc - 1;
      while (p > 0 && v < cb[p - 1]) { cb[p] = cb[p - 1]; ca[p] = ca[p - 1]; --p; }
      cb[p] = v; ca[p] = i;
    }
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
    for (size_t t = 0; t < best.size() && t < size_t(kc); ++t) cand[size_t(best[t].second)].push_back({j, best[t].first});
  }
  const double tol = 1e-6 * std::max(1.0, double(max_cost));
  MatchResult r;
  r.method = "sparse+certify";
  LapResult l;
  double lap_s = 0;
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
      l = solve_lap_sparse(sc);
      lap_s += lap_clock.seconds();
    } catch (const InfeasibleRows& bad) {
      // Candidate graph has no perfect matching through these rows: give them every column.
      for (int i : bad.rows) {
        MatF row(1, m);
        cost_rows(EA, nA, EB, nB, i, i + 1, row);
        for (int j = 0; j < m; ++j) cand[size_t(i)].push_back({j, row(0, j)});
      }
      continue;
    }
    // Certify: every reduced cost on the full dense problem must be >= -tol.
    std::vector<std::vector<Edge>> add(static_cast<size_t>(n));
    std::atomic<int64_t> violations{0};
    std::vector<double> row_min(size_t(n), 0);
    Stopwatch certify_clock;
    stream_rows(EA, nA, EB, nB, o, "certify", [&](int, int i, const float* row) {
      double ui = l.u[size_t(i)], mn = 0;
      std::vector<Edge> worst;
      for (int j = 0; j < m; ++j) {
        double red = double(row[j]) - ui - l.v[size_t(j)];
        mn = std::min(mn, red);
        if (red < -tol) worst.push_back({j, row[j]});
      }
      row_min[size_t(i)] = mn;
      if (!worst.empty()) {
        violations += int64_t(worst.size());
        if (worst.size() > 16) {
          std::nth_element(worst.begin(), worst.begin() + 15, worst.end(), [&](const Edge& a, const Edge& b) {
            return a.cost - l.v[size_t(a.col)] < b.cost - l.v[size_t(b.col)];
          });
          worst.resize(16);
        }
        add[size_t(i)] = std::move(worst);
      }
    });
    stream_s += certify_clock.seconds();
    std::vector<float> costs(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      int j = l.row_to_col[size_t(i)];
      for (auto& e : cand[size_t(i)]) if (e.col == j) { costs[size_t(i)] = e.cost; break; }
    }
    if (violations == 0 || round >= o.max_rounds) {
      finish(r, EA, EB, l.row_to_col, costs);
      r.seconds_cost = stream_s; r.seconds_lap = lap_s;
      r.certified = violations == 0;
      if (!r.certified) {
        // Weak duality with v <= 0: any assignment costs >= sum(u) + sum(v) + sum_i min(0, min_j red_ij).
        double lb = 0;
        for (double x : l.u) lb += x;
        for (double x : l.v) lb += x;
        for (double x : row_min) lb += x;
        r.gap_bound = std::max(0.0, r.total - lb);
      }
      report(o, "done", 1);
      return r;
    }
    for (int i = 0; i < n; ++i) cand[size_t(i)].insert(cand[size_t(i)].end(), add[size_t(i)].begin(), add[size_t(i)].end());
  }
}
}  // namespace

MatchResult match_embeddings(const MatF& EA, const MatF& EB, const MatchOptions& o) {
  if (EA.cols() != EB.cols()) fail("the two layers have different feature widths (d_model mismatch)");
  if (EA.rows() == 0 || EB.rows() == 0) fail("cannot match an SAE with no features");
  if (std::max(EA.rows(), EB.rows()) < o.dense_max) return match_dense(EA, EB, o);
  if (EA.rows() <= EB.rows()) return match_sparse(EA, EB, o);
  // More features in A than B: match B to A, then invert.
  MatchResult t = match_sparse(EB, EA, o);
  std::vector<int> a_to_b(size_t(EA.rows()), -1);
  std::vector<float> costs(size_t(EA.rows()), std::numeric_limits<float>::quiet_NaN());
  for (int j = 0; j < t.FA; ++j) { int i = t.a_to_b[size_t(j)]; a_to_b[size_t(i)] = j; costs[size_t(i)] = t.cost[size_t(j)]; }
  MatchResult r;
  finish(r, EA, EB, a_to_b, costs);
  r.certified = t.certified; r.gap_bound = t.gap_bound; r.rounds = t.rounds; r.method = t.method; r.candidate_edges = t.candidate_edges;
  r.seconds_cost = t.seconds_cost; r.seconds_lap = t.seconds_lap;
  return r;
}

MatchResult match_saes(const Sae& A, const Sae& B, const MatchOptions& o) {
  if (A.d() != B.d())
    fail("d_model mismatch: layer A has d_model=" + std::to_string(A.d()) + ", layer B has " + std::to_string(B.d()) + " (SAEs from different models or hook points?)");
  const Sae fa = o.fold ? fold(A) : A, fb = o.fold ? fold(B) : B;
  return match_embeddings(feature_embedding(fa, o.weights), feature_embedding(fb, o.weights), o);
}
}  // namespace saematch
