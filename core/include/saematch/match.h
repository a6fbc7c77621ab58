#pragma once
// Matching the features of layer A to layer B: exact minimum-cost assignment.
// Small problems: dense cost matrix + dense solver. Large ones (F >= dense_max): the cost
// matrix is never held; a top-k candidate graph is solved and then certified optimal on the
// full dense problem by streaming the cost blocks again (c_ij - u_i - v_j >= 0 everywhere),
// adding violating pairs and re-solving until none remain.
#include "saematch/cost.h"
#include "saematch/int8_cost.h"
#include "saematch/lap.h"
#include <functional>
#include <string>

namespace saematch {
// Return false to cancel; stage is a short human-readable name.
using Progress = std::function<bool(const std::string& stage, double fraction)>;

struct MatchOptions {
  CostWeights weights;
  bool fold = true;
  int dense_max = 2048;  // dense path while max(F_A, F_B) < this (above, the sparse path is faster and leaner)
  int topk = 32;         // candidates per row on the sparse path
  int max_rounds = 30;   // full certification passes before giving up with a gap bound
  bool int8 = false;     // match the int8-quantised rows (what an int8 pack stores) with integer dots
  // Sparse path on float rows: choose candidates and certify with int8 integer dots plus a
  // rigorous bound on their error, computing exact float costs only where the bound cannot
  // decide. Same certified optimum; Auto uses it where the integer kernel beats float GEMM.
  enum class Screen { Auto, On, Off } screen = Screen::Auto;
  Progress progress;
  std::function<void(const std::string&)> trace;  // optional log of stage timings (benchmarks)
};

struct MatchResult {
  int FA = 0, FB = 0;
  std::vector<int> a_to_b;     // -1: feature of A left unmatched (F_A > F_B)
  std::vector<float> cost;     // per A feature; NaN when unmatched
  std::vector<float> score;    // 1 - c/(|a|^2+|b|^2): 1 identical, 0 orthogonal, -1 opposite
  std::vector<int> unmatched_b;
  double total = 0;
  bool certified = false;      // proven optimal on the full dense problem
  double gap_bound = 0;        // upper bound on (total - optimum) when not certified
  int rounds = 0;              // sparse path: solve/certify rounds
  int64_t candidate_edges = 0;
  int64_t rows_restreamed = 0; // sparse path: rows whose cost row had to be computed again to certify
  int64_t exact_pairs = 0;     // sparse path with a screen: pairs priced exactly because the bound could not decide
  std::string method;          // "dense" or "sparse+certify"
  double seconds_cost = 0;     // building/streaming cost blocks (all passes)
  double seconds_lap = 0;      // assignment solves
};

MatchResult match_embeddings(const MatF& EA, const MatF& EB, const MatchOptions& opt);
// The int8 problem given directly as quantised rows (e.g. a pack's folded decoders): the same
// answer as match_embeddings with opt.int8 on their dequantised rows, with no float copies.
MatchResult match_quantised(const QuantRows& A, const QuantRows& B, const MatchOptions& opt);
// Checks d_model agreement, folds (unless opt.fold is false) and matches.
MatchResult match_saes(const Sae& A, const Sae& B, const MatchOptions& opt);
// A small int8 problem (row j of B a noisy copy of row (7j + 3) mod 2048 of A) through the
// sparse path. V8 runs every WASM function in its baseline compiler first and switches to
// optimised code only between calls; the app runs this at start-up so that the first real
// pair's kernel calls are not the unoptimised ones (about 1.5 s on a 16k pair).
MatchResult warm_up_matcher();
}  // namespace saematch
