#pragma once
// Plain containers shared by loaders and maths. Matrices are row-major so that one
// feature (a row of W_dec, a column of W_enc stored transposed) is contiguous.
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

namespace saematch {
using MatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VecF = Eigen::VectorXf;
using Bytes = std::vector<uint8_t>;

// An array as read from .npy / safetensors, always converted to float32, C order.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
  int64_t dim(size_t i) const { return i < shape.size() ? shape[i] : 1; }
  std::string shape_str() const;
};
}  // namespace saematch
