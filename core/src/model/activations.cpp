#include "saematch/activations.h"
#include "saematch/arrays.h"
#include "saematch/error.h"

namespace saematch {
MatF activations_from_npy(const uint8_t* bytes, size_t n, const std::string& what) {
  Tensor t = parse_npy(bytes, n, what);
  if (t.shape.size() != 2)
    fail(what + ": activations must be a 2-D array [N, d] (one row per token), got shape " + t.shape_str());
  if (t.shape[0] < 1 || t.shape[1] < 1) fail(what + ": the activation array is empty (shape " + t.shape_str() + ")");
  return Eigen::Map<MatF>(t.data.data(), t.shape[0], t.shape[1]);
}
}  // namespace saematch
