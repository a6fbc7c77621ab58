#pragma once
// The results part of a pack: matches, per-hop costs and scores, the duals that certify them
// and the null baselines, computed natively (`saematch chain --pack`) on the very layers the
// pack stores, so a reader can draw the chains at once and re-check any pair from its duals
// (verify_duals.h). The format is the manifest's "results" key plus results.K.bin shards
// (README "Pack format"; the contract with the web app: result-pack-spec.md).
#include "saematch/json.h"
#include "saematch/limits.h"
#include "saematch/match.h"
#include "saematch/pack.h"
#include <string>
#include <vector>

namespace saematch {
// The options the hops were matched with (int8: whether the stored int8 rows were matched).
struct ResultSettings { CostWeights weights; bool int8 = false; double gap = 0; int topk = 32; };

struct HopResult {
  int from = 0, to = 0;            // layer ids (the manifest layers' "layer")
  MatchResult match;               // FA, FB, a_to_b, cost, score, u, v, total, certified, gap_bound, gap_budget, method
  std::vector<float> null_scores;  // chance-level best scores, ascending (null_baseline.h)
  float null_cut = 0;              // their null_percentile quantile
};

struct PackResults {
  std::string producer, created;
  ResultSettings settings;
  int null_samples = 256;
  double null_percentile = 0.99;
  std::vector<std::vector<float>> norms;  // per manifest layer: |folded decoder row| (PackedLayer::decoder_norms)
  std::vector<HopResult> hops;            // one per consecutive pair of manifest layers
};

// Appends results.K.bin shards (<= max_shard_bytes each, SHA-256 in the manifest) to a pack's
// files and sets its manifest's "results" key. files: as make_pack returned them.
void add_results_to_pack(std::vector<PackFile>& files, const PackResults& r, size_t max_shard_bytes);
// Checks every claim of manifest.results against the manifest's layers before any of it is
// trusted (validate_manifest calls it): array extents inside blob_bytes with the counts their
// roles imply, hops joining consecutive layers in order, shard sizes adding up, known dtypes.
// Throws one Error naming the hop or array at fault.
void validate_results(const Json& results, const Json& layers, const LoadLimits& lim = LoadLimits());
// Reads a validated manifest's results from the concatenated results shards (their digests
// already checked). Values are checked here: a_to_b in [-1, FB) and one-to-one, no NaN in
// u or v, nor in cost or score of a matched feature.
PackResults read_results(const Json& manifest, const uint8_t* blob, size_t n);
}  // namespace saematch
