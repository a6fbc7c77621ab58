#pragma once
// Matching cost between features of two (folded) SAEs.
// C_ij = w_dec*||Wdec_A[i]-Wdec_B[j]||^2 + w_enc*||Wenc_A[:,i]-Wenc_B[:,j]||^2 + w_b*(b_A[i]-b_B[j])^2
// equals ||e_A,i - e_B,j||^2 for the weighted concatenation e = [sqrt(w_dec)*dec, sqrt(w_enc)*enc, sqrt(w_b)*b],
// so one GEMM per block gives it via ||a||^2 + ||b||^2 - 2 a.b.
#include "saematch/sae.h"

namespace saematch {
struct CostWeights {
  float w_dec = 1.f, w_enc = 0.f, w_b = 0.f;
  bool cosine = false;  // unit-normalise decoder rows / encoder columns first
};
void validate_weights(const CostWeights& w);

MatF feature_embedding(const Sae& folded, const CostWeights& w);  // [F, D]
VecF squared_norms(const MatF& e);

// Rows [r0, r1) of the cost matrix between embeddings EA and EB into out [(r1-r0), FB].
void cost_rows(const MatF& EA, const VecF& nA, const MatF& EB, const VecF& nB, int r0, int r1, MatF& out);
// Whole matrix, built block by block on all threads. Only for F small enough to hold.
MatF dense_cost(const MatF& EA, const MatF& EB);
}  // namespace saematch
