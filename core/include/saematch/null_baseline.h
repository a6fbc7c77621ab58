#pragma once
// A null baseline for hop scores: how well does a feature of layer A match layer B by chance?
//
// Rotating layer B by a uniformly random rotation keeps B's own geometry (norms, clusters,
// anisotropy) but destroys any alignment with A. For one feature a, the best score it reaches
// against the rotated layer has the same distribution as the best score that a uniformly random
// direction with a's norm reaches against B itself (rotate a instead of B). Sampling that for
// many features of A gives the distribution of chance-level best matches. The matcher only ever
// gives a feature one partner (a permutation), so a hop whose score beats the 99th percentile of
// these best-of-F chance scores is very unlikely to be a coincidence.
//
// Score is the matcher's: 1 - c / (|a|^2 + |b|^2) on the cost embeddings (1 identical, 0 orthogonal).
#include "saematch/cost.h"
#include "saematch/int8_cost.h"
#include <cstdint>
#include <vector>

namespace saematch {
struct NullBaseline {
  std::vector<float> best_scores;  // ascending: one chance-level best score per sampled feature
  // Linear-interpolated quantile of best_scores (p in [0, 1]); 0 when there are no samples.
  float quantile(double p) const;
};

// EA [FA, D], EB [FB, D]: the two layers' cost embeddings (feature_embedding of folded SAEs).
// samples: how many features of A to rotate at random (capped at FA); seed makes it repeatable.
NullBaseline null_baseline(const MatF& EA, const MatF& EB, int samples, uint64_t seed);
// The same from int8 rows (a pack's stored decoder rows scaled as cost embeddings,
// PackedLayer::decoder_rows), through the integer kernel on both threads: neither layer ever
// exists as floats (a Gemma Scope 65k layer would take 600 MB, and two of them on top of the
// packed layers do not fit in WASM's 4 GiB). Same samples as the float version for the same
// seed (int8 directions), so the same scores up to float rounding.
NullBaseline null_baseline(const QuantRows& QA, const QuantRows& QB, int samples, uint64_t seed);
}  // namespace saematch
