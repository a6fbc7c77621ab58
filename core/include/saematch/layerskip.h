#pragma once
// Layer-skip approximation: predict x_{t+1} as decode_{t+1}(P . encode_t(x_t)) with folded SAEs,
// scored by explained variance against the real x_{t+1}.
#include "saematch/sae.h"

namespace saematch {
struct LayerSkipReport {
  int64_t n = 0;
  double ev_skip = 0;          // encode with t, permute, decode with t+1
  double ev_identity = 0;      // predict x_{t+1} = x_t
  double ev_next_sae = 0;      // encode-decode x_t with SAE t+1
  double ev_reconstruct = 0;   // encode-decode x_{t+1} with SAE t+1 (upper reference)
};
// 1 - sum||pred - x||^2 / sum||x - mean(x)||^2
double explained_variance(const MatF& pred, const MatF& x);
LayerSkipReport evaluate_layer_skip(const Sae& t, const Sae& t1, const std::vector<int>& a_to_b,
                                    const MatF& x_t, const MatF& x_t1);
}  // namespace saematch
