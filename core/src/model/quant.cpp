#include "saematch/quant.h"
#include "saematch/half.h"
#include <cmath>

namespace saematch {
QuantInt8 quantize_int8_rows(const MatF& m) {
  QuantInt8 r;
  r.rows = int(m.rows()); r.cols = int(m.cols());
  r.q.resize(size_t(m.size())); r.scale.resize(size_t(m.rows()));
  for (int i = 0; i < r.rows; ++i) {
    float mx = m.row(i).cwiseAbs().maxCoeff();
    float s = mx > 0 ? mx / 127.f : 1.f;
    r.scale[size_t(i)] = s;
    for (int j = 0; j < r.cols; ++j) r.q[size_t(i) * r.cols + j] = int8_t(std::lrint(std::fmax(-127.f, std::fmin(127.f, m(i, j) / s))));
  }
  return r;
}

MatF dequantize(const QuantInt8& q) {
  MatF m(q.rows, q.cols);
  for (int i = 0; i < q.rows; ++i)
    for (int j = 0; j < q.cols; ++j) m(i, j) = float(q.q[size_t(i) * q.cols + j]) * q.scale[size_t(i)];
  return m;
}

std::vector<uint16_t> to_fp16(const MatF& m) {
  std::vector<uint16_t> h(size_t(m.size()));
  for (Eigen::Index i = 0; i < m.size(); ++i) h[size_t(i)] = float_to_half(m.data()[i]);
  return h;
}

MatF from_fp16(const uint16_t* h, int rows, int cols) {
  MatF m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = half_to_float(h[i]);
  return m;
}

double relative_error(const MatF& a, const MatF& b) {
  double den = a.cast<double>().norm();
  return den > 0 ? (a.cast<double>() - b.cast<double>()).norm() / den : 0.0;
}
}  // namespace saematch
