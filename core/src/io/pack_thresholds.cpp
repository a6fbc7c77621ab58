#include "saematch/pack_thresholds.h"
#include "saematch/error.h"
#include <cmath>
#include <cstring>

namespace saematch {
bool pack_layer_thresholds(const Json& entry, const std::vector<uint8_t>& blob, VecF& out) {
  for (auto& a : entry.at("arrays").arr) {
    if (a.at("name").as_str("array name") != "threshold") continue;
    if (a.at("encoding").as_str("threshold") != "f32") fail("pack array 'threshold' must be f32");
    const double rows = a.at("rows").as_num("threshold"), cols = a.at("cols").as_num("threshold"), off = a.at("offset").as_num("threshold");
    const double F = entry.at("F").as_num("F");
    if (rows != 1 || cols != F || off < 0 || off + 4 * cols > double(blob.size()))
      fail("pack array 'threshold' has the wrong shape or lies outside the layer data");
    VecF t(static_cast<Eigen::Index>(cols));
    std::memcpy(t.data(), blob.data() + size_t(off), size_t(cols) * 4);
    for (Eigen::Index i = 0; i < t.size(); ++i)
      if (!(t[i] > 0) || !std::isfinite(t[i])) fail("pack array 'threshold' holds a value that is not positive and finite");
    out = std::move(t);
    return true;
  }
  return false;
}
}  // namespace saematch
