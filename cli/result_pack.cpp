#include "result_pack.h"
#include "args.h"
#include "saematch/arrays.h"
#include "saematch/chains.h"
#include "saematch/error.h"
#include "saematch/packed_pair.h"
#include "saematch/parallel.h"
#include "saematch/result_pack.h"
#include "saematch/sha256.h"
#include "saematch/source.h"
#include <cstdio>
#include <ctime>
#include <sys/stat.h>

#ifndef SAEMATCH_COMMIT
#define SAEMATCH_COMMIT "unknown"
#endif

using namespace saematch;

namespace cli {
namespace {
constexpr int kNullSamples = 256;        // web/app.js NULL_SAMPLES
constexpr double kNullPercentile = 0.99; // web/persistence.js NULL_PERCENTILE

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return b;
}

// The layers of a pack being written, from its files in memory.
std::vector<PackedLayer> packed_layers(const std::vector<PackFile>& files) {
  const Json man = Json::parse(std::string(files.front().bytes.begin(), files.front().bytes.end()));
  std::vector<PackedLayer> out;
  for (const Json& e : man.at("layers").arr) {
    PackedLayer p{e, {}};
    for (const Json& sh : e.at("shards").arr)
      for (const PackFile& f : files)
        if (f.name == sh.at("url").str) p.blob.insert(p.blob.end(), f.bytes.begin(), f.bytes.end());
    out.push_back(std::move(p));
  }
  return out;
}

// A shard named by a manifest, read from the pack's folder and checked against its digest.
std::vector<uint8_t> read_shard(const std::string& dir, const Json& sh) {
  const std::string& url = sh.at("url").str;
  // Only plain file names next to the manifest: a manifest must not make us read elsewhere.
  if (url.find('/') != std::string::npos || url.find('\\') != std::string::npos || url[0] == '.')
    fail("shard '" + url.substr(0, 60) + "': only plain file names next to manifest.json are read");
  auto b = read_whole_file(dir + "/" + url, uint64_t(sh.at("bytes").num) + 1);
  if (double(b.size()) != sh.at("bytes").num)
    fail(url + ": " + std::to_string(b.size()) + " bytes, the manifest says " + std::to_string(uint64_t(sh.at("bytes").num)) + " (truncated?)");
  if (const Json* d = sh.find("sha256"))
    if (d->is_str() && sha256_hex(b.data(), b.size()) != d->str) fail(url + ": SHA-256 differs from the manifest (file corrupted or replaced)");
  return b;
}

std::vector<uint8_t> read_shards(const std::string& dir, const Json& shards) {
  std::vector<uint8_t> blob;
  for (const Json& sh : shards.arr) {
    const auto b = read_shard(dir, sh);
    blob.insert(blob.end(), b.begin(), b.end());
  }
  return blob;
}
}  // namespace

std::vector<MatchResult> write_result_pack(const std::vector<Sae>& layers, const std::vector<std::vector<std::string>>& labels,
                                           const PackOptions& po, const MatchOptions& o, const std::string& dir) {
  std::vector<PackFile> files = make_pack(layers, labels, po, nullptr);
  const std::vector<PackedLayer> P = packed_layers(files);
  // The app's rule (web/app.js runMatch): the integer kernel only on int8 layers with a
  // decoder-only cost, where it reads exactly the stored integers.
  MatchOptions om = o;
  om.fold = true;
  om.int8 = o.int8 && po.quant == "int8" && o.weights.w_enc == 0 && o.weights.w_b == 0;
  PackResults res;
  res.producer = std::string("saematch 1 (") + SAEMATCH_COMMIT + ")";
  res.created = utc_now();
  res.settings = {om.weights, om.int8, om.gap, om.topk};
  res.null_samples = kNullSamples;
  res.null_percentile = kNullPercentile;
  std::vector<MatchResult> pairs;
  for (size_t l = 0; l < P.size(); ++l) res.norms.push_back(P[l].decoder_norms());
  for (size_t l = 0; l + 1 < P.size(); ++l) {
    HopResult h;
    h.from = int(P[l].entry.at("layer").num); h.to = int(P[l + 1].entry.at("layer").num);
    h.match = match_packed(P[l], P[l + 1], om);
    h.null_scores = null_baseline_packed(P[l], P[l + 1], om.weights, kNullSamples, uint64_t(l + 1)).best_scores;
    h.null_cut = quantile(h.null_scores, kNullPercentile);
    std::printf("layer %zu -> %zu: total cost %.6g (%s), null cut %.4f\n", l, l + 1, h.match.total, h.match.method.c_str(), h.null_cut);
    pairs.push_back(h.match);
    res.hops.push_back(std::move(h));
  }
  add_results_to_pack(files, res, po.max_shard_bytes);
  if (mkdir(dir.c_str(), 0755) != 0) {
    struct stat st;
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) fail(dir + ": cannot create directory");
  }
  size_t total = 0;
  for (auto& f : files) { write_whole_file(dir + "/" + f.name, f.bytes.data(), f.bytes.size()); total += f.bytes.size(); }
  std::printf("wrote a result pack (%zu layers, %zu hops, %zu files, %.1f MiB) to %s\n", P.size(), res.hops.size(), files.size(), double(total) / 1048576.0, dir.c_str());
  return pairs;
}

int cmd_verify_pack(int argc, char** argv) {
  Args a(argc, argv, 2, {});
  const double hop_arg = a.num("hop", -1);
  set_thread_count(int(a.num("threads", 0)));
  a.done();
  if (a.pos.size() != 1) fail("verify-pack takes one result pack: a folder (or its manifest.json)");
  std::string dir = a.pos[0];
  const std::string tail = "/manifest.json";
  if (dir.size() >= tail.size() && dir.compare(dir.size() - tail.size(), tail.size(), tail) == 0) dir.resize(dir.size() - tail.size());
  const auto text = read_whole_file(dir + "/manifest.json", uint64_t(64) << 20);
  Json man;
  try { man = Json::parse(std::string(text.begin(), text.end())); } catch (const Error& e) { fail(dir + "/manifest.json: " + e.what()); }
  validate_manifest(man);
  if (!man.find("results")) fail(dir + ": this pack has no results (make one with saematch chain ... --pack DIR)");
  const std::vector<uint8_t> rblob = read_shards(dir, man.at("results").at("shards"));
  const PackResults res = read_results(man, rblob.data(), rblob.size());
  const auto& layers = man.at("layers").arr;
  const int hops = int(res.hops.size());
  if (hop_arg != -1 && !(hop_arg >= 0 && hop_arg < hops && hop_arg == double(int(hop_arg))))
    fail("--hop must be a hop index 0.." + std::to_string(hops - 1));
  MatchOptions o;
  o.weights = res.settings.weights;
  o.int8 = res.settings.int8;
  o.fold = true;
  int passed = 0;
  for (int k = (hop_arg < 0 ? 0 : int(hop_arg)); k < (hop_arg < 0 ? hops : int(hop_arg) + 1); ++k) {
    const HopResult& h = res.hops[size_t(k)];
    PackedLayer A{layers[size_t(k)], read_shards(dir, layers[size_t(k)].at("shards"))};
    PackedLayer B{layers[size_t(k) + 1], read_shards(dir, layers[size_t(k) + 1].at("shards"))};
    check_layer_bytes(A.entry, A.blob.size(), "layer " + std::to_string(k));
    check_layer_bytes(B.entry, B.blob.size(), "layer " + std::to_string(k + 1));
    DualCertificate c{h.match.a_to_b, h.match.u, h.match.v, h.match.total, h.match.certified ? 0.0 : h.match.gap_budget};
    const VerifyReport r = verify_packed(A, B, c, o);
    const std::string what = "hop " + std::to_string(k) + " (layer " + std::to_string(h.from) + " -> " + std::to_string(h.to) + ")";
    if (!r.passed) fail(what + " fails verification: " + r.reason);
    std::printf("%s: passed, %lld pairs checked (%lld priced exactly), worst reduced cost %.3g, tolerance %.3g, proven gap %.3g%%\n", what.c_str(),
                (long long)r.pairs_checked, (long long)r.exact_pairs, r.worst_reduced_cost, r.tolerance, 100 * r.proven_gap);
    ++passed;
  }
  std::printf("%d of %d hops verified from their duals\n", passed, hop_arg < 0 ? hops : 1);
  return 0;
}
}  // namespace cli
