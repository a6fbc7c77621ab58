// Mutation fuzzing of the loaders: every mutated fixture must either load or raise
// saematch::Error. Anything else (another exception, a sanitizer report, a crash) fails.
// Usage: fuzz_loaders CASES SEED FILE...
#include "saematch/arrays.h"
#include "saematch/error.h"
#include "saematch/loaders.h"
#include "saematch/pack.h"
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

using namespace saematch;

static bool ends_with(const std::string& s, const char* e) {
  std::string x(e);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

static void load_any(const std::string& kind, std::vector<uint8_t> b) {
  if (kind == "npz") { load_gemmascope_npz(*memory_source(std::move(b), "fuzz.npz")); return; }
  if (kind == "safetensors") { load_saelens(nullptr, *memory_source(std::move(b), "fuzz.safetensors")); return; }
  if (kind == "npy") { parse_npy(b.data(), b.size(), "fuzz.npy"); return; }
  std::string text(b.begin(), b.end());
  if (kind == "json") { parse_saelens_config(text); return; }
  validate_manifest(Json::parse(text));
}

int main(int argc, char** argv) {
  if (argc < 4) { std::fprintf(stderr, "usage: fuzz_loaders CASES SEED FILE...\n"); return 2; }
  long cases = std::atol(argv[1]);
  std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));
  std::vector<std::pair<std::string, std::vector<uint8_t>>> seeds;
  for (int i = 3; i < argc; ++i) {
    std::string p = argv[i];
    std::string kind = ends_with(p, ".npz") ? "npz" : ends_with(p, ".safetensors") ? "safetensors" : ends_with(p, ".npy") ? "npy"
                     : ends_with(p, "manifest.json") ? "manifest" : "json";
    seeds.push_back({kind, read_whole_file(p)});
  }
  long ok = 0, rejected = 0, bad = 0;
  for (long c = 0; c < cases; ++c) {
    auto& s = seeds[size_t(rng() % seeds.size())];
    std::vector<uint8_t> b = s.second;
    int op = int(rng() % 4);
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
    try { load_any(s.first, std::move(b)); ++ok; }
    catch (const Error&) { ++rejected; }
    catch (const std::exception& e) { ++bad; std::fprintf(stderr, "case %ld (%s): unexpected %s\n", c, s.first.c_str(), e.what()); }
  }
  std::printf("fuzz: %ld cases, %ld loaded, %ld rejected with a clear error, %ld unexpected\n", cases, ok, rejected, bad);
  return bad ? 1 : 0;
}
