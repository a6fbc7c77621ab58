#pragma once
// Activations a user brings (x_t, x_{t+1}) as .npy bytes: [N, d] float32/float16/bfloat16.
#include "saematch/tensor.h"
#include <string>

namespace saematch {
// Throws one sentence naming `what` when the array is not a non-empty 2-D [N, d] array.
MatF activations_from_npy(const uint8_t* bytes, size_t n, const std::string& what);
}  // namespace saematch
