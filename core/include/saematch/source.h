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
// Refuses anything but a regular file ("not a regular file (it is a directory)", a FIFO, a
// device) without blocking, so a pipe given as input cannot hang the program.
std::unique_ptr<ByteSource> open_file(const std::string& path);
std::unique_ptr<ByteSource> memory_source(std::vector<uint8_t> bytes, std::string name = "buffer");
// The whole file, refused with a message if it is longer than max_bytes.
std::vector<uint8_t> read_whole_file(const std::string& path, uint64_t max_bytes = uint64_t(2) << 30);
void write_whole_file(const std::string& path, const void* data, size_t n);
}  // namespace saematch
