// Mutation fuzzing of the loaders: every mutated fixture must either load or raise
// saematch::Error. Anything else (another exception, a sanitizer report, a crash) fails.
// Besides blind byte mutations, structured ones rewrite the fields a hostile file would forge:
// safetensors data_offsets and shapes (near 2^64, negative, overlapping, reversed, huge), pack
// manifest claims (F, d_model, layer ids, blob_bytes, shard and array sizes; a result pack's
// hops, arrays, shards and norms), ZIP directory
// sizes and ZIP64 fields, gzip trailers.
// Usage: fuzz_loaders CASES SEED FILE...
#include "saematch/arrays.h"
#include "saematch/error.h"
#include "saematch/gzip.h"
#include "saematch/loaders.h"
#include "saematch/neuronpedia.h"
#include "saematch/pack.h"
#include "saematch/result_pack.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

using namespace saematch;

namespace {
bool ends_with(const std::string& s, const char* e) {
  std::string x(e);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

// Numbers a forged header would use: around 2^64, 2^63, 2^53, 2^32, negative, fractional, zero.
Json edge_number(std::mt19937_64& rng) {
  static const double v[] = {18446744073709551615.0, 18446744073709551600.0, 9223372036854775808.0, 9007199254740993.0,
                             9007199254740992.0, 4294967296.0, 4294967295.0, 2147483648.0, 1e300, -1, -8, -1e300, 0.5, 0, 1, 8, 16, 65536,
                             16777217, 1e12, std::nan("")};
  return Json::number(v[rng() % (sizeof v / sizeof v[0])]);
}
Json edge_value(std::mt19937_64& rng) {
  switch (rng() % 6) {
    case 0: return Json::string("12-gemmascope-res-16k/../x");
    case 1: return Json::string("");
    case 2: return Json::array();
    case 3: return Json();  // null
    default: return edge_number(rng);
  }
}

// safetensors: rewrite one tensor's data_offsets / shape / dtype in the header, keep the data.
std::vector<uint8_t> mutate_safetensors(const std::vector<uint8_t>& b, std::mt19937_64& rng) {
  if (b.size() < 8) return b;
  uint64_t hl = 0;
  for (int k = 7; k >= 0; --k) hl = hl << 8 | b[size_t(k)];
  if (hl > b.size() - 8) return b;
  Json h = Json::parse(std::string(b.begin() + 8, b.begin() + 8 + long(hl)));
  std::vector<Json*> ts;
  for (auto& kv : h.obj) if (kv.first != "__metadata__") ts.push_back(&kv.second);
  if (ts.empty()) return b;
  Json& t = *ts[rng() % ts.size()];
  Json& offs = t.set("data_offsets", t.at("data_offsets"));
  switch (rng() % 6) {
    case 0: offs.arr[rng() % 2] = edge_number(rng); break;
    case 1: offs.arr[0] = edge_number(rng); offs.arr[1] = Json::number(offs.arr[0].num + 16); break;  // wraps if added
    case 2: { Json other = ts[rng() % ts.size()]->at("data_offsets"); offs = other; break; }  // overlap another tensor
    case 3: std::swap(offs.arr[0], offs.arr[1]); break;  // reversed
    case 4: { Json& sh = t.set("shape", t.at("shape")); if (!sh.arr.empty()) sh.arr[rng() % sh.arr.size()] = edge_number(rng); else sh.push(edge_number(rng)); break; }
    default: t.set(rng() % 2 ? "dtype" : "shape", edge_value(rng)); break;
  }
  std::string text = h.dump();
  std::vector<uint8_t> o(8);
  for (int k = 0; k < 8; ++k) o[size_t(k)] = uint8_t(uint64_t(text.size()) >> (8 * k));
  o.insert(o.end(), text.begin(), text.end());
  o.insert(o.end(), b.begin() + 8 + long(hl), b.end());
  return o;
}

// Result pack: forge one claim of manifest.results (a hop's layers, sizes or numbers, one of
// its arrays' offset, dtype or count, a shard's size or digest, the norms, blob_bytes).
void mutate_results(Json& r, std::mt19937_64& rng) {
  Json& hops = r.set("hops", r.at("hops"));
  switch (rng() % 6) {
    case 0: if (!hops.arr.empty()) {
      static const char* k[] = {"from", "to", "FA", "FB", "total", "gap_bound", "gap_budget", "null_cut", "certified", "method"};
      hops.arr[rng() % hops.arr.size()].set(k[rng() % 10], rng() % 4 ? edge_number(rng) : edge_value(rng));
    } break;
    case 1: if (!hops.arr.empty()) {
      Json& h = hops.arr[rng() % hops.arr.size()];
      Json& as = h.set("arrays", h.at("arrays"));
      Json& a = as.obj[rng() % as.obj.size()].second;
      static const char* k[] = {"offset", "count", "dtype"};
      const char* key = k[rng() % 3];
      a.set(key, key[0] == 'd' ? Json::string(rng() % 2 ? "int32" : "float16") : edge_number(rng));
    } break;
    case 2: { Json& sh = r.set("shards", r.at("shards")); if (!sh.arr.empty()) sh.arr[rng() % sh.arr.size()].set(rng() % 2 ? "bytes" : "sha256", edge_value(rng)); break; }
    case 3: { Json& n = r.set("norms", r.at("norms")); if (!n.arr.empty()) { Json& x = n.arr[rng() % n.arr.size()]; if (rng() % 2) x.set("layer", edge_number(rng)); else n.arr.pop_back(); } break; }
    case 4: if (!hops.arr.empty()) { if (rng() % 2) hops.arr.pop_back(); else std::swap(hops.arr.front(), hops.arr.back()); } break;
    default: r.set(rng() % 2 ? "blob_bytes" : "settings", edge_value(rng)); break;
  }
}

// Pack manifest: forge one claim of one layer (or of the pack, or of its results).
std::vector<uint8_t> mutate_manifest(const std::vector<uint8_t>& b, std::mt19937_64& rng) {
  Json m = Json::parse(std::string(b.begin(), b.end()));
  if (m.find("results") && rng() % 2) {
    mutate_results(m.set("results", m.at("results")), rng);
    std::string t = m.dump();
    return std::vector<uint8_t>(t.begin(), t.end());
  }
  Json& layers = m.set("layers", m.at("layers"));
  Json& e = layers.arr[rng() % layers.arr.size()];
  static const char* layer_keys[] = {"F", "d_model", "layer", "blob_bytes", "labels_count", "topk", "activation", "labels"};
  switch (rng() % 5) {
    case 0: e.set(layer_keys[rng() % 8], rng() % 4 ? edge_number(rng) : edge_value(rng)); break;
    case 1: { Json& sh = e.set("shards", e.at("shards")); if (!sh.arr.empty()) sh.arr[rng() % sh.arr.size()].set("bytes", edge_number(rng)); break; }
    case 2: { Json& as = e.set("arrays", e.at("arrays")); static const char* k[] = {"rows", "cols", "offset", "bytes"};
              as.arr[rng() % as.arr.size()].set(k[rng() % 4], edge_number(rng)); break; }
    case 3: { Json& as = e.set("arrays", e.at("arrays")); as.arr[rng() % as.arr.size()].set("encoding", Json::string(rng() % 2 ? "fp16" : "int4")); break; }
    default: m.set(rng() % 2 ? "d_model" : "version", edge_value(rng)); break;
  }
  std::string t = m.dump();
  return std::vector<uint8_t>(t.begin(), t.end());
}

// ZIP: forge the sizes, method or offset of one central-directory entry, or a ZIP64 field.
std::vector<uint8_t> mutate_zip(std::vector<uint8_t> b, std::mt19937_64& rng) {
  std::vector<size_t> cds;
  for (size_t k = 0; k + 46 <= b.size(); ++k) if (b[k] == 0x50 && b[k + 1] == 0x4b && b[k + 2] == 1 && b[k + 3] == 2) cds.push_back(k);
  if (cds.empty()) return b;
  size_t h = cds[rng() % cds.size()];
  static const uint32_t v32[] = {0xffffffffu, 0xf0000000u, 0x80000000u, 0x7fffffffu, 1u << 20, 0};
  auto put32 = [&](size_t at, uint32_t v) { for (int k = 0; k < 4; ++k) b[at + size_t(k)] = uint8_t(v >> (8 * k)); };
  switch (rng() % 4) {
    case 0: put32(h + 24, v32[rng() % 6]); b[h + 10] = 8; break;        // claimed size, deflated
    case 1: put32(h + 20, v32[rng() % 6]); break;                      // compressed size
    case 2: put32(h + 42, v32[rng() % 6]); break;                      // local header offset
    default: {                                                          // a ZIP64 extra field value
      size_t nl = size_t(b[h + 28] | b[h + 29] << 8), xl = size_t(b[h + 30] | b[h + 31] << 8);
      if (xl >= 12 && h + 46 + nl + xl <= b.size()) {
        size_t at = h + 46 + nl + 4 + 8 * (rng() % ((xl - 4) / 8));
        uint64_t v = rng() % 2 ? ~uint64_t(0) - (rng() % 64) : uint64_t(1) << (32 + rng() % 32);
        for (int k = 0; k < 8; ++k) b[at + size_t(k)] = uint8_t(v >> (8 * k));
      }
    }
  }
  return b;
}

void load_any(const std::string& kind, std::vector<uint8_t> b) {
  if (kind == "npz") { load_gemmascope_npz(*memory_source(std::move(b), "fuzz.npz")); return; }
  if (kind == "safetensors") { load_saelens(nullptr, *memory_source(std::move(b), "fuzz.safetensors")); return; }
  if (kind == "npy") { parse_npy(b.data(), b.size(), "fuzz.npy"); return; }
  if (kind == "gz") {
    auto text = gunzip(b.data(), b.size(), LoadLimits(), "fuzz.gz");
    NeuronpediaExplanations np("synthetic", "res-test", {0, 1}, {256, 16});
    np.add_jsonl(std::string(text.begin(), text.end()));
    np.labels();
    return;
  }
  std::string text(b.begin(), b.end());
  if (kind == "json") { parse_saelens_config(text); return; }
  Json m = Json::parse(text);
  validate_manifest(m);
  // A manifest that passes: its layers must also survive being expanded from a blob of the
  // claimed size (bounded here so the fuzzer itself stays small).
  for (auto& e : m.at("layers").arr) {
    const double n = e.at("blob_bytes").num;
    if (n > (1 << 20)) continue;
    PackedLayer p{e, std::vector<uint8_t>(size_t(n), 0x11)};
    p.expand();
    p.decoder_norms();
  }
  // Results that pass: read them from a blob of the claimed size (bounded likewise), so the
  // value checks (a_to_b range, one-to-one, NaN) meet hostile bytes too.
  if (const Json* r = m.find("results")) {
    const double n = r->at("blob_bytes").num;
    if (n <= (1 << 20)) {
      std::vector<uint8_t> blob(size_t(n), 0);
      for (size_t k = 0; k < blob.size(); ++k) blob[k] = uint8_t(k * 131 >> 3);
      read_results(m, blob.data(), blob.size());
    }
  }
}

std::vector<uint8_t> mutate(const std::string& kind, std::vector<uint8_t> b, std::mt19937_64& rng) {
  int op = int(rng() % 6);
  if (op >= 4) {  // structured
    try {
      if (kind == "safetensors") return mutate_safetensors(b, rng);
      if (kind == "manifest") return mutate_manifest(b, rng);
      if (kind == "npz") return mutate_zip(std::move(b), rng);
    } catch (const Error&) { return b; }  // a seed that does not parse this way: fall back to bytes
    op = int(rng() % 4);
  }
  if (op == 0 && !b.empty()) b.resize(size_t(rng() % b.size()));               // truncate
  else if (op == 1) for (int k = 0; k < 1 + int(rng() % 8) && !b.empty(); ++k) b[size_t(rng() % b.size())] = uint8_t(rng());  // flip bytes
  else if (op == 2 && b.size() > 16) {                                          // overwrite a header-ish field with extremes
    size_t at = size_t(rng() % std::min<size_t>(b.size() - 8, 4096));
    uint64_t v = (rng() & 1) ? ~uint64_t(0) : (uint64_t(1) << (rng() % 64));
    for (int k = 0; k < 8; ++k) b[at + size_t(k)] = uint8_t(v >> (8 * k));
  } else if (!b.empty()) {                                                      // splice the tail back in
    size_t at = size_t(rng() % b.size());
    b.insert(b.begin() + long(at), b.end() - long(std::min<size_t>(b.size() - at, 64)), b.end());
  }
  return b;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) { std::fprintf(stderr, "usage: fuzz_loaders CASES SEED FILE...\n"); return 2; }
  long cases = std::atol(argv[1]);
  std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));
  std::vector<std::pair<std::string, std::vector<uint8_t>>> seeds;
  for (int i = 3; i < argc; ++i) {
    std::string p = argv[i];
    std::string kind = ends_with(p, ".npz") ? "npz" : ends_with(p, ".safetensors") ? "safetensors" : ends_with(p, ".npy") ? "npy"
                     : ends_with(p, ".gz") ? "gz" : ends_with(p, "manifest.json") ? "manifest" : "json";
    seeds.push_back({kind, read_whole_file(p)});
  }
  long ok = 0, rejected = 0, bad = 0;
  for (long c = 0; c < cases; ++c) {
    auto& s = seeds[size_t(rng() % seeds.size())];
    std::vector<uint8_t> b = mutate(s.first, s.second, rng);
    try { load_any(s.first, std::move(b)); ++ok; }
    catch (const Error&) { ++rejected; }
    catch (const std::exception& e) { ++bad; std::fprintf(stderr, "case %ld (%s): unexpected %s\n", c, s.first.c_str(), e.what()); }
  }
  std::printf("fuzz: %ld cases, %ld loaded, %ld rejected with a clear error, %ld unexpected\n", cases, ok, rejected, bad);
  return bad ? 1 : 0;
}
