#pragma once
// Random-access bytes: a whole file in memory or a file on disk read piecewise,
// so a 1 GB params.npz is never loaded just to read its directory.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace saematch {
struct ByteSource {
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  virtual void read(uint64_t offset, size_t len, uint8_t* out) const = 0;  // throws on short read
  std::vector<uint8_t> read(uint64_t offset, size_t len) const;
  std::string name;
};
std::unique_ptr<ByteSource> open_file(const std::string& path);
std::unique_ptr<ByteSource> memory_source(std::vector<uint8_t> bytes, std::string name = "buffer");
std::vector<uint8_t> read_whole_file(const std::string& path);
void write_whole_file(const std::string& path, const void* data, size_t n);
}  // namespace saematch
