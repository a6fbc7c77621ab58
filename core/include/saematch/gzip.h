#pragma once
// gzip files (RFC 1952), as Neuronpedia's bulk exports use: member headers and trailers parsed
// around the project's own inflate, so native and WASM builds read them with the same code.
#include "saematch/limits.h"
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace saematch {
// All members concatenated. Each member's CRC-32 and length are checked; the output is bounded
// by lim (max_array_bytes in total, max_inflate_ratio of the compressed size). `what` names the
// file in messages.
std::vector<uint8_t> gunzip(const uint8_t* p, size_t n, const LoadLimits& lim, const std::string& what);
}  // namespace saematch
