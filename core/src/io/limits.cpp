#include "saematch/limits.h"
#include "saematch/error.h"
#include <cstdio>

namespace saematch {
std::string describe_bytes(uint64_t n) {
  char b[64];
  if (n >= (uint64_t(1) << 30)) std::snprintf(b, sizeof b, "%llu bytes (%.1f GiB)", (unsigned long long)n, double(n) / double(1u << 30));
  else if (n >= (uint64_t(1) << 20)) std::snprintf(b, sizeof b, "%llu bytes (%.1f MiB)", (unsigned long long)n, double(n) / double(1u << 20));
  else std::snprintf(b, sizeof b, "%llu bytes", (unsigned long long)n);
  return b;
}

void check_size_claim(uint64_t bytes, const LoadLimits& lim, const std::string& what) {
  if (bytes > lim.max_array_bytes)
    fail(what + " claims " + describe_bytes(bytes) + ", above the limit of " + describe_bytes(lim.max_array_bytes) + " per array");
}

void check_inflate_claim(uint64_t compressed, uint64_t declared, const LoadLimits& lim, const std::string& what) {
  check_size_claim(declared, lim, what);
  if (declared <= lim.ratio_exempt_bytes) return;
  // declared / compressed > ratio, without dividing by zero or overflowing the product.
  if (compressed == 0 || declared / compressed >= lim.max_inflate_ratio)
    fail(what + " claims " + describe_bytes(declared) + " from " + describe_bytes(compressed) + " compressed, more than " +
         std::to_string(lim.max_inflate_ratio) + " times its size (a decompression bomb?)");
}
}  // namespace saematch
