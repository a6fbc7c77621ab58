// `saematch compare`: SAE Match as configured against no folding, top-1 decoder cosine and an
// encoder + decoder cost on one layer pair (the numbers the app's comparison panel shows).
#include "commands.h"
#include "args.h"
#include "saematch/compare.h"
#include "saematch/loaders.h"
#include "saematch/pack.h"
#include "saematch/pack_thresholds.h"
#include "saematch/parallel.h"
#include "saematch/source.h"
#include <cstdio>

using namespace saematch;

namespace cli {
namespace {
struct Layer { Sae sae; VecF theta; bool has_theta = false; };

// Layer `pos` of a pack's manifest (position in its layer list), read from the shard files.
Layer pack_layer(const std::string& manifest_path, const std::string& pos_text) {
  const auto text = read_whole_file(manifest_path);
  const Json man = Json::parse(std::string(text.begin(), text.end()));
  validate_manifest(man);
  const size_t slash = manifest_path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : manifest_path.substr(0, slash);
  char* end = nullptr;
  const long pos = std::strtol(pos_text.c_str(), &end, 10);
  const auto& layers = man.at("layers").arr;
  if (*end || pos < 0 || size_t(pos) >= layers.size())
    fail("compare --pack: '" + pos_text + "' is not a layer position of this pack (0…" + std::to_string(layers.size() - 1) + ")");
  PackedLayer p{layers[size_t(pos)], {}};
  for (auto& sh : p.entry.at("shards").arr) {
    const auto b = read_whole_file(dir + "/" + sh.at("url").as_str("shard url"));
    p.blob.insert(p.blob.end(), b.begin(), b.end());
  }
  check_layer_bytes(p.entry, p.blob.size(), "layer " + pos_text);
  Layer l;
  l.sae = p.expand();
  l.has_theta = pack_layer_thresholds(p.entry, p.blob, l.theta);
  return l;
}

Layer file_layer(const std::string& path) {
  Layer l;
  const Sae raw = load_sae(path);
  l.sae = fold(raw);
  if (raw.act == Activation::JumpReLU) { l.theta = raw.threshold; l.has_theta = true; }
  return l;
}

Json ints(const std::vector<int>& v) { Json a = Json::array(); for (int x : v) a.push(Json::number(x)); return a; }
}  // namespace

int cmd_compare(int argc, char** argv) {
  Args a(argc, argv, 2, {"cosine", "int8", "no-screen"});
  MatchOptions o;
  o.weights.w_dec = float(a.num("w-dec", 1)); o.weights.w_enc = float(a.num("w-enc", 0)); o.weights.w_b = float(a.num("w-b", 0));
  o.weights.cosine = a.has("cosine"); o.int8 = a.has("int8");
  if (a.has("no-screen")) o.screen = MatchOptions::Screen::Off;
  o.topk = int(a.num("topk", 32)); o.dense_max = int(a.num("dense-max", MatchOptions().dense_max));
  if (o.topk < 1) fail("--topk must be >= 1");
  validate_weights(o.weights);
  set_thread_count(int(a.num("threads", 0)));
  const std::string pack = a.str("pack", ""), out = a.str("out", "");
  a.done();
  if (a.pos.size() != 2) fail("compare takes two SAEs A B (or, with --pack manifest.json, two layer positions)");
  const Layer A = pack.empty() ? file_layer(a.pos[0]) : pack_layer(pack, a.pos[0]);
  const Layer B = pack.empty() ? file_layer(a.pos[1]) : pack_layer(pack, a.pos[1]);
  const MethodComparison c = compare_methods(A.sae, A.has_theta ? &A.theta : nullptr, B.sae, B.has_theta ? &B.theta : nullptr, o);
  Json j = Json::object(), ms = Json::array();
  for (auto& m : c.methods) {
    Json x = Json::object();
    x.set("key", Json::string(m.key)); x.set("name", Json::string(m.name)); x.set("available", Json::boolean(m.available));
    if (!m.available) { x.set("reason", Json::string(m.unavailable_reason)); ms.push(x); std::printf("%-38s unavailable: %s\n", m.name.c_str(), m.unavailable_reason.c_str()); continue; }
    x.set("agreement", Json::number(m.agreement)); x.set("configured_total", Json::number(m.configured_total));
    x.set("collisions", Json::number(m.collisions)); x.set("one_to_one", Json::boolean(m.one_to_one));
    x.set("a_to_b", ints(m.a_to_b));
    ms.push(x);
    std::printf("%-38s agreement %6.2f%%  total configured cost %.6g  collisions %d\n", m.name.c_str(), 100 * m.agreement, m.configured_total, m.collisions);
  }
  j.set("methods", ms);
  j.set("disagree", ints(c.disagree));
  std::printf("%zu of %d features are matched differently by at least one method\n", c.disagree.size(), A.sae.F());
  if (!out.empty()) { const std::string t = j.dump(); write_whole_file(out, t.data(), t.size()); }
  return 0;
}
}  // namespace cli
