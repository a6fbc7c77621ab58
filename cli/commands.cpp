#include "commands.h"
#include "args.h"
#include "result_pack.h"
#include "saematch/arrays.h"
#include "saematch/chains.h"
#include "saematch/layerskip.h"
#include "saematch/loaders.h"
#include "saematch/neuronpedia.h"
#include "saematch/pack.h"
#include "saematch/permutation.h"
#include "saematch/parallel.h"
#include "saematch/synth.h"
#include "saematch/zip.h"
#include <chrono>
#include <cstdio>
#include <sys/stat.h>

using namespace saematch;

namespace cli {
namespace {
const std::set<std::string> kFlags = {"cosine", "no-fold", "direct", "pack", "quiet", "int8", "screen", "no-screen"};

MatchOptions match_options(Args& a) {
  MatchOptions o;
  o.weights.w_dec = float(a.num("w-dec", 1));
  o.weights.w_enc = float(a.num("w-enc", 0));
  o.weights.w_b = float(a.num("w-b", 0));
  o.weights.cosine = a.has("cosine");
  o.fold = !a.has("no-fold");
  o.int8 = a.has("int8");
  if (a.has("screen") && a.has("no-screen")) fail("--screen and --no-screen contradict each other: give one");
  if (a.has("no-screen")) o.screen = MatchOptions::Screen::Off;
  // With --int8: the coarse screen browsers with relaxed SIMD use (here a portable loop, no
  // faster), so a gap-budget answer from the app can be reproduced exactly.
  if (a.has("screen")) o.screen = MatchOptions::Screen::On;
  o.topk = int(a.num("topk", 32));
  o.dense_max = int(a.num("dense-max", MatchOptions().dense_max));
  o.max_rounds = int(a.num("max-rounds", 30));
  o.gap = a.num("gap", 0);
  if (!(o.gap >= 0 && o.gap < 1)) fail("--gap must be a relative gap in [0, 1), e.g. 1e-4 for 0.01%");
  if (o.topk < 1) fail("--topk must be >= 1");
  set_thread_count(int(a.num("threads", 0)));
  validate_weights(o.weights);
  return o;
}

// --max-array-mib: the cap on any one array a file may claim (LoadLimits::max_array_bytes).
LoadLimits load_limits(Args& a) {
  LoadLimits lim;
  double mib = a.num("max-array-mib", double(lim.max_array_bytes >> 20));
  if (!(mib >= 0.01 && mib <= 1024 * 1024)) fail("--max-array-mib must be between 0.01 and 1048576");
  lim.max_array_bytes = uint64_t(mib * 1048576.0);
  return lim;
}

// "certified optimal", "within 0.01% of optimal (proven)" under a gap budget, else the bound.
std::string optimality_text(const MatchResult& r) {
  if (r.certified) return "certified optimal";
  char buf[96];
  if (r.gap_budget > 0 && r.gap_bound <= r.gap_budget * std::fabs(r.total))
    std::snprintf(buf, sizeof buf, "within %g%% of optimal (proven)", 100 * r.gap_budget);
  else
    std::snprintf(buf, sizeof buf, "gap <= %.6g (%.3g%% of the total, proven)", r.gap_bound, 100 * r.gap_bound / std::max(1e-300, std::fabs(r.total)));
  return buf;
}

Json ints(const std::vector<int>& v) { Json a = Json::array(); for (int x : v) a.push(Json::number(x)); return a; }
Json floats(const std::vector<float>& v) { Json a = Json::array(); for (float x : v) a.push(Json::number(x)); return a; }

Json match_json(const MatchResult& r) {
  Json j = Json::object();
  j.set("F_A", Json::number(r.FA)); j.set("F_B", Json::number(r.FB));
  j.set("method", Json::string(r.method));
  j.set("certified_optimal", Json::boolean(r.certified));
  j.set("gap_bound", Json::number(r.gap_bound));
  j.set("gap_budget", Json::number(r.gap_budget));
  j.set("total_cost", Json::number(r.total));
  j.set("a_to_b", ints(r.a_to_b)); j.set("cost", floats(r.cost)); j.set("score", floats(r.score));
  j.set("unmatched_b", ints(r.unmatched_b));
  return j;
}

void write_text(const std::string& path, const std::string& text) { write_whole_file(path, text.data(), text.size()); }

void make_dir(const std::string& p) {
  if (mkdir(p.c_str(), 0755) != 0) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) fail(p + ": cannot create directory");
  }
}

std::vector<Sae> load_layers(const std::vector<std::string>& paths, const LoadLimits& lim) {
  std::vector<Sae> out;
  for (auto& p : paths) {
    out.push_back(load_sae(p, lim));
    if (out.back().d() != out.front().d())
      fail("d_model mismatch: " + p + " has d_model=" + std::to_string(out.back().d()) + " but " + paths.front() + " has " + std::to_string(out.front().d()));
  }
  return out;
}

MatF load_acts(const std::string& path, const LoadLimits& lim) {
  auto b = read_whole_file(path, lim.max_array_bytes + (1u << 20));  // one array plus its header
  Tensor t = parse_npy(b.data(), b.size(), path, lim);
  if (t.shape.size() != 2) fail(path + ": activations must be a 2-D array [N, d], got " + t.shape_str());
  return Eigen::Map<MatF>(t.data.data(), t.shape[0], t.shape[1]);
}

// labelsNN.json per layer from --labels-dir; a missing folder, or one with none of these files,
// is an error (silently writing a pack without labels would hide the mistake).
std::vector<std::vector<std::string>> read_labels_dir(const std::string& dir, size_t n_layers) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) fail("--labels-dir " + dir + ": no such folder");
  if (!S_ISDIR(st.st_mode)) fail("--labels-dir " + dir + ": not a folder");
  std::vector<std::vector<std::string>> labels(n_layers);
  size_t found = 0;
  for (size_t l = 0; l < n_layers; ++l) {
    char name[32]; std::snprintf(name, sizeof name, "/labels%02zu.json", l);
    const std::string p = dir + name;
    if (stat(p.c_str(), &st) != 0) continue;
    auto b = read_whole_file(p, uint64_t(256) << 20);
    Json j;
    try { j = Json::parse(std::string(b.begin(), b.end())); } catch (const Error& e) { fail(p + ": " + e.what()); }
    if (j.type != Json::Array) fail(p + ": labels must be a JSON array of strings");
    for (auto& v : j.arr) labels[l].push_back(v.as_str(p + ": every label"));
    ++found;
  }
  char last[32]; std::snprintf(last, sizeof last, "labels%02zu.json", n_layers - 1);
  if (!found) fail("--labels-dir " + dir + ": none of labels00.json .. " + last + " is in this folder");
  return labels;
}

// Neuronpedia's explanation export into the labels: a feature keeps a label from --labels-dir;
// the export fills the features that have none. The explainer models go to the manifest.
void add_neuronpedia_labels(const std::string& dir, const std::vector<Sae>& layers, const LoadLimits& lim, PackOptions& po,
                            std::vector<std::vector<std::string>>& labels) {
  std::vector<int> ids, F;
  for (size_t l = 0; l < layers.size(); ++l) { ids.push_back(layers[l].meta.layer >= 0 ? layers[l].meta.layer : int(l)); F.push_back(layers[l].F()); }
  NeuronpediaExplanations np(po.neuronpedia_model, po.neuronpedia_source, ids, F);
  np.add_dir(dir, lim);
  std::printf("%s\n", np.summary().c_str());
  auto found = np.labels();
  po.explainers = np.explainers();
  for (size_t l = 0; l < layers.size(); ++l) {
    if (found[l].empty()) continue;
    if (labels[l].empty()) { labels[l] = found[l]; continue; }
    if (labels[l].size() != found[l].size()) continue;  // make_pack reports the wrong count
    for (size_t f = 0; f < found[l].size(); ++f) if (labels[l][f].empty()) labels[l][f] = found[l][f];
  }
}

// The pack options shared by `pack` and `chain --pack` (labels are read after a.done()).
PackOptions pack_options(Args& a, std::string& labels_dir, std::string& np_dir) {
  PackOptions po;
  po.quant = a.str("quant", "int8");
  double mib = a.num("shard-mib", 8);
  if (!(mib > 0 && mib <= 8)) fail("--shard-mib must be in (0, 8]");
  po.max_shard_bytes = size_t(mib * 1024 * 1024);
  po.model = a.str("model", ""); po.title = a.str("title", "");
  po.neuronpedia_model = a.str("neuronpedia-model", ""); po.neuronpedia_source = a.str("neuronpedia-source", "");
  labels_dir = a.str("labels-dir", ""); np_dir = a.str("neuronpedia-explanations", "");
  if (!np_dir.empty() && (po.neuronpedia_model.empty() || po.neuronpedia_source.empty()))
    fail("--neuronpedia-explanations needs --neuronpedia-model and --neuronpedia-source (to pick the lines of this pack's layers)");
  return po;
}

// Labels from --labels-dir and the Neuronpedia export; fills the model and hook from layer 0.
std::vector<std::vector<std::string>> pack_labels(const std::vector<Sae>& layers, const std::string& labels_dir, const std::string& np_dir,
                                                  const LoadLimits& lim, PackOptions& po) {
  std::vector<std::vector<std::string>> labels = labels_dir.empty() ? std::vector<std::vector<std::string>>(layers.size()) : read_labels_dir(labels_dir, layers.size());
  if (!np_dir.empty()) add_neuronpedia_labels(np_dir, layers, lim, po, labels);
  if (po.model.empty()) po.model = layers[0].meta.model;
  po.hook = layers[0].meta.hook;
  return labels;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int cmd_info(int argc, char** argv) {
  Args a(argc, argv, 2, kFlags);
  LoadLimits lim = load_limits(a);
  a.done();
  if (a.pos.size() != 1) fail("info takes one file");
  Sae s = load_sae(a.pos[0], lim);
  std::printf("%s: %s\n", a.pos[0].c_str(), describe_sae(s).c_str());
  return 0;
}

int cmd_match(int argc, char** argv) {
  Args a(argc, argv, 2, kFlags);
  MatchOptions o = match_options(a);
  LoadLimits lim = load_limits(a);
  std::string out = a.str("out", "");
  a.done();
  if (a.pos.size() != 2) fail("match takes two SAEs: A B");
  auto layers = load_layers(a.pos, lim);
  auto t0 = std::chrono::steady_clock::now();
  MatchResult r = match_saes(layers[0], layers[1], o);
  Json j = match_json(r);
  j.set("A", Json::string(a.pos[0])); j.set("B", Json::string(a.pos[1]));
  if (!out.empty()) write_text(out, j.dump());
  std::printf("matched %d -> %d features (%s, %s) total cost %.6g in %.2fs%s\n", r.FA, r.FB, r.method.c_str(),
              optimality_text(r).c_str(), r.total, seconds_since(t0),
              out.empty() ? "" : (", wrote " + out).c_str());
  return 0;
}

int cmd_chain(int argc, char** argv) {
  std::set<std::string> flags = kFlags;
  flags.erase("pack");  // here --pack names the result pack's folder
  Args a(argc, argv, 2, flags);
  MatchOptions o = match_options(a);
  double q = a.num("q", 0.9);
  bool direct = a.has("direct");
  LoadLimits lim = load_limits(a);
  std::string out = a.str("out", "");
  const std::string pack_dir = a.str("pack", "");
  std::string labels_dir, np_dir;
  PackOptions po;
  if (!pack_dir.empty()) po = pack_options(a, labels_dir, np_dir);
  a.done();
  if (a.pos.size() < 2) fail("chain needs at least two layers");
  auto layers = load_layers(a.pos, lim);
  std::vector<MatchResult> pairs;
  auto print_hop = [](size_t l, const MatchResult& r) { std::printf("layer %zu -> %zu: total cost %.6g (%s)\n", l, l + 1, r.total, optimality_text(r).c_str()); };
  if (!pack_dir.empty()) {
    // Matched on the packed layers, as the browser would (cli/result_pack.cpp).
    pairs = write_result_pack(layers, pack_labels(layers, labels_dir, np_dir, lim, po), po, o, pack_dir, print_hop);
  } else {
    for (size_t l = 0; l + 1 < layers.size(); ++l) {
      pairs.push_back(match_saes(layers[l], layers[l + 1], o));
      print_hop(l, pairs.back());
    }
  }
  ChainSet cs = build_chains(pairs, q);
  Json j = Json::object();
  Json names = Json::array();
  for (auto& p : a.pos) names.push(Json::string(p));
  j.set("layers", names);
  j.set("q", Json::number(q));
  j.set("thresholds", floats(cs.threshold));
  Json pj = Json::array();
  for (auto& p : cs.pairs) pj.push(match_json(p));
  j.set("pairs", pj);
  j.set("persistence_from_layer0", ints(cs.persistence_lengths()));
  if (direct && layers.size() > 2) {
    MatchResult d = match_saes(layers.front(), layers.back(), o);
    std::vector<int> composed = cs.pairs[0].a_to_b;
    for (size_t l = 1; l < cs.pairs.size(); ++l) composed = compose(composed, cs.pairs[l].a_to_b);
    double agree = agreement(composed, d.a_to_b);
    Json dj = Json::object();
    dj.set("a_to_b", ints(d.a_to_b));
    dj.set("agreement_with_composed", Json::number(agree));
    j.set("direct_first_to_last", dj);
    std::printf("direct first->last matching agrees with the composed chain on %.1f%% of features\n", 100 * agree);
  }
  if (!out.empty()) write_text(out, j.dump());
  auto lens = cs.persistence_lengths();
  int full = 0;
  for (int x : lens) full += x == int(cs.pairs.size());
  std::printf("%d of %zu layer-0 features persist through all %zu hops (q=%.2f)%s\n", full, lens.size(), cs.pairs.size(), q,
              out.empty() ? "" : (", wrote " + out).c_str());
  return 0;
}

int cmd_eval(int argc, char** argv) {
  Args a(argc, argv, 2, kFlags);
  MatchOptions o = match_options(a);
  std::string st = a.str("sae-t", ""), st1 = a.str("sae-t1", ""), xt = a.str("acts-t", ""), xt1 = a.str("acts-t1", ""), perm = a.str("perm", "");
  LoadLimits lim = load_limits(a);
  a.done();
  if (st.empty() || st1.empty() || xt.empty() || xt1.empty()) fail("eval needs --sae-t, --sae-t1, --acts-t and --acts-t1");
  auto layers = load_layers({st, st1}, lim);
  std::vector<int> a_to_b;
  if (!perm.empty()) {
    auto b = read_whole_file(perm, uint64_t(256) << 20);
    Json j;
    try { j = Json::parse(std::string(b.begin(), b.end())); } catch (const Error& e) { fail(perm + ": " + e.what()); }
    a_to_b = parse_permutation(j, layers[0].F(), layers[1].F(), perm);
  } else a_to_b = match_saes(layers[0], layers[1], o).a_to_b;
  MatF x0 = load_acts(xt, lim), x1 = load_acts(xt1, lim);
  LayerSkipReport r = evaluate_layer_skip(layers[0], layers[1], a_to_b, x0, x1);
  std::printf("N=%lld explained variance of x_t+1:\n  layer skip (encode t, permute, decode t+1): %.4f\n  identity x_t:                               %.4f\n"
              "  SAE t+1 on x_t:                             %.4f\n  SAE t+1 on x_t+1 (reconstruction):         %.4f\n",
              (long long)r.n, r.ev_skip, r.ev_identity, r.ev_next_sae, r.ev_reconstruct);
  return 0;
}

int cmd_pack(int argc, char** argv) {
  Args a(argc, argv, 2, kFlags);
  std::string labels_dir, np_dir;
  PackOptions po = pack_options(a, labels_dir, np_dir);
  std::string out = a.str("out", "");
  LoadLimits lim = load_limits(a);
  a.done();
  if (out.empty() || a.pos.empty()) fail("pack needs layers and --out DIR");
  auto layers = load_layers(a.pos, lim);
  std::vector<std::vector<std::string>> labels = pack_labels(layers, labels_dir, np_dir, lim, po);
  PackReport rep;
  auto files = make_pack(layers, labels, po, &rep);
  make_dir(out);
  size_t total = 0;
  for (auto& f : files) { write_whole_file(out + "/" + f.name, f.bytes.data(), f.bytes.size()); total += f.bytes.size(); }
  for (size_t l = 0; l < layers.size(); ++l)
    std::printf("layer %zu: %s quantisation error W_dec %.4f, W_enc %.4f (relative)\n", l, po.quant.c_str(), rep.dec_rel_err[l], rep.enc_rel_err[l]);
  std::printf("wrote %zu files, %.1f MiB, to %s\n", files.size(), double(total) / 1048576.0, out.c_str());
  return 0;
}

int cmd_synth(int argc, char** argv) {
  Args a(argc, argv, 2, kFlags);
  SynthOptions so;
  so.layers = int(a.num("layers", 4)); so.F = int(a.num("F", 512)); so.d = int(a.num("d", 64));
  so.noise = a.num("noise", 0.05); so.death = a.num("death", 0.05); so.theta_spread = a.num("theta-spread", 1.0);
  so.seed = uint64_t(a.num("seed", 1));
  int acts = int(a.num("acts", 0));
  bool pack = a.has("pack");
  std::string out = a.str("out", ""), title = a.str("title", "Synthetic demo: planted feature chains");
  a.done();
  if (out.empty()) fail("synth needs --out DIR");
  if (so.layers < 2 || so.layers > 64 || so.F < 2 || so.F > 65536 || so.d < 2 || so.d > 8192) fail("synth: need 2..64 layers, F in 2..65536, d in 2..8192");
  SynthModel m = make_synthetic(so);
  make_dir(out);
  Json truth = Json::object(), tl = Json::array(), cid = Json::array();
  for (auto& t : m.truth) tl.push(ints(t));
  for (auto& c : m.concept_id) cid.push(ints(c));
  truth.set("truth", tl); truth.set("concept_id", cid);
  write_text(out + "/truth.json", truth.dump());
  if (pack) {
    PackOptions po; po.model = "synthetic"; po.title = title; po.hook = "resid_post";
    auto files = make_pack(m.saes, m.labels, po, nullptr);
    for (auto& f : files) write_whole_file(out + "/" + f.name, f.bytes.data(), f.bytes.size());
    std::printf("wrote a %d-layer synthetic pack (F=%d, d=%d) to %s\n", so.layers, so.F, so.d, out.c_str());
    return 0;
  }
  for (int l = 0; l < so.layers; ++l) {
    const Sae& s = m.saes[size_t(l)];
    auto T = [](const auto& mat, std::vector<int64_t> shape) { Tensor t; t.shape = shape; t.data.assign(mat.data(), mat.data() + mat.size()); return t; };
    std::vector<std::pair<std::string, std::vector<uint8_t>>> entries = {
      {"W_enc.npy", write_npy(T(s.W_enc, {s.d(), s.F()}))}, {"W_dec.npy", write_npy(T(s.W_dec, {s.F(), s.d()}))},
      {"b_enc.npy", write_npy(T(s.b_enc, {s.F()}))}, {"b_dec.npy", write_npy(T(s.b_dec, {s.d()}))},
      {"threshold.npy", write_npy(T(s.threshold, {s.F()}))}};
    char dir[64]; std::snprintf(dir, sizeof dir, "/layer_%02d", l);
    make_dir(out + dir);
    auto zip = zip_write_stored(entries);
    write_whole_file(out + dir + "/params.npz", zip.data(), zip.size());
    if (acts > 0 && l + 1 < so.layers) {
      MatF x0, x1;
      synthetic_activations(m, so, l, acts, so.seed * 7919 + uint64_t(l), x0, x1);
      auto w0 = write_npy(T(x0, {x0.rows(), x0.cols()})), w1 = write_npy(T(x1, {x1.rows(), x1.cols()}));
      write_whole_file(out + dir + "/acts_in.npy", w0.data(), w0.size());
      write_whole_file(out + dir + "/acts_next.npy", w1.data(), w1.size());
    }
  }
  std::printf("wrote %d synthetic layers (F=%d, d=%d) with planted chains to %s (truth in truth.json)\n", so.layers, so.F, so.d, out.c_str());
  return 0;
}
}  // namespace cli
