#include "saematch/layerskip.h"
#include "saematch/error.h"

namespace saematch {
double explained_variance(const MatF& pred, const MatF& x) {
  if (pred.rows() != x.rows() || pred.cols() != x.cols()) fail("explained variance: shape mismatch");
  Eigen::RowVectorXd mean = x.cast<double>().colwise().mean();
  double den = (x.cast<double>().rowwise() - mean).squaredNorm();
  double num = (pred.cast<double>() - x.cast<double>()).squaredNorm();
  return den > 0 ? 1.0 - num / den : 0.0;
}

namespace {
// Accumulates sum||pred-x||^2 in batches so N can be large.
struct EvAccum {
  double num = 0;
  void add(const MatF& pred, const MatF& x) { num += (pred.cast<double>() - x.cast<double>()).squaredNorm(); }
};
}  // namespace

LayerSkipReport evaluate_layer_skip(const Sae& t, const Sae& t1, const std::vector<int>& a_to_b,
                                    const MatF& x_t, const MatF& x_t1) {
  if (t.d() != t1.d()) fail("d_model mismatch between the two SAEs");
  if (x_t.cols() != t.d()) fail("activations x_t have d=" + std::to_string(x_t.cols()) + ", SAE expects " + std::to_string(t.d()));
  if (x_t1.cols() != t1.d()) fail("activations x_t+1 have d=" + std::to_string(x_t1.cols()) + ", SAE expects " + std::to_string(t1.d()));
  if (x_t.rows() != x_t1.rows()) fail("x_t and x_t+1 have different numbers of rows (" + std::to_string(x_t.rows()) + " vs " + std::to_string(x_t1.rows()) + ")");
  if (int(a_to_b.size()) != t.F()) fail("permutation length does not match F of layer t");
  for (Eigen::Index i = 0; i < x_t.size(); ++i) if (!std::isfinite(x_t.data()[i]) || !std::isfinite(x_t1.data()[i])) fail("activations contain NaN or Inf");
  const Sae ft = fold(t), ft1 = fold(t1);
  LayerSkipReport r;
  r.n = x_t.rows();
  Eigen::RowVectorXd mean = x_t1.cast<double>().colwise().mean();
  double den = (x_t1.cast<double>().rowwise() - mean).squaredNorm();
  EvAccum skip, ident, next, recon;
  const Eigen::Index batch = 1024;
  for (Eigen::Index b = 0; b < x_t.rows(); b += batch) {
    Eigen::Index nb = std::min(batch, x_t.rows() - b);
    MatF xt = x_t.middleRows(b, nb), xt1 = x_t1.middleRows(b, nb);
    MatF f = ft.encode(xt);
    MatF g = MatF::Zero(nb, ft1.F());
    for (int i = 0; i < ft.F(); ++i) if (a_to_b[size_t(i)] >= 0) g.col(a_to_b[size_t(i)]) = f.col(i);
    skip.add(ft1.decode(g), xt1);
    ident.add(xt, xt1);
    next.add(ft1.decode(ft1.encode(xt)), xt1);
    recon.add(ft1.decode(ft1.encode(xt1)), xt1);
  }
  auto ev = [&](const EvAccum& a) { return den > 0 ? 1.0 - a.num / den : 0.0; };
  r.ev_skip = ev(skip); r.ev_identity = ev(ident); r.ev_next_sae = ev(next); r.ev_reconstruct = ev(recon);
  return r;
}
}  // namespace saematch
