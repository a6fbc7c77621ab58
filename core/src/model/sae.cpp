#include "saematch/sae.h"
#include "saematch/error.h"
#include <algorithm>
#include <cmath>

namespace saematch {
const char* activation_name(Activation a) {
  return a == Activation::JumpReLU ? "jumprelu" : a == Activation::TopK ? "topk" : "relu";
}

namespace {
template <class M>
void check_finite(const M& m, const std::string& what) {
  const float* p = m.data();
  for (Eigen::Index i = 0; i < m.size(); ++i)
    if (!std::isfinite(p[i])) fail(what + " contains NaN or Inf (first at flat index " + std::to_string(i) + ")");
}
}  // namespace

void Sae::validate(const std::string& what) const {
  int dd = d(), ff = F();
  if (dd <= 0 || ff <= 0) fail(what + ": empty SAE (W_dec has shape [" + std::to_string(ff) + "," + std::to_string(dd) + "])");
  if (W_enc.rows() != dd || W_enc.cols() != ff)
    fail(what + ": W_enc has shape [" + std::to_string(W_enc.rows()) + "," + std::to_string(W_enc.cols()) + "], expected [d_model=" + std::to_string(dd) + ", F=" + std::to_string(ff) + "] from W_dec");
  if (b_enc.size() != ff) fail(what + ": b_enc has " + std::to_string(b_enc.size()) + " entries, expected F=" + std::to_string(ff));
  if (b_dec.size() != dd) fail(what + ": b_dec has " + std::to_string(b_dec.size()) + " entries, expected d_model=" + std::to_string(dd));
  if (act == Activation::JumpReLU) {
    if (threshold.size() != ff) fail(what + ": threshold has " + std::to_string(threshold.size()) + " entries, expected F=" + std::to_string(ff));
    check_finite(threshold, what + ": threshold");
  }
  if (act == Activation::TopK && (topk <= 0 || topk > ff)) fail(what + ": TopK SAE needs 0 < k <= F, got k=" + std::to_string(topk));
  check_finite(W_enc, what + ": W_enc");
  check_finite(b_enc, what + ": b_enc");
  check_finite(W_dec, what + ": W_dec");
  check_finite(b_dec, what + ": b_dec");
}

MatF Sae::encode(const MatF& x) const {
  if (x.cols() != d()) fail("activations have d_model=" + std::to_string(x.cols()) + " but the SAE expects " + std::to_string(d()));
  MatF pre = x * W_enc;
  pre.rowwise() += b_enc.transpose();
  if (act == Activation::JumpReLU) {
    for (Eigen::Index n = 0; n < pre.rows(); ++n)
      for (Eigen::Index i = 0; i < pre.cols(); ++i) {
        float& v = pre(n, i);
        v = (v > threshold[i] && v > 0) ? v : 0.f;
      }
  } else if (act == Activation::ReLU) {
    pre = pre.cwiseMax(0.f);
  } else {
    std::vector<float> row(size_t(pre.cols()));
    for (Eigen::Index n = 0; n < pre.rows(); ++n) {
      std::copy(pre.row(n).data(), pre.row(n).data() + pre.cols(), row.begin());
      std::nth_element(row.begin(), row.begin() + (topk - 1), row.end(), std::greater<float>());
      float kth = row[size_t(topk - 1)];
      int above = 0;
      for (Eigen::Index i = 0; i < pre.cols(); ++i) above += pre(n, i) > kth;
      int ties_left = topk - above;  // ties at the k-th value: keep the first ones so exactly k survive
      for (Eigen::Index i = 0; i < pre.cols(); ++i) {
        float& v = pre(n, i);
        if (v > kth) continue;
        if (v == kth && ties_left > 0) { --ties_left; continue; }
        v = 0;
      }
      pre.row(n) = pre.row(n).cwiseMax(0.f);
    }
  }
  return pre;
}

MatF Sae::decode(const MatF& f) const {
  if (f.cols() != F()) fail("feature activations have " + std::to_string(f.cols()) + " columns, SAE has F=" + std::to_string(F()));
  MatF x = f * W_dec;
  x.rowwise() += b_dec.transpose();
  return x;
}

bool folding_changes(const Sae& s) { return s.act == Activation::JumpReLU && !s.folded; }

Sae fold(const Sae& s) {
  Sae o = s;
  o.folded = true;
  if (s.act != Activation::JumpReLU || s.folded) return o;
  for (int i = 0; i < s.F(); ++i) {
    float t = s.threshold[i];
    if (!(t > 0) || !std::isfinite(t))
      fail("cannot fold: threshold[" + std::to_string(i) + "] = " + std::to_string(t) + " (must be positive and finite)");
    o.W_enc.col(i) /= t;
    o.b_enc[i] /= t;
    o.W_dec.row(i) *= t;
  }
  o.threshold.setOnes();
  return o;
}

Sae sae_from_arrays(std::map<std::string, Tensor> a, Activation act, int topk, const std::string& what) {
  auto need = [&](const char* k) -> Tensor& {
    auto it = a.find(k);
    if (it == a.end()) fail(what + ": missing array '" + k + "' (is this an SAE file?)");
    return it->second;
  };
  Tensor& we = need("W_enc"); Tensor& wd = need("W_dec");
  Tensor& be = need("b_enc"); Tensor& bd = need("b_dec");
  if (we.shape.size() != 2 || wd.shape.size() != 2)
    fail(what + ": W_enc and W_dec must be 2-D, got " + we.shape_str() + " and " + wd.shape_str());
  int64_t F = wd.shape[0], d = wd.shape[1];
  if (we.shape[0] != d || we.shape[1] != F)
    fail(what + ": W_enc " + we.shape_str() + " does not fit W_dec " + wd.shape_str() + " (expected W_enc [d,F], W_dec [F,d])");
  Sae s;
  s.act = act; s.topk = topk;
  s.W_enc = Eigen::Map<MatF>(we.data.data(), d, F);
  s.W_dec = Eigen::Map<MatF>(wd.data.data(), F, d);
  if (int64_t(be.data.size()) != F) fail(what + ": b_enc has " + std::to_string(be.data.size()) + " entries, expected F=" + std::to_string(F));
  if (int64_t(bd.data.size()) != d) fail(what + ": b_dec has " + std::to_string(bd.data.size()) + " entries, expected d_model=" + std::to_string(d));
  s.b_enc = Eigen::Map<VecF>(be.data.data(), F);
  s.b_dec = Eigen::Map<VecF>(bd.data.data(), d);
  if (act == Activation::JumpReLU) {
    auto it = a.find("threshold");
    bool is_log = false;
    if (it == a.end()) { it = a.find("log_threshold"); is_log = true; }
    if (it == a.end()) fail(what + ": JumpReLU SAE has no 'threshold' array");
    if (int64_t(it->second.data.size()) != F) fail(what + ": threshold has " + std::to_string(it->second.data.size()) + " entries, expected F=" + std::to_string(F));
    s.threshold = Eigen::Map<VecF>(it->second.data.data(), F);
    if (is_log) s.threshold = s.threshold.array().exp();
  }
  s.validate(what);
  return s;
}
}  // namespace saematch
