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
}  // namespace saematch
