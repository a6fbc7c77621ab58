#include "saematch/compare.h"
#include "saematch/error.h"
#include "saematch/parallel.h"
#include <algorithm>
#include <cmath>

namespace saematch {
namespace {
MatF unit_rows(const MatF& m) {
  MatF u = m;
  for (Eigen::Index i = 0; i < u.rows(); ++i) { const float n = u.row(i).norm(); if (n > 0) u.row(i) /= n; }
  return u;
}

double share_equal(const std::vector<int>& x, const std::vector<int>& y) {
  if (x.empty()) return 0;
  size_t same = 0;
  for (size_t i = 0; i < x.size(); ++i) same += x[i] == y[i];
  return double(same) / double(x.size());
}

int count_collisions(const std::vector<int>& a_to_b, int FB) {
  std::vector<int> takers(size_t(FB), 0);
  for (int j : a_to_b) if (j >= 0) ++takers[size_t(j)];
  int n = 0;
  for (int j : a_to_b) if (j >= 0 && takers[size_t(j)] > 1) ++n;
  return n;
}

bool has_thresholds(const Sae& s, const VecF* theta) { return s.act != Activation::JumpReLU || (theta && theta->size() == s.F()); }
}  // namespace

std::vector<int> top1_cosine(const MatF& decA, const MatF& decB) {
  if (decA.cols() != decB.cols()) fail("cannot compare features of different widths (d_model mismatch?)");
  const MatF ua = unit_rows(decA), ub = unit_rows(decB);
  std::vector<int> best(size_t(ua.rows()), -1);
  const int block = 256, n = int(ua.rows());
  parallel_for((n + block - 1) / block, [&](int b0, int b1) {
    MatF sim;
    for (int b = b0; b < b1; ++b) {
      const int r0 = b * block, r1 = std::min(n, r0 + block);
      sim.noalias() = ua.middleRows(r0, r1 - r0) * ub.transpose();
      for (int i = r0; i < r1; ++i) {
        Eigen::Index j = -1;
        if (sim.cols() > 0) sim.row(i - r0).maxCoeff(&j);  // first maximum: lowest index on ties
        best[size_t(i)] = int(j);
      }
    }
  });
  return best;
}

Sae unfold(const Sae& folded, const VecF& theta) {
  if (theta.size() != folded.F()) fail("unfold: " + std::to_string(theta.size()) + " thresholds for " + std::to_string(folded.F()) + " features");
  Sae s = folded;
  for (int i = 0; i < s.F(); ++i) {
    const float t = theta[i];
    if (!(t > 0) || !std::isfinite(t)) fail("unfold: threshold[" + std::to_string(i) + "] must be positive and finite");
    s.W_dec.row(i) /= t;
    s.W_enc.col(i) *= t;
    s.b_enc[i] *= t;
  }
  s.threshold = theta;
  s.folded = false;
  return s;
}

double assignment_cost(const MatF& EA, const MatF& EB, const std::vector<int>& a_to_b) {
  double total = 0;
  for (size_t i = 0; i < a_to_b.size(); ++i)
    if (a_to_b[i] >= 0) total += (EA.row(Eigen::Index(i)).cast<double>() - EB.row(a_to_b[i]).cast<double>()).squaredNorm();
  return total;
}

MethodComparison compare_methods(const Sae& A, const VecF* thetaA, const Sae& B, const VecF* thetaB, const MatchOptions& configured) {
  if (!configured.fold) fail("compare: the configured method folds (SAE Match); 'no folding' is one of the alternatives");
  if (A.d() != B.d()) fail("d_model mismatch: layer A has d_model=" + std::to_string(A.d()) + ", layer B has " + std::to_string(B.d()));
  const Sae fa = fold(A), fb = fold(B);
  const MatF EA = feature_embedding(fa, configured.weights), EB = feature_embedding(fb, configured.weights);
  MethodComparison out;
  auto add = [&](const char* key, const char* name, std::vector<int> a_to_b, bool certified) {
    MethodOutcome m;
    m.key = key; m.name = name; m.certified = certified;
    m.a_to_b = std::move(a_to_b);
    m.configured_total = assignment_cost(EA, EB, m.a_to_b);
    m.collisions = count_collisions(m.a_to_b, B.F());
    m.one_to_one = m.collisions == 0;
    out.methods.push_back(std::move(m));
  };
  const MatchResult rc = match_embeddings(EA, EB, configured);
  add("configured", "SAE Match (as configured)", rc.a_to_b, rc.certified);
  const bool thresholds = has_thresholds(A, thetaA) && has_thresholds(B, thetaB);
  if (thresholds) {
    MatchOptions o = configured;
    o.fold = false;
    const Sae ra = A.act == Activation::JumpReLU ? unfold(fa, *thetaA) : fa, rb = B.act == Activation::JumpReLU ? unfold(fb, *thetaB) : fb;
    MatchResult r = match_saes(ra, rb, o);
    add("nofold", "no folding", r.a_to_b, r.certified);
  } else {
    MethodOutcome m;
    m.key = "nofold"; m.name = "no folding"; m.available = false;
    m.unavailable_reason = "the JumpReLU thresholds of these layers are not known (the weights came folded)";
    out.methods.push_back(m);
  }
  add("top1cos", "top-1 decoder cosine (Feature Flow)", top1_cosine(fa.W_dec, fb.W_dec), false);
  MatchOptions ed = configured;
  ed.weights.w_enc = ed.weights.w_dec > 0 ? ed.weights.w_dec : 1.f;
  if (ed.weights.w_dec == 0) ed.weights.w_dec = 1.f;
  MatchResult r = match_saes(fa, fb, ed);
  add("encdec", "encoder + decoder cost", r.a_to_b, r.certified);
  const std::vector<int>& ref = out.methods[0].a_to_b;
  for (auto& m : out.methods) if (m.available) m.agreement = share_equal(m.a_to_b, ref);
  for (int i = 0; i < A.F(); ++i)
    for (auto& m : out.methods)
      if (m.available && m.a_to_b[size_t(i)] != ref[size_t(i)]) { out.disagree.push_back(i); break; }
  return out;
}
}  // namespace saematch
