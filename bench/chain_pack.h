#pragma once
// Benchmark only: writes a ClusteredChain as a saematch pack (manifest.json + shards, through
// the core's make_pack, one layer at a time so a 26 x 65k chain never sits in memory whole)
// and instance.json with each hop's statistics. manifest.json is written last: a directory
// without it is an unfinished pack.
#include "clustered_chain.h"
#include "instance_stats.h"
#include "saematch/pack.h"
#include "saematch/source.h"
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace bench {
struct ChainPackOptions {
  std::string dir, title, instance, quant = "int8";
  int layers = 26;
  int stats_samples = 256;  // rows of A per hop for the cosine statistics
};

// One chain layer as a ReLU SAE (nothing to fold): the decoder rows, the encoder their unit
// directions, zero biases.
inline saematch::Sae layer_sae(const MatF& rows, int layer) {
  saematch::Sae s;
  s.act = saematch::Activation::ReLU;
  s.W_dec = rows;
  s.W_enc = unit_rows(rows).transpose();
  s.b_enc = VecF::Zero(rows.rows());
  s.b_dec = VecF::Zero(rows.cols());
  s.meta.layer = layer;
  s.meta.hook = "blocks." + std::to_string(layer) + ".hook_resid_post";
  s.meta.model = "synthetic clustered";
  return s;
}

// make_pack of one layer, its shards renamed for position `l` and written; returns its entry.
inline saematch::Json write_layer(const MatF& rows, int l, const ChainPackOptions& o, saematch::Json* head) {
  using saematch::Json;
  saematch::PackOptions po;
  po.quant = o.quant; po.title = o.title; po.model = "synthetic clustered"; po.hook = "resid_post";
  auto files = make_pack({layer_sae(rows, l)}, {}, po);
  Json man = Json::parse(std::string(files[0].bytes.begin(), files[0].bytes.end()));
  Json entry = man.at("layers").arr.at(0), shards = entry.at("shards");
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "layer%02d.", l);
  for (size_t k = 1; k < files.size(); ++k) {
    const std::string name = prefix + std::to_string(k - 1) + ".bin";
    saematch::write_whole_file(o.dir + "/" + name, files[k].bytes.data(), files[k].bytes.size());
    shards.arr.at(k - 1).set("url", Json::string(name));
  }
  entry.set("shards", shards);
  entry.set("index", Json::number(l));
  if (head) *head = man;
  return entry;
}

// Writes o.layers layers of `chain` (its current layer first); prints progress on stderr.
inline void write_chain_pack(ClusteredChain& chain, const ChainPackOptions& o, const std::string& options_json) {
  using saematch::Json;
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  std::filesystem::create_directories(o.dir);
  std::filesystem::remove(o.dir + "/manifest.json");
  Json head, layers = Json::array();
  std::string hops;
  for (int l = 0; l < o.layers; ++l) {
    if (l > 0) {
      MatF prev = chain.rows();
      chain.next();
      int continuing = 0;
      for (int t : chain.truth()) continuing += t >= 0;
      hops += std::string(hops.empty() ? "" : ",") + "{\"hop\":" + std::to_string(l - 1) + ",\"continuing\":" +
              std::to_string(double(continuing) / double(prev.rows())) + "," + instance_stats(prev, chain.rows(), o.stats_samples) + "}";
    }
    layers.push(write_layer(chain.rows(), l, o, l == 0 ? &head : nullptr));
    std::fprintf(stderr, "[%6.1f s] layer %d of %d written\n", std::chrono::duration<double>(Clock::now() - t0).count(), l + 1, o.layers);
  }
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const std::string inst = "{\"instance\":\"" + o.instance + "\",\"layers\":" + std::to_string(o.layers) + "," + options_json +
                           ",\"generate_seconds\":" + std::to_string(secs) + ",\"hops\":[" + hops + "]}\n";
  saematch::write_whole_file(o.dir + "/instance.json", inst.data(), inst.size());
  head.set("layers", layers);
  const std::string text = head.dump();
  saematch::write_whole_file(o.dir + "/manifest.json", text.data(), text.size());
  std::printf("%s", inst.c_str());
}
}  // namespace bench
