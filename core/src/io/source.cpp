#include "saematch/source.h"
#include "saematch/error.h"

namespace saematch {
std::vector<uint8_t> ByteSource::read(uint64_t offset, size_t len) const {
  std::vector<uint8_t> v(len);
  if (len) read(offset, len, v.data());
  return v;
}

namespace {
struct FileSource : ByteSource {
  FILE* f = nullptr; uint64_t n = 0;
  ~FileSource() override { if (f) std::fclose(f); }
  uint64_t size() const override { return n; }
  void read(uint64_t off, size_t len, uint8_t* out) const override {
    if (off > n || len > n - off) fail(name + ": file is truncated (needs bytes up to " + std::to_string(off + len) + ", has " + std::to_string(n) + ")");
    if (fseeko(f, off_t(off), SEEK_SET) != 0 || std::fread(out, 1, len, f) != len) fail(name + ": read error");
  }
};
struct MemSource : ByteSource {
  std::vector<uint8_t> b;
  uint64_t size() const override { return b.size(); }
  void read(uint64_t off, size_t len, uint8_t* out) const override {
    if (off > b.size() || len > b.size() - off) fail(name + ": data is truncated (needs bytes up to " + std::to_string(off + len) + ", has " + std::to_string(b.size()) + ")");
    std::copy(b.begin() + off, b.begin() + off + len, out);
  }
};
}  // namespace

std::unique_ptr<ByteSource> open_file(const std::string& path) {
  auto s = std::make_unique<FileSource>();
  s->name = path;
  s->f = std::fopen(path.c_str(), "rb");
  if (!s->f) fail(path + ": cannot open file");
  if (fseeko(s->f, 0, SEEK_END) != 0) fail(path + ": cannot seek (is it a directory?)");
  off_t n = ftello(s->f);
  if (n < 0) fail(path + ": cannot read size (is it a directory?)");
  s->n = uint64_t(n);
  return s;
}
std::unique_ptr<ByteSource> memory_source(std::vector<uint8_t> bytes, std::string name) {
  auto s = std::make_unique<MemSource>();
  s->b = std::move(bytes); s->name = std::move(name);
  return s;
}
std::vector<uint8_t> read_whole_file(const std::string& path) {
  auto s = open_file(path);
  return s->read(0, size_t(s->size()));
}
void write_whole_file(const std::string& path, const void* data, size_t n) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) fail(path + ": cannot create file");
  bool ok = std::fwrite(data, 1, n, f) == n;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) fail(path + ": write failed (disk full?)");
}
}  // namespace saematch
