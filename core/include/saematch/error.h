#pragma once
// One exception type for every user-facing failure: the CLI prints what() on one line,
// the WASM bindings forward it to the UI. Messages name the file/array at fault.
#include <stdexcept>
#include <string>

namespace saematch {
struct Error : std::runtime_error {
  explicit Error(const std::string& m) : std::runtime_error(m) {}
};
[[noreturn]] inline void fail(const std::string& m) { throw Error(m); }
inline void require(bool ok, const std::string& m) { if (!ok) fail(m); }
}  // namespace saematch
