#pragma once
// The SAE model (Gemma Scope layout) with encode/decode and threshold folding.
#include "saematch/tensor.h"
#include <map>
#include <string>

namespace saematch {
enum class Activation { JumpReLU, ReLU, TopK };
const char* activation_name(Activation a);

struct SaeMeta {
  std::string model, hook, source;  // source: e.g. Neuronpedia "gemmascope-res-16k"
  int layer = -1;
};

struct Sae {
  Activation act = Activation::ReLU;
  int topk = 0;      // TopK only
  MatF W_enc;        // [d, F]
  VecF b_enc;        // [F]
  MatF W_dec;        // [F, d]
  VecF b_dec;        // [d]
  VecF threshold;    // [F], JumpReLU only
  bool folded = false;
  SaeMeta meta;

  int d() const { return int(W_dec.cols()); }
  int F() const { return int(W_dec.rows()); }
  // Throws with the array name when shapes disagree or values are NaN/Inf.
  void validate(const std::string& what) const;
  MatF encode(const MatF& x) const;  // [N,d] -> [N,F]
  MatF decode(const MatF& f) const;  // [N,F] -> [N,d]
};

// Folding moves each JumpReLU threshold into the weights: output unchanged, theta' = 1.
// ReLU/TopK have no threshold; folding is the identity (folded flag still set).
Sae fold(const Sae& s);
bool folding_changes(const Sae& s);

// Builds an SAE from named arrays (W_enc, b_enc, W_dec, b_dec, threshold|log_threshold).
Sae sae_from_arrays(std::map<std::string, Tensor> arrays, Activation act, int topk, const std::string& what);
}  // namespace saematch
