#pragma once
// SHA-256 for pack shard integrity (the browser checks the same digests with crypto.subtle).
#include <cstddef>
#include <cstdint>
#include <string>

namespace saematch {
std::string sha256_hex(const uint8_t* data, size_t n);
}
