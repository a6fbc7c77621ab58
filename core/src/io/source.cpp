#include "saematch/source.h"
#include "saematch/error.h"
#include "saematch/limits.h"
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

namespace {
const char* kind_of(mode_t m) {
  return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket"
       : S_ISCHR(m) || S_ISBLK(m) ? "a device" : "not a plain file";
}
}  // namespace

std::unique_ptr<ByteSource> open_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait forever for a writer. Whatever
  // the path names, it is checked to be a regular file before a byte is read or its size trusted.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) fail(path + ": cannot open file (" + std::strerror(errno) + ")");
  struct stat st;
  if (fstat(fd, &st) != 0) { ::close(fd); fail(path + ": cannot read its size"); }
  if (!S_ISREG(st.st_mode)) { ::close(fd); fail(path + ": not a regular file (it is " + kind_of(st.st_mode) + ")"); }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  auto s = std::make_unique<FileSource>();
  s->name = path;
  s->f = fdopen(fd, "rb");
  if (!s->f) { ::close(fd); fail(path + ": cannot open file"); }
  s->n = uint64_t(st.st_size);
  return s;
}
std::unique_ptr<ByteSource> memory_source(std::vector<uint8_t> bytes, std::string name) {
  auto s = std::make_unique<MemSource>();
  s->b = std::move(bytes); s->name = std::move(name);
  return s;
}
std::vector<uint8_t> read_whole_file(const std::string& path, uint64_t max_bytes) {
  auto s = open_file(path);
  if (s->size() > max_bytes) fail(path + ": file is " + describe_bytes(s->size()) + ", more than the " + describe_bytes(max_bytes) + " expected here");
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
