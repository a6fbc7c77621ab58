#include "saematch/arrays.h"
#include "saematch/error.h"
#include "saematch/half.h"
#include <algorithm>
#include <cmath>
#include <cstring>

namespace saematch {
std::string Tensor::shape_str() const {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

size_t dtype_size(DType t) { return t == DType::F32 ? 4 : t == DType::F64 ? 8 : 2; }

void decode_elements(DType t, bool big, const uint8_t* s, size_t n, float* d) {
  size_t w = dtype_size(t);
  uint8_t tmp[8];
  for (size_t i = 0; i < n; ++i, s += w) {
    const uint8_t* e = s;
    if (big) { for (size_t k = 0; k < w; ++k) tmp[k] = s[w - 1 - k]; e = tmp; }
    switch (t) {
      case DType::F32: std::memcpy(&d[i], e, 4); break;
      case DType::F64: { double v; std::memcpy(&v, e, 8); d[i] = float(v); break; }
      case DType::F16: d[i] = half_to_float(uint16_t(e[0] | e[1] << 8)); break;
      case DType::BF16: d[i] = bf16_to_float(uint16_t(e[0] | e[1] << 8)); break;
    }
  }
}

uint64_t checked_numel(const std::vector<int64_t>& shape, const std::string& what) {
  const uint64_t cap = uint64_t(1) << 34;  // 16 G elements: far beyond any SAE, and no overflow below
  uint64_t n = 1;
  for (int64_t s : shape) {
    if (s < 0) fail(what + ": negative dimension in shape");
    if (s > 0 && n > cap / uint64_t(s)) fail(what + ": shape is implausibly large");
    n *= uint64_t(s);
  }
  return n;
}

namespace {
// The .npy header is a Python dict literal; parse just the three keys we need.
struct NpyHeader { std::string descr; bool fortran = false; std::vector<int64_t> shape; };
NpyHeader parse_npy_dict(const std::string& h, const std::string& what) {
  NpyHeader r;
  auto key = [&](const char* k) -> size_t {
    size_t p = h.find(std::string("'") + k + "'");
    if (p == std::string::npos) fail(what + ": .npy header lacks '" + k + "'");
    p = h.find(':', p);
    if (p == std::string::npos) fail(what + ": malformed .npy header");
    p++;
    while (p < h.size() && h[p] == ' ') ++p;
    return p;
  };
  size_t p = key("descr");
  if (p >= h.size() || (h[p] != '\'' && h[p] != '"')) fail(what + ": .npy descr is not a simple type (structured arrays are not supported)");
  size_t q = h.find(h[p], p + 1);
  if (q == std::string::npos) fail(what + ": malformed .npy header");
  r.descr = h.substr(p + 1, q - p - 1);
  p = key("fortran_order");
  if (h.compare(p, 4, "True") == 0) r.fortran = true;
  else if (h.compare(p, 5, "False") != 0) fail(what + ": malformed fortran_order in .npy header");
  p = key("shape");
  if (p >= h.size() || h[p] != '(') fail(what + ": malformed shape in .npy header");
  q = h.find(')', p);
  if (q == std::string::npos) fail(what + ": malformed shape in .npy header");
  std::string body = h.substr(p + 1, q - p - 1);
  size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && (body[i] == ' ' || body[i] == ',')) ++i;
    if (i >= body.size()) break;
    size_t j = i;
    while (j < body.size() && body[j] >= '0' && body[j] <= '9') ++j;
    if (j == i || j - i > 15) fail(what + ": bad dimension in .npy shape");
    r.shape.push_back(std::stoll(body.substr(i, j - i)));
    i = j;
    while (i < body.size() && body[i] == 'L') ++i;
  }
  return r;
}
}  // namespace

Tensor parse_npy(const uint8_t* p, size_t n, const std::string& what, const LoadLimits& lim) {
  static const uint8_t magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (n < 10 || std::memcmp(p, magic, 6) != 0) fail(what + ": not a .npy array (bad magic)");
  int major = p[6];
  size_t hlen, hstart;
  if (major == 1) { hlen = p[8] | p[9] << 8; hstart = 10; }
  else if (major == 2 || major == 3) {
    if (n < 12) fail(what + ": truncated .npy header");
    hlen = size_t(p[8]) | size_t(p[9]) << 8 | size_t(p[10]) << 16 | size_t(p[11]) << 24; hstart = 12;
  } else fail(what + ": unsupported .npy version " + std::to_string(major));
  if (hlen > n - hstart) fail(what + ": truncated .npy header");
  NpyHeader h = parse_npy_dict(std::string(reinterpret_cast<const char*>(p + hstart), hlen), what);
  DType t; bool big = false;
  std::string d = h.descr;
  char order = d.empty() ? '?' : d[0];
  std::string code = (order == '<' || order == '>' || order == '|' || order == '=') ? d.substr(1) : d;
  big = order == '>';
  if (code == "f4") t = DType::F32;
  else if (code == "f2") t = DType::F16;
  else if (code == "f8") t = DType::F64;
  else if (code == "V2" || d == "bfloat16") t = DType::BF16;  // ml_dtypes bfloat16 saves as 2-byte void
  else fail(what + ": unsupported dtype '" + d + "' (need float32, float16, bfloat16 or float64)");
  Tensor out;
  out.shape = h.shape;
  uint64_t numel = checked_numel(h.shape, what);
  size_t start = hstart + hlen;
  if ((n - start) / dtype_size(t) < numel)
    fail(what + ": truncated .npy data (shape " + out.shape_str() + " needs " + std::to_string(numel * dtype_size(t)) + " bytes, has " + std::to_string(n - start) + ")");
  check_size_claim(numel * 4, lim, what);  // as float32 (numel <= 2^34, no overflow)
  out.data.resize(size_t(numel));
  decode_elements(t, big, p + start, size_t(numel), out.data.data());
  if (h.fortran && h.shape.size() > 1) {
    if (h.shape.size() != 2) fail(what + ": Fortran-order arrays with more than 2 dimensions are not supported");
    size_t r = size_t(h.shape[0]), c = size_t(h.shape[1]);
    std::vector<float> cdata(out.data.size());
    for (size_t j = 0; j < c; ++j)
      for (size_t i = 0; i < r; ++i) cdata[i * c + j] = out.data[j * r + i];
    out.data.swap(cdata);
  }
  return out;
}

std::vector<uint8_t> write_npy(const Tensor& t) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < t.shape.size(); ++i) dict += std::to_string(t.shape[i]) + (t.shape.size() == 1 ? "," : i + 1 < t.shape.size() ? ", " : "");
  dict += "), }";
  while ((10 + dict.size() + 1) % 64) dict += ' ';
  dict += '\n';
  std::vector<uint8_t> o = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, uint8_t(dict.size() & 0xff), uint8_t(dict.size() >> 8)};
  o.insert(o.end(), dict.begin(), dict.end());
  const uint8_t* b = reinterpret_cast<const uint8_t*>(t.data.data());
  o.insert(o.end(), b, b + t.data.size() * 4);
  return o;
}

uint64_t safetensors_header_length(const uint8_t* p, uint64_t file_size) {
  if (file_size < 8) fail("not a safetensors file (too short)");
  uint64_t len = 0;
  for (int k = 7; k >= 0; --k) len = len << 8 | p[k];
  if (len > 100u << 20) fail("not a safetensors file (header length " + std::to_string(len) + " is implausible)");
  if (8 + len > file_size) fail("safetensors file is truncated inside its header");
  return len;
}

namespace {
// A JSON number that must be an exact non-negative integer no larger than `max` (doubles hold
// integers exactly only up to 2^53; anything past `max` is refused before any cast).
uint64_t json_uint(const Json& v, uint64_t max, const std::string& what) {
  if (!v.is_num() || !(v.num >= 0) || v.num != std::floor(v.num) || v.num > double(max))
    fail(what + " must be an integer in 0.." + std::to_string(max));
  return uint64_t(v.num);
}
}  // namespace

SafetensorsHeader parse_safetensors_header(const std::string& text, uint64_t file_size, const LoadLimits& lim) {
  SafetensorsHeader h;
  h.data_start = 8 + text.size();
  if (h.data_start > file_size) fail("safetensors file is truncated inside its header");
  const uint64_t data_size = file_size - h.data_start;
  Json j;
  try { j = Json::parse(text); } catch (const Error& e) { fail(std::string("not a safetensors file: header is not JSON (") + e.what() + ")"); }
  if (j.type != Json::Object) fail("not a safetensors file: header is not a JSON object");
  std::vector<std::pair<SafetensorsInfo, std::string>> ranges;
  for (auto& kv : j.obj) {
    if (kv.first == "__metadata__") { h.metadata = kv.second; continue; }
    const std::string what = "safetensors tensor '" + kv.first + "'";
    if (kv.second.type != Json::Object) fail(what + " is not described by an object");
    SafetensorsInfo info;
    const std::string& dt = kv.second.at("dtype").as_str(what + " dtype");
    if (dt == "F32") info.dtype = DType::F32; else if (dt == "F16") info.dtype = DType::F16;
    else if (dt == "BF16") info.dtype = DType::BF16; else if (dt == "F64") info.dtype = DType::F64;
    else fail(what + " has unsupported dtype " + dt);
    const Json& shape = kv.second.at("shape");
    if (shape.type != Json::Array || shape.arr.size() > 8) fail(what + ": shape must be a list of at most 8 dimensions");
    for (auto& s : shape.arr) info.shape.push_back(int64_t(json_uint(s, uint64_t(1) << 40, what + " shape")));
    const Json& offs = kv.second.at("data_offsets");
    if (offs.type != Json::Array || offs.arr.size() != 2) fail(what + ": data_offsets must have two numbers");
    // Offsets are relative to the data section and compared with its real length, never added
    // to anything first, so no value (up to 2^53, all a double holds exactly) can wrap around.
    info.begin = json_uint(offs.arr[0], uint64_t(1) << 53, what + " data_offsets");
    info.end = json_uint(offs.arr[1], uint64_t(1) << 53, what + " data_offsets");
    if (info.end < info.begin) fail(what + ": data_offsets end before they begin");
    if (info.end > data_size)
      fail(what + " lies past the end of the file (bytes " + std::to_string(info.begin) + ".." + std::to_string(info.end) + " of a " +
           std::to_string(data_size) + "-byte data section; truncated download?)");
    uint64_t numel = checked_numel(info.shape, what);
    if (info.end - info.begin != numel * dtype_size(info.dtype)) fail(what + ": byte range does not match its shape");
    check_size_claim(numel * 4, lim, what);
    ranges.push_back({info, kv.first});
    h.tensors[kv.first] = info;
  }
  // Tensors must not share bytes (the format forbids it; overlapping ranges mean a forged header).
  std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) { return a.first.begin < b.first.begin; });
  size_t widest = 0;  // among the tensors so far, the one reaching furthest
  for (size_t k = 1; k < ranges.size(); ++k) {
    const SafetensorsInfo& cur = ranges[k].first;
    if (cur.end > cur.begin && cur.begin < ranges[widest].first.end)
      fail("safetensors tensors '" + ranges[widest].second + "' and '" + ranges[k].second + "' overlap");
    if (cur.end > ranges[widest].first.end) widest = k;
  }
  return h;
}

Tensor safetensors_tensor(const SafetensorsInfo& info, const uint8_t* data, size_t n, const std::string& what) {
  Tensor t; t.shape = info.shape;
  uint64_t numel = checked_numel(info.shape, what);
  if (n < numel * dtype_size(info.dtype)) fail(what + ": truncated data");
  t.data.resize(size_t(numel));
  decode_elements(info.dtype, false, data, size_t(numel), t.data.data());
  return t;
}

std::vector<uint8_t> write_safetensors(const std::vector<std::pair<std::string, Tensor>>& ts, DType dtype, const Json& metadata) {
  Json hdr = Json::object();
  if (metadata.type == Json::Object) hdr.set("__metadata__", metadata);
  std::vector<uint8_t> data;
  for (auto& kv : ts) {
    Json e = Json::object();
    e.set("dtype", Json::string(dtype == DType::F32 ? "F32" : dtype == DType::F16 ? "F16" : dtype == DType::BF16 ? "BF16" : "F64"));
    Json shape = Json::array();
    for (auto s : kv.second.shape) shape.push(Json::number(double(s)));
    e.set("shape", shape);
    Json offs = Json::array();
    offs.push(Json::number(double(data.size())));
    for (float v : kv.second.data) {
      if (dtype == DType::F32) { uint8_t b[4]; std::memcpy(b, &v, 4); data.insert(data.end(), b, b + 4); }
      else if (dtype == DType::F64) { double dv = v; uint8_t b[8]; std::memcpy(b, &dv, 8); data.insert(data.end(), b, b + 8); }
      else { uint16_t h = dtype == DType::F16 ? float_to_half(v) : float_to_bf16(v); data.push_back(h & 0xff); data.push_back(h >> 8); }
    }
    offs.push(Json::number(double(data.size())));
    e.set("data_offsets", offs);
    hdr.set(kv.first, e);
  }
  std::string text = hdr.dump();
  while (text.size() % 8) text += ' ';
  std::vector<uint8_t> o(8);
  for (int k = 0; k < 8; ++k) o[k] = uint8_t(uint64_t(text.size()) >> (8 * k));
  o.insert(o.end(), text.begin(), text.end());
  o.insert(o.end(), data.begin(), data.end());
  return o;
}
}  // namespace saematch
