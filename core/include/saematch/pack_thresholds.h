#pragma once
// The raw JumpReLU thresholds a pack layer may carry next to its folded weights (packs written
// since the "threshold" array was added; older packs have none). Unfolding needs them.
#include "saematch/json.h"
#include "saematch/tensor.h"
#include <cstdint>
#include <vector>

namespace saematch {
// False (out untouched) when the layer has no "threshold" array; throws if it is malformed.
bool pack_layer_thresholds(const Json& entry, const std::vector<uint8_t>& blob, VecF& out);
}  // namespace saematch
