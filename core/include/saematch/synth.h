#pragma once
// Synthetic SAE stacks with planted ground truth: concepts persist across layers with noise,
// some die and new ones are born, each layer's features are shuffled and every feature gets
// its own JumpReLU threshold (drawn per layer, so unfolded weights disagree in scale).
#include "saematch/sae.h"
#include <cstdint>
#include <string>

namespace saematch {
struct SynthOptions {
  int layers = 4, F = 512, d = 64;
  double noise = 0.05;        // relative perturbation of a concept per layer
  double death = 0.05;        // probability a concept dies at each layer
  double theta_spread = 1.0;  // thresholds are 10^U(-spread, spread)
  uint64_t seed = 1;
  Activation act = Activation::JumpReLU;
};
struct SynthModel {
  std::vector<Sae> saes;
  std::vector<std::vector<int>> truth;         // truth[l][i]: feature of layer l+1 continuing i, or -1
  std::vector<std::vector<int>> concept_id;    // concept_id[l][i]: id of the concept behind feature i
  std::vector<std::vector<std::string>> labels;
};
SynthModel make_synthetic(const SynthOptions& o);
// Paired activations for layers t and t+1 built from the same sparse concept codes.
void synthetic_activations(const SynthModel& m, const SynthOptions& o, int t, int n, uint64_t seed, MatF& x_t, MatF& x_t1);
// Fraction of planted persistent pairs (truth >= 0) that `a_to_b` recovers.
double recovery(const std::vector<int>& truth, const std::vector<int>& a_to_b);
}  // namespace saematch
