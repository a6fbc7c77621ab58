// The sparse path: a candidate graph from one streamed pass, exact assignment on it, then a
// proof that the assignment is optimal on the full dense problem (every reduced cost
// c_ij - u_i - v_j >= 0), streaming only the rows that the bounds from the first pass cannot
// settle, adding violating pairs and re-solving until none remain.
#include "match_blocks.h"
#include "simd_vec.h"
#include "saematch/error.h"
#include "saematch/parallel.h"
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

namespace saematch {
namespace {
// cost: shifted cost when exact, else a lower bound on it (screened cost minus its error bound).
struct Edge { int col; float cost; bool exact; };
constexpr double kInf = std::numeric_limits<double>::infinity();

// The L smallest keys offered: candidates under the current cutoff `top` are appended, and
// the buffer is cut back to the L smallest whenever it doubles (cheaper than a heap, whose
// every insertion costs a sift; most keys never pass `top`). Offer only keys < top.
struct Smallest {
  std::vector<std::pair<float, int>> items;  // after finish(): the L smallest, ascending
  int L = 0;
  float top = 0;
  // cutoff: keys >= it are never offered. A guess near the final L-th key saves most offers;
  // if fewer than L keys fall under it (short_of_L), the caller must scan again without one.
  void reset(int l, float cutoff = std::numeric_limits<float>::infinity()) {
    items.clear(); L = l;
    top = L > 0 ? cutoff : -std::numeric_limits<float>::infinity();
  }
  bool short_of_L() const { return int(items.size()) < L; }
  void offer(float key, int j) {
    items.push_back({key, j});
    if (int(items.size()) >= 2 * L + 16) shrink();
  }
  // Sorts the kept keys and returns a lower bound on every key not kept: -inf when nothing was
  // to be kept, +inf when everything was (top only ever fell, so it bounds all rejected keys).
  float finish(int m) {
    if (int(items.size()) > L) shrink();
    std::sort(items.begin(), items.end());
    return L == 0 ? -std::numeric_limits<float>::infinity() : L < m ? items.back().first : std::numeric_limits<float>::infinity();
  }

 private:
  void shrink() {
    std::nth_element(items.begin(), items.begin() + (L - 1), items.end());
    items.resize(size_t(L));
    top = items.back().first;  // the L-th smallest: nth_element put it there
  }
};
// A worker's guess of a row's final selection cutoff: the last row's, per unit of |a| (keys
// scale with it), loosened by a margin that doubles when the guess proves too tight and
// shrinks slowly while it holds. Only speed depends on it: a failed guess costs a rescan.
struct CutoffGuess {
  float per_len = std::numeric_limits<float>::quiet_NaN();
  float margin = 0.1f;
  float cutoff(float len, bool selective) const {
    if (!selective || !(len > 1e-12f) || !std::isfinite(per_len)) return std::numeric_limits<float>::infinity();
    return (per_len + margin * (std::fabs(per_len) + 1e-3f)) * len;
  }
  void outcome(bool too_tight) { margin = too_tight ? std::min(4.f, 2 * margin) : std::max(0.05f, 0.97f * margin); }
  void learn(float t, float len) { per_len = len > 1e-12f && std::isfinite(t) ? t / len : std::numeric_limits<float>::quiet_NaN(); }
};
// Calls group(j0) for every full group of eight columns, every 4th group first: selections
// fill from a sample spread over the row, so their cutoffs are already tight when the rest
// streams past (most groups then skip). Returns where the partial last group starts.
template <class Group>
int groups_sampled_first(int m, Group group) {
  const int groups = m / 8;
  for (int g = 0; g < groups; g += 4) group(8 * g);
  for (int g = 0; g < groups; ++g) if (g % 4) group(8 * g);
  return groups * 8;
}
// Violating pairs of a re-streamed row that join the graph at once (the next P form its pool):
// rows that fail certification are mostly near-ties among dead and newborn features, which
// need many edges; adding few per pass costs extra passes. A share of the columns, capped.
int violators_to_add(int m) { return std::clamp(m / 32, 16, 256); }
// Memory for screened cost rows kept between certification passes (96 MB: 1536 rows at F=16384).
constexpr int64_t kKeptBudget = int64_t(96) << 20;
}  // namespace

MatchResult match_sparse(const Blocks& B, const MatchOptions& o) {
  const VecF &nA = B.nA, &nB = B.nB;
  const int n = B.FA, m = B.FB;  // n <= m here
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
  // A wider pool of next-best candidates per row lets most solve/check rounds run without
  // streaming cost rows again. Pooled pairs keep a lower bound on their cost (the screened cost
  // minus its error bound) and are priced exactly only when that bound would be violated.
  const int P = std::min(m - k, std::max(4 * k, std::min(128, m / 8)));
  const int kAdd = violators_to_add(m);
  std::vector<std::vector<Edge>> pool(static_cast<size_t>(n));
  // Rows list their best columns by two rankings: cosine (-2 a.b / |b|, spreads rows over
  // small-norm columns too) and dot product (-2 a.b, what the shifted cost ranks by; large-norm
  // columns win here). Cosine takes most of the graph and the pool. Every unlisted column
  // then has both keys >= the row's thresholds, i.e. screened cost >= |a_i|^2 + |b_j|^2 +
  // max(t_cos |b_j|, t_dot); with the screen's error bound that bounds every reduced cost of
  // the row for any duals, so most rows are certified without a second pass.
  const double dot_share = 0.125;  // measured: more dot-ranked columns cost more certification passes
  const int kdot_g = int(k * dot_share), pdot = int(P * dot_share);
  const int kcos_g = k - kdot_g, pcos = P - pdot;
  std::vector<float> t_cos(size_t(n), std::numeric_limits<float>::infinity()), t_dot(t_cos);
  // Each worker keeps its own best-rows-per-column table (no lock in the hot loop); merged after.
  const int T = thread_count();
  std::vector<std::vector<float>> colbest(size_t(T), std::vector<float>(size_t(m) * kc, std::numeric_limits<float>::infinity()));
  std::vector<std::vector<int>> colarg(size_t(T), std::vector<int>(size_t(m) * kc, -1));
  std::vector<std::vector<float>> colworst(size_t(T), std::vector<float>(size_t(m), std::numeric_limits<float>::infinity()));
  std::vector<float> max_cost_w(size_t(T), 0.f);
  // Screened cost rows kept in memory (within kKeptBudget) for certification passes: rows
  // with no clear partner from the first pass (they are the ones its bound rarely settles),
  // then rows streamed again (a row that failed once often fails again after the next solve).
  std::vector<std::vector<float>> kept(static_cast<size_t>(n));
  std::atomic<int64_t> kept_bytes{0};
  auto keep = [&](int i, const float* row) {
    const int64_t bytes = int64_t(m) * int64_t(sizeof(float));
    if (kept_bytes.fetch_add(bytes) + bytes <= kKeptBudget) kept[size_t(i)].assign(row, row + m);
    else kept_bytes -= bytes;
  };
  std::atomic<int> rescanned{0};  // rows whose selection cutoff guess was too tight
  trace(o, "candidate pass starts");
  Stopwatch stream_clock;
  stream_rows(B, o, "candidates", [&](int w, int i, const float* row) {
    // One pass over the row: both rankings (buffered selections of the L smallest keys; the
    // branch is rarely taken once they fill) and the per-column best rows.
    thread_local Smallest by_cos, by_dot;
    const int Lcos = std::min(m, kcos_g + pcos), Ldot = std::min(m, kdot_g + pdot);
    float* cbw = colbest[size_t(w)].data();
    int* caw = colarg[size_t(w)].data();
    float* worst = colworst[size_t(w)].data();
    const float ni = nA[i], ia = invA[i];
    auto visit = [&](int j, bool columns) {
      const float d = row[j] - ni - nB[j];  // -2 a.b (screened)
      const float kc_ = d * invB[j];
      if (kc_ < by_cos.top) by_cos.offer(kc_, j);
      if (d < by_dot.top) by_dot.offer(d, j);
      const float v = d * ia;
      if (columns && v < worst[j]) {
        float* cb = cbw + size_t(j) * kc;
        int* ca = caw + size_t(j) * kc;
        int p = kc - 1;
        while (p > 0 && v < cb[p - 1]) { cb[p] = cb[p - 1]; ca[p] = ca[p - 1]; --p; }
        cb[p] = v; ca[p] = i;
        worst[j] = cb[kc - 1];
      }
    };
    // Eight columns at a time; the scalar path runs only for groups where something enters.
    const float* nBp = nB.data();
    const float* invBp = invB.data();
    const f32x8 ni8 = splat8(ni), ia8 = splat8(ia);
    f32x8 mx8 = splat8(0.f);
    auto scan = [&](bool columns) {
      auto chunk = [&](int j) {
        const f32x8 r = load8(row + j);
        mx8 = max8(mx8, r);
        const f32x8 d = r - ni8 - load8(nBp + j);
        unsigned bits = lt_bits(d * load8(invBp + j), splat8(by_cos.top)) | lt_bits(d, splat8(by_dot.top));
        if (columns) bits |= lt_bits(d * ia8, load8(worst + j));
        for (; bits; bits &= bits - 1) visit(j + __builtin_ctz(bits), columns);
      };
      for (int j = groups_sampled_first(m, chunk); j < m; ++j) visit(j, columns);
    };
    // Start both rankings at this worker's guess of their final cutoffs (the previous row's,
    // per unit of |a|, loosened by a margin that adapts to how often it proved too tight):
    // offers then stay near L instead of several times L. A short ranking means the guess
    // was too tight; the row is scanned again without guesses (columns already counted).
    thread_local CutoffGuess guess_cos, guess_dot;
    const float len = nA[i] > 0 ? std::sqrt(nA[i]) : 0.f;
    by_cos.reset(Lcos, guess_cos.cutoff(len, Lcos < m)); by_dot.reset(Ldot, guess_dot.cutoff(len, Ldot < m));
    scan(true);
    const bool too_tight = by_cos.short_of_L() || by_dot.short_of_L();
    guess_cos.outcome(too_tight); guess_dot.outcome(too_tight);
    if (too_tight) {
      ++rescanned;
      by_cos.reset(Lcos); by_dot.reset(Ldot);
      scan(false);
    }
    float mx = hmax8(mx8);
    for (int j = (m / 8) * 8; j < m; ++j) mx = std::max(mx, row[j]);
    max_cost_w[size_t(w)] = std::max(max_cost_w[size_t(w)], mx);
    // Everything a ranking did not keep has key >= its threshold.
    t_cos[size_t(i)] = by_cos.finish(m);
    t_dot[size_t(i)] = by_dot.finish(m);
    guess_cos.learn(t_cos[size_t(i)], len); guess_dot.learn(t_dot[size_t(i)], len);
    auto exact_edge = [&](int j) { return Edge{j, shifted(i, j, B.screen ? B.exact(i, j) : row[j]), true}; };
    auto bound_edge = [&](int j) {  // lower bound on the cost until priced
      if (!B.screen) return exact_edge(j);
      return Edge{j, float(double(row[j]) - B.error(i, j) + shift(i, j)), false};
    };
    // No clear partner: the best cosine is under 4x the row's threshold (a continuing
    // feature's is typically 10x or more). Such rows are kept in memory for certification,
    // and their whole list goes into the graph at once: they are the near-ties that pool
    // rounds would otherwise add a few edges at a time.
    const float best_cos = by_cos.items.empty() ? 0.f : by_cos.items.front().first;
    const bool unclear = std::isfinite(t_cos[size_t(i)]) && best_cos >= 4.f * t_cos[size_t(i)];
    if (unclear) keep(i, row);
    auto& c = cand[size_t(i)];
    auto& pl = pool[size_t(i)];
    for (Smallest* h : {&by_cos, &by_dot}) {
      const int kg = h == &by_cos ? kcos_g : kdot_g;
      for (int t = 0; t < int(h->items.size()); ++t) {
        int j = h->items[size_t(t)].second;
        if (t < kg || unclear) c.push_back(exact_edge(j)); else pl.push_back(bound_edge(j));
      }
    }
  });
  double stream_s = stream_clock.seconds();
  trace(o, "candidate pass " + std::to_string(stream_s) + " s, " + std::to_string(rescanned.load()) + " rows scanned twice (cutoff guess too tight)");
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
      float c = B.screen ? B.exact(i, j) : best[t].first / invA[i] + nA[i] + nB[j];
      cand[size_t(i)].push_back({j, shifted(i, j, c), true});
    }
  }
  trace(o, "best rows per column merged");
  const double tol = 1e-6 * std::max(1.0, double(max_cost) + S);
  MatchResult r;
  r.method = "sparse+certify";
  LapResult l;
  double lap_s = 0, bound_s = 0;
  // Square problems re-solve warm: only rows that gained edges are augmented again.
  std::vector<char> redo(size_t(n), 1);
  bool warm = false;
  int passes = 0;  // certification passes over rows (what max_rounds caps)
  // Row bounds from re-streamed rows: when row i was last streamed (duals u0, v0), every
  // column outside its pool and graph had reduced cost >= rq[i]. For any duals since,
  // c'_ij - u_i - v_j >= rq[i] - (u_i - u0_i) + min_j (v0_j - v_j) there. The last term
  // matters: warm solves shift every u up and every v down by about the same amount.
  std::vector<double> uref(size_t(n), 0), rq(size_t(n), -kInf);
  std::vector<int> snap_of(size_t(n), -1);        // which snapshot of v row i's bound refers to
  std::vector<std::vector<double>> vsnap;         // v at each certification pass
  std::vector<char> restreamed(size_t(n), 0);     // row's pool was replaced: the first-pass thresholds no longer cover it
  // The result for the current solution; when not certified, a gap bound from weak duality
  // with v <= 0: any assignment costs >= sum(u) + sum(v) + sum_i min(0, min_j red_ij), in
  // shifted costs (the shift is the same for every assignment, so the gap is too).
  auto done = [&](bool certified, const std::vector<double>& row_min) {
    std::vector<float> costs(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) costs[size_t(i)] = B.exact(i, l.row_to_col[size_t(i)]);  // true costs, not shifted ones
    finish(r, nA, nB, l.row_to_col, costs);
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
    trace(o, "bounds " + std::to_string(bound_s) + " s, certification passes " + std::to_string(passes));
    report(o, "done", 1);
    return r;
  };
  // Lower bound on every reduced cost of row i outside its graph and first-pass pool, from
  // the thresholds (see above): c_ij >= screened - error >= |a_i|^2 + |b_j|^2 +
  // max(t_cos |b_j|, t_dot) - error, minimised over all columns (over-covering the listed
  // ones only makes it smaller).
  // Float arrays so the O(n m) minimum vectorises (f32x4 in WASM); the margin below covers
  // their rounding (a few ulps of terms no larger than S + the largest key term).
  std::vector<float> colw(static_cast<size_t>(m)), colerr(static_cast<size_t>(m));
  for (int j = 0; j < m; ++j) colerr[size_t(j)] = B.screen ? B.errB[j] : 0.f;
  const double max_norm_b = B.normB.maxCoeff();
  // The part of the bound that does not involve u_i: S - u_i + this. It only depends on v
  // through colw, so a value computed with earlier duals stays valid plus the credit
  // min_j (v_then_j - v_j); rows are recomputed only when that is not enough.
  auto first_pass_part = [&](int i) {
    const float tc = t_cos[size_t(i)], td = t_dot[size_t(i)];
    constexpr float all_listed = std::numeric_limits<float>::infinity();  // a ranking listed every column
    if (tc == all_listed || td == all_listed) return kInf;
    // error(i, j) through B.error_row (its 3e-6 (|a_i|^2 + |b_j|^2) term is in the margin
    // below, which also covers rounding in the keys).
    const Blocks::RowError er = B.error_row(i);
    const float ea = er.ea, ha = er.ha;
    float mn = std::numeric_limits<float>::infinity();
    const float *nb = B.normB.data(), *eb = colerr.data(), *cw = colw.data();
    auto term = [&](int j) { return std::max(tc * nb[j], td) - ea * nb[j] - ha * eb[j] + cw[j]; };
    int j = 0;
    f32x8 mn8 = splat8(mn);
    const f32x8 tc8 = splat8(tc), td8 = splat8(td), ea8 = splat8(ea), ha8 = splat8(ha);
    for (; j + 8 <= m; j += 8) {
      const f32x8 b = load8(nb + j);
      mn8 = min8(mn8, max8(tc8 * b, td8) - ea8 * b - ha8 * load8(eb + j) + load8(cw + j));
    }
    mn = hmin8(mn8);
    for (; j < m; ++j) mn = std::min(mn, term(j));
    // (a ranking that lists nothing has threshold -inf and adds no term)
    const double scale = S + (std::isfinite(tc) ? std::abs(double(tc)) * max_norm_b : 0.0) + (std::isfinite(td) ? std::abs(double(td)) : 0.0) +
                         (double(ea) + ha) * max_norm_b;
    return double(mn) - 3e-6 * double(nA[i]) - 1e-5 * scale;
  };
  std::vector<double> fp_part(size_t(n), 0);
  std::vector<int> fp_snap(size_t(n), -1);
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
      l = warm ? solve_lap_sparse(sc, &l, &redo) : solve_lap_sparse(sc);
      lap_s += lap_clock.seconds();
      trace(o, "round " + std::to_string(round) + (warm ? " warm" : " cold") + " assignment " + std::to_string(lap_clock.seconds()) + " s, edges " + std::to_string(sc.col.size()));
      warm = square;
      std::fill(redo.begin(), redo.end(), 0);
    } catch (const InfeasibleRows& bad) {
      warm = false;
      std::fill(redo.begin(), redo.end(), 1);
      // Candidate graph has no perfect matching through these rows: give them every column.
      for (int i : bad.rows) {
        MatF row;
        B.exact_rows(i, i + 1, row);
        for (int j = 0; j < m; ++j) cand[size_t(i)].push_back({j, shifted(i, j, row(0, j)), true});
      }
      continue;
    }
    // Cheap check first: reduced costs of the pooled candidates (priced exactly only when
    // their lower bound says they might violate).
    std::atomic<int64_t> pool_violations{0};
    parallel_for(n, [&](int i0, int i1) {
      for (int i = i0; i < i1; ++i) {
        int64_t bad = 0;
        for (Edge& e : pool[size_t(i)]) {
          const double uv = l.u[size_t(i)] + l.v[size_t(e.col)];
          if (double(e.cost) - uv >= -tol) continue;
          if (!e.exact) { e = Edge{e.col, shifted(i, e.col, B.exact(i, e.col)), true}; if (double(e.cost) - uv >= -tol) continue; }
          ++bad;
        }
        if (bad == 0) continue;
        // A row whose pool was violated once tends to be violated again as the duals move
        // (near-ties among dead and newborn features): its whole pool joins the graph, which
        // saves many short rounds.
        pool_violations += bad;
        redo[size_t(i)] = 1;
        for (Edge& e : pool[size_t(i)]) {
          if (!e.exact) e = Edge{e.col, shifted(i, e.col, B.exact(i, e.col)), true};
          cand[size_t(i)].push_back(e);
        }
        pool[size_t(i)].clear();
      }
    }, 256);
    trace(o, "pool violations " + std::to_string(pool_violations.load()));
    if (pool_violations > 0 && round < 50 * o.max_rounds) continue;
    // Certify: every reduced cost on the full dense problem must be >= -tol. Rows whose bound
    // proves it are done; the others are streamed again.
    Stopwatch bound_clock;
    for (int j = 0; j < m; ++j) colw[size_t(j)] = float(((square ? 0.0 : 1.0) - 3e-6) * double(nB[j]) - l.v[size_t(j)]);
    const int snap = int(vsnap.size());
    vsnap.push_back(l.v);
    std::vector<double> v_credit(vsnap.size());
    for (size_t p = 0; p < vsnap.size(); ++p) {
      double c = kInf;
      for (int j = 0; j < m; ++j) c = std::min(c, vsnap[p][size_t(j)] - l.v[size_t(j)]);
      v_credit[p] = c;
    }
    std::vector<double> row_min(size_t(n), 0);
    std::vector<char> settled(size_t(n), 0);
    parallel_for(n, [&](int i0, int i1) {
      for (int i = i0; i < i1; ++i) {
        const double ui = l.u[size_t(i)];
        double bound = -kInf;
        if (restreamed[size_t(i)]) {
          bound = rq[size_t(i)] - (ui - uref[size_t(i)]) + v_credit[size_t(snap_of[size_t(i)])];
        } else {
          if (fp_snap[size_t(i)] >= 0) bound = S - ui + fp_part[size_t(i)] + v_credit[size_t(fp_snap[size_t(i)])];
          if (bound < -tol) {
            fp_part[size_t(i)] = first_pass_part(i); fp_snap[size_t(i)] = snap;
            bound = S - ui + fp_part[size_t(i)];
          }
        }
        if (bound >= -tol) { settled[size_t(i)] = 1; row_min[size_t(i)] = std::min(0.0, bound); }
      }
    }, 64);
    std::vector<int> recheck;
    for (int i = 0; i < n; ++i) if (!settled[size_t(i)]) recheck.push_back(i);
    bound_s += bound_clock.seconds();
    if (recheck.empty()) return done(true, row_min);  // proven without a pass
    ++passes;
    std::vector<std::vector<Edge>> add(static_cast<size_t>(n));
    std::atomic<int64_t> violations{0}, exact_pairs{0};
    Stopwatch certify_clock;
    const bool full = int(recheck.size()) == n;
    // The column part of every reduced cost (shift and dual), in float for check's vector pass.
    std::vector<float> colpart(static_cast<size_t>(m));
    float colmax = 0, errmax = 0;
    for (int j = 0; j < m; ++j) {
      colpart[size_t(j)] = float(-(square ? double(nB[j]) : 0.0) - l.v[size_t(j)]);
      colmax = std::max(colmax, std::fabs(colpart[size_t(j)]));
    }
    if (B.screen) errmax = float(2.0 * (double(B.hatA.maxCoeff()) * B.errB.maxCoeff() + double(B.errA.maxCoeff()) * B.normB.maxCoeff()) * 1.01 + 3e-6 * S);
    auto check = [&](int i, const float* row) {
      const double ui = l.u[size_t(i)];
      // Lower bounds on the row's reduced costs; exact where the screen cannot decide.
      thread_local std::vector<float> red, priced;  // priced: exact cost where computed, else NaN
      red.resize(size_t(m));
      priced.assign(size_t(m), std::numeric_limits<float>::quiet_NaN());
      int64_t bad = 0, exact = 0;
      // In double, for the lanes that matter: violating or within the float pass's error of it.
      auto precise = [&](int j) {
        double base = shift(i, j) - ui - l.v[size_t(j)];
        double rj = double(row[j]) + base - B.error(i, j);
        if (B.screen && rj < -tol) { priced[size_t(j)] = B.exact(i, j); rj = double(priced[size_t(j)]) + base; ++exact; }
        red[size_t(j)] = float(rj);
        if (rj < -tol) ++bad;
      };
      // Vector pass in float: cost + row part + column part - screen error. Its rounding is
      // at most a few ulps of the terms' magnitudes; `margin` is several times that, so a lane
      // above -tol + margin is certainly not violating, and the rest are redone in double.
      const double rowpart = S - double(nA[i]) - ui;
      const float margin = float(1e-6 * (double(max_cost) + std::fabs(rowpart) + colmax + errmax));
      const Blocks::RowError er = B.error_row(i);
      const f32x8 rp8 = splat8(float(rowpart)), lim8 = splat8(float(-tol) + margin);
      const f32x8 ha8 = splat8(er.ha), ea8 = splat8(er.ea), na8 = splat8(er.k * nA[i]), k8 = splat8(er.k);
      const float* eb = colerr.data();
      const float* nb = B.normB.data();
      const float* nb2 = nB.data();
      f32x8 mn8 = splat8(0.f);
      int j = 0;
      for (; j + 8 <= m; j += 8) {
        const f32x8 err = ha8 * load8(eb + j) + ea8 * load8(nb + j) + na8 + k8 * load8(nb2 + j);
        const f32x8 r = load8(row + j) + rp8 + load8(colpart.data() + j) - err;
        std::memcpy(&red[size_t(j)], &r, sizeof r);
        for (unsigned bits = lt_bits(r, lim8); bits; bits &= bits - 1) precise(j + __builtin_ctz(bits));
        mn8 = min8(mn8, load8(&red[size_t(j)]));
      }
      double mn = std::min(0.f, hmin8(mn8));
      for (; j < m; ++j) { precise(j); mn = std::min(mn, double(red[size_t(j)])); }
      mn -= margin;  // lanes left in float may sit that far above their true value
      row_min[size_t(i)] = mn;
      violations += bad;
      exact_pairs += exact;
      // The kAdd most negative reduced costs join the graph; the next P smallest (violating or
      // nearly so) become the row's pool, so the cheap pool rounds can follow the duals as
      // they move without another pass.
      const int Q = std::min(m, kAdd + P);  // kAdd = violators_to_add(m)
      thread_local Smallest lowest;
      lowest.reset(Q);
      auto offer8 = [&](int j0) {
        for (unsigned bits = lt_bits(load8(&red[size_t(j0)]), splat8(lowest.top)); bits; bits &= bits - 1) {
          const int jj = j0 + __builtin_ctz(bits);
          if (red[size_t(jj)] < lowest.top) lowest.offer(red[size_t(jj)], jj);
        }
      };
      for (int jj = groups_sampled_first(m, offer8); jj < m; ++jj) if (red[size_t(jj)] < lowest.top) lowest.offer(red[size_t(jj)], jj);
      // Every column not kept has a reduced cost at least this (less the float pass's margin).
      const double row_bound = double(lowest.finish(m)) - margin;
      auto& pl = pool[size_t(i)];
      pl.clear();
      for (int t = 0; t < Q; ++t) {
        int j = lowest.items[size_t(t)].second;
        const float pj = priced[size_t(j)];
        Edge e = !B.screen ? Edge{j, shifted(i, j, row[j]), true}
                 : !std::isnan(pj) ? Edge{j, shifted(i, j, pj), true}
                                   : Edge{j, float(double(row[j]) - B.error(i, j) + shift(i, j)), false};
        if (t < kAdd && double(red[size_t(j)]) < -tol) add[size_t(i)].push_back(e);  // violating: priced
        else pl.push_back(e);
      }
      uref[size_t(i)] = ui;
      snap_of[size_t(i)] = snap;
      rq[size_t(i)] = row_bound;
      restreamed[size_t(i)] = 1;
    };
    // Rows kept in memory are checked from there; the others are streamed (and kept).
    std::vector<int> fresh, from_memory;
    for (int i : recheck) (kept[size_t(i)].empty() ? fresh : from_memory).push_back(i);
    if (!fresh.empty())
      stream_rows(B, o, full ? "certify" : "certify (partial)", [&](int, int i, const float* row) { check(i, row); keep(i, row); }, &fresh);
    parallel_for(int(from_memory.size()), [&](int t0, int t1) {
      for (int t = t0; t < t1; ++t) check(from_memory[size_t(t)], kept[size_t(from_memory[size_t(t)])].data());
    });
    stream_s += certify_clock.seconds();
    r.rows_restreamed += int64_t(fresh.size());
    r.exact_pairs += exact_pairs.load();
    trace(o, std::string(full ? "full" : "partial") + " certification pass over " + std::to_string(recheck.size()) + " rows: " +
                 std::to_string(certify_clock.seconds()) + " s, violations " + std::to_string(violations.load()) + ", exact pairs " +
                 std::to_string(exact_pairs.load()));
    if (violations == 0 || passes >= o.max_rounds) return done(violations == 0, row_min);
    for (int i = 0; i < n; ++i) {
      if (!add[size_t(i)].empty()) redo[size_t(i)] = 1;
      cand[size_t(i)].insert(cand[size_t(i)].end(), add[size_t(i)].begin(), add[size_t(i)].end());
    }
  }
}
}  // namespace saematch
