#pragma once
// Matching cost between features of two (folded) SAEs.
// C_ij = w_dec*||Wdec_A[i]-Wdec_B[j]||^2 + w_enc*||Wenc_A[:,i]-Wenc_B[:,j]||^2 + w_b*(b_A[i]-b_B[j])^2
// equals ||e_A,i - e_B,j||^2 for the weighted concatenation e = [sqrt(w_dec)*dec, sqrt(w_enc)*enc, sqrt(w_b)*b],
// so one GEMM per block gives it via ||a||^2 + ||b||^2 - 2 a.b.
#include "saematch/sae.h"
#include <functional>

namespace saematch {
struct CostWeights {
  float w_dec = 1.f, w_enc = 0.f, w_b = 0.f;
  bool cosine = false;  // unit-normalise decoder rows / encoder columns first
  // Decoder rows alone, unnormalised: a pack's stored int8 decoder rows (scaled by w_dec) are
  // then the cost embedding itself, and can be used without expanding the layer to floats.
  bool decoder_only() const { return w_enc == 0 && w_b == 0 && !cosine; }
};
void validate_weights(const CostWeights& w);

MatF feature_embedding(const Sae& folded, const CostWeights& w);  // [F, D]
VecF squared_norms(const MatF& e);

// Rows [r0, r1) of the cost matrix between embeddings EA and EB into out [(r1-r0), FB].
void cost_rows(const MatF& EA, const VecF& nA, const MatF& EB, const VecF& nB, int r0, int r1, MatF& out);
// Rows [r0, r1) of some cost matrix into out (the callee sizes it): float GEMM, int8 dots...
using CostRowsFn = std::function<void(int r0, int r1, MatF& out)>;
// Whole [n, m] matrix from such row blocks, on all threads. Only for sizes small enough to hold.
MatF dense_cost(int n, int m, const CostRowsFn& rows);
// The same for float embeddings (cost_rows).
MatF dense_cost(const MatF& EA, const MatF& EB);
}  // namespace saematch
