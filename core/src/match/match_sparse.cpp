// The sparse path, stage by stage (the method and its guarantees are explained at the top of
// saematch/match.h). SparseMatcher holds what the stages share; run() is the whole algorithm:
//   1. candidate_pass()            one streamed pass over every cost row: each row's candidates
//                                  (graph edges and a pool of next-best ones) and thresholds;
//   2. merge_column_candidates()   the best rows of every column join the graph;
//   3. solve() + check_pools()     assignment on the graph, pooled pairs checked cheaply;
//   4. rows_not_settled() +        proof on the full dense problem: most rows by the first
//      certification_pass()        pass's bounds, the rest streamed again; violators join;
//   5. result()                    costs, scores, certificate or proven gap, duals.
#include "match_blocks.h"
#include "reduced_costs.h"
#include "simd_vec.h"
#include "saematch/error.h"
#include "saematch/parallel.h"
#include <algorithm>
#include <atomic>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

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
// Keeping a row pays where computing it again is dear (d in the thousands). Narrower rows are
// cheaper to stream again than to copy into fresh memory: on the real Othello-GPT pair
// (d = 128) keeping them made the match 0.40 s instead of 0.27 s (median of 10), the copies'
// page faults being most of the difference.
constexpr int kKeepMinWidth = 1024;

class SparseMatcher {
 public:
  SparseMatcher(const Blocks& B, const MatchOptions& o);
  MatchResult run();

 private:
  // Stage 1: one pass over every cost row.
  void candidate_pass();
  void scan_row(int worker, int i, const float* row);
  void keep(int i, const float* row);
  // Stage 2: every column reachable.
  void merge_column_candidates();
  // Stage 3: assignment on the candidate graph.
  SparseCost graph();
  bool solve(int round);  // false: rows without a perfect matching got every column; solve again
  int64_t check_pools();
  // Stage 4: certification on the full dense problem.
  std::vector<int> rows_not_settled(std::vector<double>& row_min);
  struct FirstPassTerms;
  FirstPassTerms first_pass_terms(int i) const;
  double first_pass_part(int i) const;
  enum class Suspects { settled, violated, too_many };
  bool find_suspects(int i, const std::vector<float>* drop, std::vector<int>& out, double& rest) const;
  Suspects price_suspects(int i, const std::vector<std::vector<float>>& v_drop, double& row_min);
  struct Pass;
  int64_t certification_pass(const std::vector<int>& recheck, std::vector<double>& row_min);
  void check_row(Pass& pass, int i, const float* row, std::vector<double>& row_min);
  // Stage 5.
  double proven_gap(const std::vector<double>& row_min, double& total) const;
  MatchResult result(bool certified, const std::vector<double>& row_min);

  // The LAP runs on shifted costs c'_ij = c_ij - |a_i|^2 - |b_j|^2 + S (square problems) or
  // c_ij - |a_i|^2 + S (n < m). Every assignment that matches all rows (and, when square,
  // all columns) pays the same sum of norms, so the optimum is the same; but c' ranks by the
  // dot product alone. Plain cost would send every row to the smallest-norm columns, leave
  // dead/newborn features without candidates, and produce duals far from the dense ones,
  // so certification would need many rounds. S keeps c' >= 0.
  double shift(int i, int j) const { return S_ - double(nA_[i]) - (square_ ? double(nB_[j]) : 0.0); }
  float shifted(int i, int j, float c) const { return float(double(c) + shift(i, j)); }
  Edge exact_edge(int i, int j, const float* row) const { return Edge{j, shifted(i, j, B_.screen ? B_.exact(i, j) : row[j]), true}; }
  // The same for one pair: screened on its own (float rows), or exact at once where a single
  // screened pair would cost as much as the exact one (int8 rows under the coarse screen).
  Edge bound_edge_of_pair(int i, int j) const {
    if (!B_.screen || B_.CB) return Edge{j, shifted(i, j, B_.exact(i, j)), true};
    return Edge{j, float(double(cost_pair_q(*B_.QA, nA_[i], i, *B_.QB, nB_[j], j)) - B_.error(i, j) + shift(i, j)), false};
  }
  Edge bound_edge(int i, int j, const float* row) const {  // lower bound on the cost until priced
    if (!B_.screen) return exact_edge(i, j, row);
    return Edge{j, float(double(row[j]) - B_.error(i, j) + shift(i, j)), false};
  }

  const Blocks& B_;
  const MatchOptions& o_;
  const VecF &nA_, &nB_;
  const int n_, m_;  // n <= m here
  const int k_;      // graph edges per row from the candidate pass
  static constexpr int kc_ = 4;  // best rows per column, so that every column is reachable
  const bool square_;
  const double S_;
  // Candidates are chosen by cosine, -2 a.b / |b| per row and -2 a.b / |a| per column: ranking
  // by raw dot product would make the largest-norm features hubs that every row and column
  // lists, and the candidate graph would then have no perfect matching.
  VecF invA_, invB_;
  // A wider pool of next-best candidates per row lets most solve/check rounds run without
  // streaming cost rows again. Pooled pairs keep a lower bound on their cost (the screened cost
  // minus its error bound) and are priced exactly only when that bound would be violated.
  const int P_, kAdd_;
  // Rows list their best columns by two rankings: cosine (-2 a.b / |b|, spreads rows over
  // small-norm columns too) and dot product (-2 a.b, what the shifted cost ranks by; large-norm
  // columns win here). Cosine takes most of the graph and the pool. Every unlisted column
  // then has both keys >= the row's thresholds, i.e. screened cost >= |a_i|^2 + |b_j|^2 +
  // max(t_cos |b_j|, t_dot); with the screen's error bound that bounds every reduced cost of
  // the row for any duals, so most rows are certified without a second pass.
  int kcos_g_ = 0, kdot_g_ = 0, pcos_ = 0, pdot_ = 0;
  std::vector<float> t_cos_, t_dot_;
  std::vector<std::vector<Edge>> cand_, pool_;
  std::vector<double> pool_min_;  // lower bound on the reduced costs of each row's pool at the last check
  // Each worker keeps its own best-rows-per-column table (no lock in the hot loop); merged after.
  std::vector<std::vector<float>> colbest_, colworst_;
  std::vector<std::vector<int>> colarg_;
  std::vector<float> max_cost_w_;
  float max_cost_ = 0;
  // Screened cost rows kept in memory (within kKeptBudget) for certification passes: rows
  // with no clear partner from the first pass (they are the ones its bound rarely settles),
  // then rows streamed again (a row that failed once often fails again after the next solve).
  std::vector<std::vector<float>> kept_;
  std::atomic<int64_t> kept_bytes_{0};
  bool keep_rows_ = false;  // rows at least kKeepMinWidth wide
  std::atomic<int> rescanned_{0};  // rows whose selection cutoff guess was too tight

  // Solve rounds.
  double tol_ = 0;
  MatchResult r_;
  LapResult l_;
  double stream_s_ = 0, lap_s_ = 0, bound_s_ = 0;
  std::vector<char> redo_;  // square problems re-solve warm: only rows that gained edges are augmented again
  bool warm_ = false;
  double eps_stop_ = 0;     // gap budget: the cold solve stops at an epsilon-optimal assignment
  bool exact_solve_ = true; // every assigned pair tight (false after an epsilon-optimal cold solve)
  int passes_ = 0;          // certification passes over rows (what max_rounds caps)

  // Row bounds from re-streamed rows: when row i was last streamed (duals u0, v0), every
  // column outside its pool and graph had reduced cost >= rq[i]. For any duals since,
  // c'_ij - u_i - v_j >= rq[i] - (u_i - u0_i) + min_j (v0_j - v_j) there. The last term
  // matters: warm solves shift every u up and every v down by about the same amount.
  std::vector<double> uref_, rq_;
  std::vector<int> snap_of_;               // which snapshot of v row i's bound refers to
  std::vector<std::vector<double>> vsnap_; // v at each certification pass
  std::vector<char> restreamed_;           // row's pool was replaced: the first-pass thresholds no longer cover it
  // First-pass bounds: the part not involving u_i, with the snapshot of v it was computed at.
  std::vector<float> colw_, colerr_;
  double max_norm_b_ = 0;
  std::vector<double> fp_part_;
  std::vector<int> fp_snap_;
  // Rows whose bound fails are first checked on their suspect columns only (price_suspects).
  int suspect_cap_ = 0;
  std::atomic<int64_t> suspect_violations_{0}, suspect_pairs_{0};
};

SparseMatcher::SparseMatcher(const Blocks& B, const MatchOptions& o)
    : B_(B), o_(o), nA_(B.nA), nB_(B.nB), n_(B.FA), m_(B.FB), k_(std::max(1, std::min(o.topk, B.FB))), square_(B.FA == B.FB),
      S_(double(B.nA.maxCoeff()) + (B.FA == B.FB ? double(B.nB.maxCoeff()) : 0.0)),
      P_(std::min(B.FB - k_, std::max(4 * k_, std::min(128, B.FB / 8)))), kAdd_(violators_to_add(B.FB)) {
  assert(n_ <= m_ && "the caller swaps sides so that rows <= columns");
  invA_ = nA_.cwiseSqrt().cwiseMax(1e-20f).cwiseInverse();
  invB_ = nB_.cwiseSqrt().cwiseMax(1e-20f).cwiseInverse();
  const double dot_share = 0.125;  // measured: more dot-ranked columns cost more certification passes
  kdot_g_ = int(k_ * dot_share); pdot_ = int(P_ * dot_share);
  kcos_g_ = k_ - kdot_g_; pcos_ = P_ - pdot_;
  const size_t n = size_t(n_), m = size_t(m_);
  const float inf = std::numeric_limits<float>::infinity();
  cand_.resize(n); pool_.resize(n); kept_.resize(n);
  keep_rows_ = (B.EA ? int(B.EA->cols()) : B.QA->cols) >= kKeepMinWidth;
  t_cos_.assign(n, inf); t_dot_.assign(n, inf);
  pool_min_.assign(n, 0);
  const size_t T = size_t(thread_count());
  colbest_.assign(T, std::vector<float>(m * kc_, inf));
  colarg_.assign(T, std::vector<int>(m * kc_, -1));
  colworst_.assign(T, std::vector<float>(m, inf));
  max_cost_w_.assign(T, 0.f);
  redo_.assign(n, 1);
  uref_.assign(n, 0); rq_.assign(n, -kInf); snap_of_.assign(n, -1); restreamed_.assign(n, 0);
  colw_.assign(m, 0.f); colerr_.assign(m, 0.f);
  for (int j = 0; j < m_; ++j) colerr_[size_t(j)] = B_.screen ? B_.errB[j] : 0.f;
  max_norm_b_ = B_.normB.maxCoeff();
  fp_part_.assign(n, 0); fp_snap_.assign(n, -1);
  // Past m/32 suspects (measured at F = 16384 and 65536, native int8 screen) streaming the row
  // again costs less than pricing its pairs one at a time.
  suspect_cap_ = std::max(32, m_ / 32);
  r_.method = "sparse+certify";
}

void SparseMatcher::keep(int i, const float* row) {
  if (!keep_rows_) return;
  const int64_t bytes = int64_t(m_) * int64_t(sizeof(float));
  if (kept_bytes_.fetch_add(bytes) + bytes <= kKeptBudget) kept_[size_t(i)].assign(row, row + m_);
  else kept_bytes_ -= bytes;
}

// ---- Stage 1: the candidate pass -------------------------------------------------------

void SparseMatcher::candidate_pass() {
  trace(o_, "candidate pass starts");
  Stopwatch clock;
  stream_rows(B_, o_, "candidates", [&](int w, int i, const float* row) { scan_row(w, i, row); });
  stream_s_ = clock.seconds();
  trace(o_, "candidate pass " + std::to_string(stream_s_) + " s, " + std::to_string(rescanned_.load()) + " rows scanned twice (cutoff guess too tight)");
  max_cost_ = *std::max_element(max_cost_w_.begin(), max_cost_w_.end());
  tol_ = 1e-6 * std::max(1.0, double(max_cost_) + S_);
}

// One pass over the row: both rankings (buffered selections of the L smallest keys; the
// branch is rarely taken once they fill) and the per-column best rows.
void SparseMatcher::scan_row(int w, int i, const float* row) {
  const int m = m_;
  thread_local Smallest by_cos, by_dot;
  const int Lcos = std::min(m, kcos_g_ + pcos_), Ldot = std::min(m, kdot_g_ + pdot_);
  float* cbw = colbest_[size_t(w)].data();
  int* caw = colarg_[size_t(w)].data();
  float* worst = colworst_[size_t(w)].data();
  const float ni = nA_[i], ia = invA_[i];
  auto visit = [&](int j, bool columns) {
    const float d = row[j] - ni - nB_[j];  // -2 a.b (screened)
    const float key_cos = d * invB_[j];
    if (key_cos < by_cos.top) by_cos.offer(key_cos, j);
    if (d < by_dot.top) by_dot.offer(d, j);
    const float v = d * ia;
    if (columns && v < worst[j]) {
      float* cb = cbw + size_t(j) * kc_;
      int* ca = caw + size_t(j) * kc_;
      int p = kc_ - 1;
      while (p > 0 && v < cb[p - 1]) { cb[p] = cb[p - 1]; ca[p] = ca[p - 1]; --p; }
      cb[p] = v; ca[p] = i;
      worst[j] = cb[kc_ - 1];
    }
  };
  // Eight columns at a time; the scalar path runs only for groups where something enters.
  const float* nBp = nB_.data();
  const float* invBp = invB_.data();
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
  const float len = nA_[i] > 0 ? std::sqrt(nA_[i]) : 0.f;
  by_cos.reset(Lcos, guess_cos.cutoff(len, Lcos < m)); by_dot.reset(Ldot, guess_dot.cutoff(len, Ldot < m));
  scan(true);
  const bool too_tight = by_cos.short_of_L() || by_dot.short_of_L();
  guess_cos.outcome(too_tight); guess_dot.outcome(too_tight);
  if (too_tight) {
    ++rescanned_;
    by_cos.reset(Lcos); by_dot.reset(Ldot);
    scan(false);
  }
  float mx = hmax8(mx8);
  for (int j = (m / 8) * 8; j < m; ++j) mx = std::max(mx, row[j]);
  max_cost_w_[size_t(w)] = std::max(max_cost_w_[size_t(w)], mx);
  // Everything a ranking did not keep has key >= its threshold.
  t_cos_[size_t(i)] = by_cos.finish(m);
  t_dot_[size_t(i)] = by_dot.finish(m);
  guess_cos.learn(t_cos_[size_t(i)], len); guess_dot.learn(t_dot_[size_t(i)], len);
  // No clear partner: the best cosine is under 4x the row's threshold (a continuing
  // feature's is typically 10x or more). Such rows are kept in memory for certification,
  // and their whole list goes into the graph at once: they are the near-ties that pool
  // rounds would otherwise add a few edges at a time.
  const float best_cos = by_cos.items.empty() ? 0.f : by_cos.items.front().first;
  const bool unclear = std::isfinite(t_cos_[size_t(i)]) && best_cos >= 4.f * t_cos_[size_t(i)];
  if (unclear) keep(i, row);
  auto& c = cand_[size_t(i)];
  auto& pl = pool_[size_t(i)];
  for (Smallest* h : {&by_cos, &by_dot}) {
    const int kg = h == &by_cos ? kcos_g_ : kdot_g_;
    for (int t = 0; t < int(h->items.size()); ++t) {
      const int j = h->items[size_t(t)].second;
      if (t < kg || unclear) c.push_back(exact_edge(i, j, row)); else pl.push_back(bound_edge(i, j, row));
    }
  }
}

// ---- Stage 2: the best rows of every column ----------------------------------------------

void SparseMatcher::merge_column_candidates() {
  const int T = int(colbest_.size());
  for (int j = 0; j < m_; ++j) {
    // The kc best rows of column j over all workers (duplicates are removed when the graph is built).
    std::vector<std::pair<float, int>> best;
    for (int w = 0; w < T; ++w)
      for (int t = 0; t < kc_; ++t) {
        const int i = colarg_[size_t(w)][size_t(j) * kc_ + t];
        if (i >= 0) best.push_back({colbest_[size_t(w)][size_t(j) * kc_ + t], i});
      }
    std::sort(best.begin(), best.end());
    for (size_t t = 0; t < best.size() && t < size_t(kc_); ++t) {
      const int i = best[t].second;
      const float c = B_.screen ? B_.exact(i, j) : best[t].first / invA_[i] + nA_[i] + nB_[j];
      cand_[size_t(i)].push_back({j, shifted(i, j, c), true});
    }
  }
  colbest_.clear(); colarg_.clear(); colworst_.clear();
  trace(o_, "best rows per column merged");
}

// ---- Stage 3: solve rounds ---------------------------------------------------------------

SparseCost SparseMatcher::graph() {
  SparseCost sc;
  sc.n = n_; sc.m = m_; sc.start.assign(size_t(n_) + 1, 0);
  for (int i = 0; i < n_; ++i) {
    auto& c = cand_[size_t(i)];
    std::sort(c.begin(), c.end(), [](const Edge& a, const Edge& b) { return a.col < b.col; });
    c.erase(std::unique(c.begin(), c.end(), [](const Edge& a, const Edge& b) { return a.col == b.col; }), c.end());
    sc.start[size_t(i) + 1] = sc.start[size_t(i)] + int64_t(c.size());
    for (const Edge& e : c) { sc.col.push_back(e.col); sc.cost.push_back(e.cost); }
  }
  return sc;
}

bool SparseMatcher::solve(int round) {
  const SparseCost sc = graph();
  r_.candidate_edges = int64_t(sc.col.size());
  report(o_, "assignment", 0);
  try {
    Stopwatch clock;
    const bool cold = !warm_;
    l_ = warm_ ? solve_lap_sparse(sc, &l_, &redo_, 0, o_.auction) : solve_lap_sparse(sc, nullptr, nullptr, eps_stop_, o_.auction);
    exact_solve_ = !l_.epsilon_optimal;  // (warm solves keep the slack of rows they do not redo)
    lap_s_ += clock.seconds();
    trace(o_, "round " + std::to_string(round) + (!cold ? " warm" : !exact_solve_ ? " cold (epsilon-optimal)" : " cold") + " assignment " +
                  std::to_string(clock.seconds()) + " s, edges " + std::to_string(sc.col.size()));
    warm_ = square_;
    std::fill(redo_.begin(), redo_.end(), 0);
    return true;
  } catch (const InfeasibleRows& bad) {
    warm_ = false;
    std::fill(redo_.begin(), redo_.end(), 1);
    // Candidate graph has no perfect matching through these rows (e.g. a family of similar
    // features listing only each other's partners, one short after a death): their pools
    // join the graph, and rows whose pool already did get every column.
    int64_t pooled = 0, full = 0;
    for (int i : bad.rows) {
      if (!pool_[size_t(i)].empty()) {
        for (Edge& e : pool_[size_t(i)]) cand_[size_t(i)].push_back(e.exact ? e : Edge{e.col, shifted(i, e.col, B_.exact(i, e.col)), true});
        pool_[size_t(i)].clear();
        ++pooled;
        continue;
      }
      ++full;
      MatF row;
      B_.exact_rows(i, i + 1, row);
      for (int j = 0; j < m_; ++j) cand_[size_t(i)].push_back({j, shifted(i, j, row(0, j)), true});
    }
    trace(o_, "round " + std::to_string(round) + ": no perfect matching on the graph; " + std::to_string(pooled) + " rows' pools join it, " +
                  std::to_string(full) + " rows get every column");
    return false;
  }
}

// Cheap check first: reduced costs of the pooled candidates (priced exactly only when their
// lower bound says they might violate). Returns how many violate.
int64_t SparseMatcher::check_pools() {
  std::atomic<int64_t> violations{0};
  parallel_for(n_, [&](int i0, int i1) {
    for (int i = i0; i < i1; ++i) {
      int64_t bad = 0;
      double lowest = 0;
      for (Edge& e : pool_[size_t(i)]) {
        const double uv = l_.u[size_t(i)] + l_.v[size_t(e.col)];
        lowest = std::min(lowest, double(e.cost) - uv);  // a lower bound either way
        if (double(e.cost) - uv >= -tol_) continue;
        if (!e.exact) { e = Edge{e.col, shifted(i, e.col, B_.exact(i, e.col)), true}; if (double(e.cost) - uv >= -tol_) continue; }
        ++bad;
      }
      pool_min_[size_t(i)] = lowest;
      if (bad == 0) continue;
      // A row whose pool was violated once tends to be violated again as the duals move
      // (near-ties among dead and newborn features): its whole pool joins the graph, which
      // saves many short rounds.
      violations += bad;
      redo_[size_t(i)] = 1;
      for (Edge& e : pool_[size_t(i)]) {
        if (!e.exact) e = Edge{e.col, shifted(i, e.col, B_.exact(i, e.col)), true};
        cand_[size_t(i)].push_back(e);
      }
      pool_[size_t(i)].clear();
      pool_min_[size_t(i)] = 0;
    }
  }, 256);
  trace(o_, "pool violations " + std::to_string(violations.load()));
  return violations.load();
}

// ---- Stage 4: certification ----------------------------------------------------------------

// Lower bound on every reduced cost of row i outside its graph and first-pass pool, from the
// thresholds (see the members): c_ij >= screened - error >= |a_i|^2 + |b_j|^2 +
// max(t_cos |b_j|, t_dot) - error. Per column that is S - u_i + term(j) - margin with
// term(j) = max(tc |b_j|, td) - ea |b_j| - ha errB_j + colw_j (colw holds the norm and v_j);
// the margin covers the float rounding of term(j) (a few ulps of S + the largest key term).
struct SparseMatcher::FirstPassTerms {
  float tc, td, ea, ha;
  double margin;
  bool all_listed;   // a ranking listed every column: nothing lies outside graph and pool
};

SparseMatcher::FirstPassTerms SparseMatcher::first_pass_terms(int i) const {
  const float tc = t_cos_[size_t(i)], td = t_dot_[size_t(i)];
  constexpr float all_listed = std::numeric_limits<float>::infinity();
  // error(i, j) through B.error_row (its 3e-6 (|a_i|^2 + |b_j|^2) term is in the margin).
  const Blocks::RowError er = B_.error_row(i);
  // (a ranking that lists nothing has threshold -inf and adds no term)
  const double scale = S_ + (std::isfinite(tc) ? std::abs(double(tc)) * max_norm_b_ : 0.0) + (std::isfinite(td) ? std::abs(double(td)) : 0.0) +
                       (double(er.ea) + er.ha) * max_norm_b_;
  return {tc, td, er.ea, er.ha, 3e-6 * double(nA_[i]) + 1e-5 * scale, tc == all_listed || td == all_listed};
}

// The part of row i's bound that does not involve u_i (the bound is S - u_i + this): the
// terms minimised over all columns (over-covering the listed ones only makes it smaller).
// It depends on v only through colw, so a value computed with earlier duals stays valid plus
// the credit min_j (v_then_j - v_j). Float arrays so the O(n m) minimum vectorises.
double SparseMatcher::first_pass_part(int i) const {
  const FirstPassTerms t = first_pass_terms(i);
  if (t.all_listed) return kInf;
  const int m = m_;
  const float *nb = B_.normB.data(), *eb = colerr_.data(), *cw = colw_.data();
  float mn = std::numeric_limits<float>::infinity();
  int j = 0;
  f32x8 mn8 = splat8(mn);
  const f32x8 tc8 = splat8(t.tc), td8 = splat8(t.td), ea8 = splat8(t.ea), ha8 = splat8(t.ha);
  for (; j + 8 <= m; j += 8) {
    const f32x8 b = load8(nb + j);
    mn8 = min8(mn8, max8(tc8 * b, td8) - ea8 * b - ha8 * load8(eb + j) + load8(cw + j));
  }
  mn = hmin8(mn8);
  for (; j < m; ++j) mn = std::min(mn, std::max(t.tc * nb[j], t.td) - t.ea * nb[j] - t.ha * eb[j] + cw[j]);
  return double(mn) - t.margin;
}

// A row whose bound fails mostly fails on a few columns: the bound is a minimum over all of
// them, and a handful with large duals decide it (measured on a clustered pair at F = 16384:
// median 6 such columns, 90% of rows under 500). Those columns outside the row's graph and
// pool (the solve and check_pools cover these) are priced one pair at a time, which costs far
// less than streaming the row's F costs again.

// Columns of row i whose bound could be below -tol, into `out` (graph and pool columns left
// out); false when there are more than suspect_cap_. rest: a lower bound on the bound of every
// other column. Vector pass over float values with a margin that covers their rounding.
bool SparseMatcher::find_suspects(int i, const std::vector<float>* drop, std::vector<int>& out, double& rest) const {
  const double ui = l_.u[size_t(i)];
  const int m = m_;
  // bound_j = base + value_j: value from the row's last stream (how far v_j fell since) or
  // from the first pass (its per-column term).
  double base, margin;
  FirstPassTerms t{};
  if (drop) {
    base = rq_[size_t(i)] - (ui - uref_[size_t(i)]);
    margin = 0;  // (the float drops were rounded down when they were made)
  } else {
    t = first_pass_terms(i);
    base = S_ - ui;
    margin = t.margin;
  }
  // value_j >= thr proves bound_j >= -tol; thr rounded up to a float.
  const double thr_d = -tol_ - base + margin;
  float thr = float(thr_d);
  if (double(thr) < thr_d) thr = std::nextafter(thr, std::numeric_limits<float>::infinity());
  const float *nb = B_.normB.data(), *eb = colerr_.data(), *cw = colw_.data(), *dr = drop ? drop->data() : nullptr;
  const f32x8 thr8 = splat8(thr), tc8 = splat8(t.tc), td8 = splat8(t.td), ea8 = splat8(t.ea), ha8 = splat8(t.ha);
  auto value8 = [&](int j) {
    if (dr) return load8(dr + j);
    const f32x8 b = load8(nb + j);
    return max8(tc8 * b, td8) - ea8 * b - ha8 * load8(eb + j) + load8(cw + j);
  };
  auto value = [&](int j) { return dr ? dr[j] : std::max(t.tc * nb[j], t.td) - t.ea * nb[j] - t.ha * eb[j] + cw[j]; };
  // Graph and pool columns are marked so they are never suspects (marks cleared on the way out).
  thread_local std::vector<char> listed;
  if (int(listed.size()) < m) listed.assign(size_t(m), 0);
  for (const Edge& e : cand_[size_t(i)]) listed[size_t(e.col)] = 1;
  for (const Edge& e : pool_[size_t(i)]) listed[size_t(e.col)] = 1;
  out.clear();
  bool within_cap = true;
  auto suspect = [&](int j) {
    if (listed[size_t(j)]) return;
    if (int(out.size()) == suspect_cap_) within_cap = false; else out.push_back(j);
  };
  f32x8 lo8 = splat8(std::numeric_limits<float>::infinity());  // min of max(value, thr)
  int j = 0;
  for (; j + 8 <= m && within_cap; j += 8) {
    const f32x8 v = value8(j);
    lo8 = min8(lo8, max8(v, thr8));
    for (unsigned bits = lt_bits(v, thr8); bits; bits &= bits - 1) suspect(j + __builtin_ctz(bits));
  }
  float lo = hmin8(lo8);
  for (; j < m && within_cap; ++j) {
    lo = std::min(lo, std::max(value(j), thr));
    if (value(j) < thr) suspect(j);
  }
  for (const Edge& e : cand_[size_t(i)]) listed[size_t(e.col)] = 0;
  for (const Edge& e : pool_[size_t(i)]) listed[size_t(e.col)] = 0;
  rest = std::min(0.0, base + double(lo) - margin);
  return within_cap;
}

SparseMatcher::Suspects SparseMatcher::price_suspects(int i, const std::vector<std::vector<float>>& v_drop, double& row_min) {
  if (!kept_[size_t(i)].empty()) return Suspects::too_many;  // checking the kept row is cheaper still
  const bool restreamed = restreamed_[size_t(i)] != 0;
  if (!restreamed && first_pass_terms(i).all_listed) { row_min = std::min(0.0, pool_min_[size_t(i)]); return Suspects::settled; }
  thread_local std::vector<int> suspects;
  double rest = 0;
  if (!find_suspects(i, restreamed ? &v_drop[size_t(snap_of_[size_t(i)])] : nullptr, suspects, rest)) return Suspects::too_many;
  const double ui = l_.u[size_t(i)];
  double lowest = std::min(rest, pool_min_[size_t(i)]);
  int64_t bad = 0;
  for (int j : suspects) {
    const double uv = ui + l_.v[size_t(j)];
    // The screened cost first (half the memory of the float rows); exact only when its
    // error bound cannot decide.
    Edge e = bound_edge_of_pair(i, j);
    if (!e.exact && double(e.cost) - uv < -tol_) e = Edge{j, shifted(i, j, B_.exact(i, j)), true};
    const double red = double(e.cost) - uv;
    lowest = std::min(lowest, red);
    // Violators join the graph; the others the pool, which check_pools re-checks each round
    // for a few operations instead of pricing them here again.
    if (red < -tol_) { cand_[size_t(i)].push_back(e); ++bad; } else pool_[size_t(i)].push_back(e);
  }
  suspect_pairs_ += int64_t(suspects.size());
  row_min = lowest;
  if (bad == 0) return Suspects::settled;
  redo_[size_t(i)] = 1;
  suspect_violations_ += bad;
  return Suspects::violated;
}

// Rows whose bounds prove every reduced cost >= -tol are settled (row_min gets their lower
// bound, for a gap); returns the others, which must be checked on their cost rows.
std::vector<int> SparseMatcher::rows_not_settled(std::vector<double>& row_min) {
  Stopwatch clock;
  for (int j = 0; j < m_; ++j) colw_[size_t(j)] = float(((square_ ? 0.0 : 1.0) - 3e-6) * double(nB_[j]) - l_.v[size_t(j)]);
  const int snap = int(vsnap_.size());
  vsnap_.push_back(l_.v);
  // How far each v_j fell since each snapshot (its minimum credits every column at once), and
  // the same in float rounded down, for the vector scan of price_suspects.
  std::vector<std::vector<float>> v_drop(vsnap_.size(), std::vector<float>(static_cast<size_t>(m_)));
  std::vector<double> v_credit(vsnap_.size(), kInf);
  for (size_t p = 0; p < vsnap_.size(); ++p)
    for (int j = 0; j < m_; ++j) {
      const double d = vsnap_[p][size_t(j)] - l_.v[size_t(j)];
      v_credit[p] = std::min(v_credit[p], d);
      float f = float(d);
      if (double(f) > d) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
      v_drop[p][size_t(j)] = f;
    }
  suspect_violations_ = 0;
  const int64_t priced_before = suspect_pairs_;
  std::atomic<int> by_suspects{0};
  std::vector<char> settled(size_t(n_), 0);
  parallel_for(n_, [&](int i0, int i1) {
    for (int i = i0; i < i1; ++i) {
      const double ui = l_.u[size_t(i)];
      double bound = -kInf;
      if (restreamed_[size_t(i)]) {
        bound = rq_[size_t(i)] - (ui - uref_[size_t(i)]) + v_credit[size_t(snap_of_[size_t(i)])];
      } else {
        if (fp_snap_[size_t(i)] >= 0) bound = S_ - ui + fp_part_[size_t(i)] + v_credit[size_t(fp_snap_[size_t(i)])];
        if (bound < -tol_) {
          fp_part_[size_t(i)] = first_pass_part(i); fp_snap_[size_t(i)] = snap;
          bound = S_ - ui + fp_part_[size_t(i)];
        }
      }
      if (bound >= -tol_) { settled[size_t(i)] = 1; row_min[size_t(i)] = std::min({0.0, bound, pool_min_[size_t(i)]}); continue; }
      // Settled, or its violators joined the graph: either way no stream is needed this round.
      if (price_suspects(i, v_drop, row_min[size_t(i)]) != Suspects::too_many) { settled[size_t(i)] = 1; ++by_suspects; }
    }
  }, 64);
  std::vector<int> recheck;
  for (int i = 0; i < n_; ++i) if (!settled[size_t(i)]) recheck.push_back(i);
  bound_s_ += clock.seconds();
  trace(o_, "bounds: " + std::to_string(by_suspects.load()) + " rows checked on " + std::to_string(suspect_pairs_ - priced_before) +
                " suspect pairs (violations " + std::to_string(suspect_violations_.load()) + "), " + std::to_string(recheck.size()) + " rows to stream; " +
                std::to_string(clock.seconds()) + " s");
  return recheck;
}

// What one certification pass shares between the rows it checks.
struct SparseMatcher::Pass {
  int snap = 0;
  std::vector<std::vector<Edge>> add;  // violating pairs joining the graph
  std::atomic<int64_t> violations{0}, exact_pairs{0};
  std::unique_ptr<ReducedCostColumns> cols;  // column part of every reduced cost (shift and dual)
};

// Streams the rows in recheck again (or reads them from memory), checks every reduced cost,
// records the row's exact minimum in row_min and adds violators to the graph. Returns the
// number of violating pairs.
int64_t SparseMatcher::certification_pass(const std::vector<int>& recheck, std::vector<double>& row_min) {
  ++passes_;
  Pass pass;
  pass.snap = int(vsnap_.size()) - 1;
  pass.add.resize(size_t(n_));
  Stopwatch clock;
  const bool full = int(recheck.size()) == n_;
  std::vector<double> colpart(static_cast<size_t>(m_));
  for (int j = 0; j < m_; ++j) colpart[size_t(j)] = -(square_ ? double(nB_[j]) : 0.0) - l_.v[size_t(j)];
  pass.cols = std::make_unique<ReducedCostColumns>(B_, std::move(colpart), S_, double(max_cost_), tol_);
  // Rows kept in memory are checked from there; the others are streamed (and kept).
  std::vector<int> fresh, from_memory;
  for (int i : recheck) (kept_[size_t(i)].empty() ? fresh : from_memory).push_back(i);
  if (!fresh.empty())
    stream_rows(B_, o_, full ? "certify" : "certify (partial)", [&](int, int i, const float* row) { check_row(pass, i, row, row_min); keep(i, row); }, &fresh);
  parallel_for(int(from_memory.size()), [&](int t0, int t1) {
    for (int t = t0; t < t1; ++t) check_row(pass, from_memory[size_t(t)], kept_[size_t(from_memory[size_t(t)])].data(), row_min);
  });
  stream_s_ += clock.seconds();
  r_.rows_restreamed += int64_t(fresh.size());
  r_.exact_pairs += pass.exact_pairs.load();
  trace(o_, std::string(full ? "full" : "partial") + " certification pass over " + std::to_string(recheck.size()) + " rows: " +
                std::to_string(clock.seconds()) + " s, violations " + std::to_string(pass.violations.load()) + ", exact pairs " +
                std::to_string(pass.exact_pairs.load()));
  for (int i = 0; i < n_; ++i) {
    if (!pass.add[size_t(i)].empty()) redo_[size_t(i)] = 1;
    cand_[size_t(i)].insert(cand_[size_t(i)].end(), pass.add[size_t(i)].begin(), pass.add[size_t(i)].end());
  }
  return pass.violations.load();
}

void SparseMatcher::check_row(Pass& pass, int i, const float* row, std::vector<double>& row_min) {
  const int m = m_;
  const double ui = l_.u[size_t(i)];
  // Lower bounds on the row's reduced costs; exact where the screen cannot decide.
  thread_local std::vector<float> red, priced;  // priced: exact cost where computed, else NaN
  const RowCheck rc = check_reduced_row(B_, *pass.cols, i, row, S_ - double(nA_[i]) - ui, red, priced);
  const float margin = rc.margin;
  row_min[size_t(i)] = rc.min;
  pass.violations += rc.violations;
  pass.exact_pairs += rc.exact_pairs;
  // The kAdd most negative reduced costs join the graph; the next P smallest (violating or
  // nearly so) become the row's pool, so the cheap pool rounds can follow the duals as
  // they move without another pass.
  const int Q = std::min(m, kAdd_ + P_);
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
  auto& pl = pool_[size_t(i)];
  pl.clear();
  for (int t = 0; t < Q; ++t) {
    const int jj = lowest.items[size_t(t)].second;
    const float pj = priced[size_t(jj)];
    const Edge e = !B_.screen ? Edge{jj, shifted(i, jj, row[jj]), true}
                   : !std::isnan(pj) ? Edge{jj, shifted(i, jj, pj), true}
                                     : Edge{jj, float(double(row[jj]) - B_.error(i, jj) + shift(i, jj)), false};
    if (t < kAdd_ && double(red[size_t(jj)]) < -tol_) pass.add[size_t(i)].push_back(e);  // violating: priced
    else pl.push_back(e);
  }
  uref_[size_t(i)] = ui;
  snap_of_[size_t(i)] = pass.snap;
  rq_[size_t(i)] = row_bound;
  restreamed_[size_t(i)] = 1;
}

// ---- Stage 5: the result ---------------------------------------------------------------------

// Proven bound on (total - optimum) from weak duality: any assignment costs >= sum(u) +
// sum(v) + sum_i min(0, min_j red_ij) in shifted costs (with v <= 0 on columns an n < m
// assignment may leave free); the shift is the same for every assignment, so the gap is too.
// Sets total to the assignment's true cost.
double SparseMatcher::proven_gap(const std::vector<double>& row_min, double& total) const {
  double lb = 0, shifted_total = 0;
  total = 0;
  for (double x : l_.u) lb += x;
  for (double x : l_.v) lb += x;
  for (double x : row_min) lb += x;
  for (int i = 0; i < n_; ++i) {
    const int j = l_.row_to_col[size_t(i)];
    const double c = B_.exact(i, j);
    total += c;
    shifted_total += c + shift(i, j);
  }
  return std::max(0.0, shifted_total - lb);
}

MatchResult SparseMatcher::result(bool certified, const std::vector<double>& row_min) {
  std::vector<float> costs(static_cast<size_t>(n_));
  for (int i = 0; i < n_; ++i) costs[size_t(i)] = B_.exact(i, l_.row_to_col[size_t(i)]);  // true costs, not shifted ones
  finish(r_, nA_, nB_, l_.row_to_col, costs);
  r_.seconds_cost = stream_s_; r_.seconds_lap = lap_s_;
  r_.suspect_pairs = suspect_pairs_;
  r_.certified = certified;
  r_.gap_budget = o_.gap;
  double total = 0;
  r_.gap_bound = certified ? 0.0 : proven_gap(row_min, total);
  // Duals on the true costs: c'_ij - u_i - v_j = c_ij - (u_i - shift_row_i) - (v_j - shift_col_j).
  r_.u.resize(size_t(n_)); r_.v.resize(size_t(m_));
  for (int i = 0; i < n_; ++i) r_.u[size_t(i)] = l_.u[size_t(i)] - (S_ - double(nA_[i]));
  for (int j = 0; j < m_; ++j) r_.v[size_t(j)] = l_.v[size_t(j)] + (square_ ? double(nB_[j]) : 0.0);
  trace(o_, "bounds " + std::to_string(bound_s_) + " s, certification passes " + std::to_string(passes_));
  report(o_, "done", 1);
  return r_;
}

// ---- The algorithm -----------------------------------------------------------------------------

MatchResult SparseMatcher::run() {
  candidate_pass();
  merge_column_candidates();
  if (o_.gap > 0) {
    // The cold solve may stop epsilon-optimal: n * epsilon at most half the budget, on an
    // estimate of the total (each row's cheapest candidate). The proof comes afterwards.
    double estimate = 0;
    for (int i = 0; i < n_; ++i) {
      double best = kInf;
      for (const Edge& e : cand_[size_t(i)]) best = std::min(best, double(e.cost) - shift(i, e.col));
      if (std::isfinite(best)) estimate += std::max(0.0, best);
    }
    eps_stop_ = 0.5 * o_.gap * estimate / std::max(1, n_);
  }
  for (int round = 1;; ++round) {
    r_.rounds = round;
    if (!solve(round)) continue;
    const int64_t pool_violations = check_pools();
    if (pool_violations > 0 && round < 50 * o_.max_rounds) continue;
    // Certify: every reduced cost on the full dense problem must be >= -tol. Rows whose bound
    // proves it are done; the others are checked on their cost rows.
    std::vector<double> row_min(size_t(n_), 0);
    const std::vector<int> recheck = rows_not_settled(row_min);
    const int64_t violations = suspect_violations_ + (recheck.empty() ? 0 : certification_pass(recheck, row_min));
    if (violations == 0 && pool_violations == 0 && exact_solve_) return result(true, row_min);
    if (o_.gap > 0) {
      double total = 0;
      const double gap = proven_gap(row_min, total);
      trace(o_, "proven gap " + std::to_string(gap) + " (budget " + std::to_string(o_.gap * total) + ")");
      if (gap <= o_.gap * total) return result(false, row_min);
      if (violations == 0 && pool_violations == 0) {  // epsilon was too coarse for the budget: solve exactly
        eps_stop_ = 0; warm_ = false;
        std::fill(redo_.begin(), redo_.end(), 1);
        continue;
      }
    }
    if (passes_ >= o_.max_rounds || (violations == 0 && pool_violations == 0) || round >= 60 * o_.max_rounds) return result(false, row_min);
  }
}
}  // namespace

MatchResult match_sparse(const Blocks& B, const MatchOptions& o) { return SparseMatcher(B, o).run(); }
}  // namespace saematch
