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
// Hard benchmark instances: the decoder rows (already folded) of two adjacent layers of a
// clustered dictionary, shaped like real SAEs rather than like independent random features.
// Features come in families sharing a direction (members have cosine ~ rho with each other,
// rho per family in [rho_lo, rho_hi], which is about the within-layer nearest-neighbour
// cosine); from A to B every family's direction drifts and each member keeps a partner whose
// cosine with it is ~ the family's partner cosine (normal(partner_mean, partner_sd), clipped
// to [0.2, 0.95]). Some features die, some split (one A row -> two similar B rows), pairs of
// family members merge (two A rows -> one B row); newborn features fill B up to F rows.
// Decoder norms spread over norm_decades decades. B's rows are permuted. The random stream is
// our own (same instance natively and in WASM).
struct ClusteredOptions {
  int F = 16384, d = 2304;
  int family_min = 2, family_max = 16;  // members per family, uniform
  double rho_lo = 0.4, rho_hi = 0.8;
  double partner_mean = 0.55, partner_sd = 0.2;
  double death = 0.08, split = 0.03, merge = 0.03;
  double norm_decades = 1.0;
  uint64_t seed = 1;
};
// The near-tie instance of issue 12: 32-member families (nearest-neighbour cosine ~0.81),
// partner cosine ~0.41, so each row has 31 siblings almost as good as its partner.
ClusteredOptions near_tie_options(int F, int d, uint64_t seed = 1);
struct ClusteredPair {
  MatF A, B;               // [F, d] each
  std::vector<int> truth;  // truth[i]: the B row continuing A row i (first half of a split, the merged row), or -1 (died)
};
ClusteredPair make_clustered_pair(const ClusteredOptions& o);

// Fraction of planted persistent pairs (truth >= 0) that `a_to_b` recovers.
double recovery(const std::vector<int>& truth, const std::vector<int>& a_to_b);
}  // namespace saematch
