// Embind bindings only: the Engine keeps loaded layers and match results in WASM memory and
// exposes plain typed arrays/objects to the worker. No maths here; it all lives in core/.
#include <chrono>
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <emscripten/val.h>
#include "saematch/activations.h"
#include "saematch/arrays.h"
#include "saematch/compare.h"
#include "saematch/depth.h"
#include "saematch/layerskip.h"
#include "saematch/neighbours.h"
#include "saematch/pack_thresholds.h"
#include "saematch/chains.h"
#include "saematch/coarse_dot.h"
#include "saematch/error.h"
#include "saematch/inflate.h"
#include "saematch/loaders.h"
#include "saematch/match.h"
#include "saematch/null_baseline.h"
#include "saematch/pack.h"
#include "saematch/packed_pair.h"
#include "saematch/parallel.h"
#include "saematch/sha256.h"
#include "saematch/verify_duals.h"
#include "saematch/zip.h"
#include "coarse_dot_kernel.h"
#include <algorithm>
#include <cstdio>
#include <list>
#include <map>
#include <memory>

using namespace emscripten;
using namespace saematch;

namespace {
std::vector<uint8_t> bytes_of(const val& u8) { return convertJSArrayToNumberVector<uint8_t>(u8); }

template <class T>
val typed(const std::vector<T>& v) { return val::global(std::is_same<T, int>::value ? "Int32Array" : "Float32Array").new_(typed_memory_view(v.size(), v.data())); }

val match_to_js(const MatchResult& r) {
  val o = val::object();
  o.set("FA", r.FA); o.set("FB", r.FB);
  o.set("a_to_b", typed(r.a_to_b)); o.set("cost", typed(r.cost)); o.set("score", typed(r.score));
  o.set("unmatched_b", typed(r.unmatched_b));
  o.set("total", r.total); o.set("certified", r.certified); o.set("gap_bound", r.gap_bound);
  o.set("method", r.method); o.set("rounds", r.rounds);
  o.set("gap_budget", r.gap_budget);
  // Duals on the true costs (c_ij - u_i - v_j >= 0 on every pair when certified), for result packs.
  o.set("u", val::global("Float64Array").new_(typed_memory_view(r.u.size(), r.u.data())));
  o.set("v", val::global("Float64Array").new_(typed_memory_view(r.v.size(), r.v.data())));
  return o;
}

val verify_to_js(const VerifyReport& r) {
  val o = val::object();
  o.set("passed", r.passed); o.set("pairs_checked", double(r.pairs_checked)); o.set("violations", double(r.violations));
  o.set("exact_pairs", double(r.exact_pairs)); o.set("worst_reduced_cost", r.worst_reduced_cost); o.set("worst_slack", r.worst_slack);
  o.set("tolerance", r.tolerance); o.set("total_recomputed", r.total_recomputed); o.set("lower_bound", r.lower_bound);
  o.set("proven_gap", r.proven_gap); o.set("reason", r.reason);
  return o;
}

val candidates_to_js(const std::vector<Candidate>& list) {
  val out = val::array();
  for (auto& c : list) {
    val x = val::object();
    x.set("feature", c.feature); x.set("cost", c.cost); x.set("score", c.score);
    out.call<void>("push", x);
  }
  return out;
}

val hop_to_js(const HopView& h) {
  val o = val::object();
  o.set("from", h.from); o.set("to", h.to); o.set("cost", h.cost); o.set("score", h.score);
  o.set("forward", candidates_to_js(h.forward)); o.set("backward", candidates_to_js(h.backward));
  o.set("margin_forward", h.margin_forward); o.set("margin_backward", h.margin_backward);
  o.set("close_call", h.close_call); o.set("split", h.split); o.set("merge", h.merge);
  o.set("split_with", h.split_with); o.set("merge_with", h.merge_with);
  return o;
}

val comparison_to_js(const MethodComparison& c) {
  val methods = val::array();
  for (auto& m : c.methods) {
    val x = val::object();
    x.set("key", m.key); x.set("name", m.name); x.set("available", m.available); x.set("reason", m.unavailable_reason);
    x.set("agreement", m.agreement); x.set("configured_total", m.configured_total); x.set("collisions", m.collisions);
    x.set("one_to_one", m.one_to_one); x.set("certified", m.certified);
    x.set("a_to_b", m.available ? typed(m.a_to_b).call<val>("slice") : val::null());  // copies: c dies on return
    methods.call<void>("push", x);
  }
  val o = val::object();
  o.set("methods", methods);
  o.set("disagree", typed(c.disagree).call<val>("slice"));
  return o;
}
}  // namespace

class Engine {
 public:
  // The coarse screen's fast kernel, where this browser runs relaxed SIMD (once per module).
  Engine() { static const bool registered = register_relaxed_coarse_kernel(); (void)registered; }
  // Layer from a verified pack blob (shards concatenated in order).
  void setPackLayer(int index, const std::string& layer_json, const val& blob) {
    PackedLayer p{Json::parse(layer_json), bytes_of(blob)};
    check_layer_bytes(p.entry, p.blob.size(), "layer " + std::to_string(index));
    store(index, std::move(p));
  }
  // Layer from a whole params.npz or safetensors file held in memory (direct path).
  std::string setFileLayer(int index, const std::string& kind, const val& file, const std::string& cfg_json) {
    auto src = memory_source(bytes_of(file), kind);
    Sae s;
    if (kind == "npz") s = load_gemmascope_npz(*src);
    else {
      SaeLensConfig c;
      bool has = !cfg_json.empty();
      if (has) c = parse_saelens_config(cfg_json);
      s = load_saelens(has ? &c : nullptr, *src);
    }
    store(index, pack_single_layer(s));  // folded and int8-quantised, like a pack layer
    return describe_sae(s);
  }
  // Layer from named .npy / tensor arrays fetched by range requests: {name: Uint8Array}.
  std::string setNpyArraysLayer(int index, const val& arrays) {
    std::map<std::string, Tensor> m;
    val keys = val::global("Object").call<val>("keys", arrays);
    for (int i = 0, n = keys["length"].as<int>(); i < n; ++i) {
      std::string k = keys[i].as<std::string>();
      auto b = bytes_of(arrays[k]);
      m[k] = parse_npy(b.data(), b.size(), k);
    }
    bool jump = m.count("threshold") > 0;
    Sae s = sae_from_arrays(std::move(m), jump ? Activation::JumpReLU : Activation::ReLU, 0, "layer " + std::to_string(index));
    store(index, pack_single_layer(s));  // folded and int8-quantised, like a pack layer
    return describe_sae(s);
  }
  bool hasLayer(int index) const { return layers_.count(index) > 0; }
  // Stage timings of each match on stderr (the worker's console), for benchmarks.
  void setTrace(bool on) { trace_ = on; }
  // Relative gap budget for later matchPair calls (0: exact; 1e-4: within 0.01%, proven).
  void setGapBudget(double gap) { gap_ = gap >= 0 && gap < 1 ? gap : 0; }
  int layerF(int index) const { return packed(index).F(); }
  int layerD(int index) const { return packed(index).d(); }
  void clear() { layers_.clear(); pairs_.clear(); expanded_.clear(); rows_.clear(); }
  val decoderNorms(int index) const {
    std::vector<float> n = packed(index).decoder_norms();
    return val::global("Float32Array").new_(typed_memory_view(n.size(), n.data()));
  }

  val matchPair(int a, int b, float w_dec, float w_enc, float w_b, bool cosine, int topk, int dense_max, bool int8, val progress) {
    MatchOptions o;
    o.weights = {w_dec, w_enc, w_b, cosine};
    o.topk = topk; o.dense_max = dense_max; o.fold = true; o.int8 = int8;
    o.gap = gap_;
    if (!progress.isUndefined() && !progress.isNull())
      o.progress = [progress](const std::string& stage, double f) { return progress(stage, f).as<bool>(); };
    // Trace lines carry the seconds since the call began, so gaps between stages show too.
    const auto t0 = std::chrono::steady_clock::now();
    if (trace_) o.trace = [a, t0](const std::string& line) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "pair %d: [%.3f] %s\n", a, s, line.c_str());
    };
    // Decoder-only int8 matching reads the packs' int8 rows as they are: no float copy of
    // either layer (a 16k Gemma Scope layer would take ~300 MB expanded, and 26 packed layers
    // already hold ~2 GB of WASM's 4 GB).
    const QuantRows* qa = nullptr;
    const QuantRows* qb = nullptr;
    if (int8 && stored_rows(a, b, o.weights, qa, qb)) {
      if (o.trace) o.trace("int8 rows of both layers ready");
      pairs_[a] = match_quantised(*qa, *qb, o);
    }
    else
      pairs_[a] = match_saes(get(a), get(b), o);
    val out = match_to_js(pairs_[a]);
    if (o.trace) o.trace("result copied out");
    return out;
  }
  // Re-certifies a pair from its duals (a result pack's hop) on the layers held here, with the
  // costs matchPair would use (verify_duals.h); nothing is solved.
  val verifyPair(int a, int b, float w_dec, float w_enc, float w_b, bool cosine, bool int8, const val& a_to_b, const val& u, const val& v,
                 double total, double gap_budget, val progress) {
    MatchOptions o;
    o.weights = {w_dec, w_enc, w_b, cosine};
    o.fold = true; o.int8 = int8;
    validate_weights(o.weights);
    if (!progress.isUndefined() && !progress.isNull())
      o.progress = [progress](const std::string& stage, double f) { return progress(stage, f).as<bool>(); };
    const DualCertificate c{convertJSArrayToNumberVector<int>(a_to_b), convertJSArrayToNumberVector<double>(u),
                            convertJSArrayToNumberVector<double>(v), total, gap_budget};
    const QuantRows* qa = nullptr;
    const QuantRows* qb = nullptr;
    if (int8 && stored_rows(a, b, o.weights, qa, qb)) return verify_to_js(verify_quantised(*qa, *qb, c, o));
    return verify_to_js(verify_saes(get(a), get(b), c, o));
  }
  // Restores a match computed earlier (after the worker was restarted by a cancel).
  void setPair(int a, const val& a_to_b, const val& cost, const val& score, int FB) {
    MatchResult r;
    r.a_to_b = convertJSArrayToNumberVector<int>(a_to_b);
    r.cost = convertJSArrayToNumberVector<float>(cost);
    r.score = convertJSArrayToNumberVector<float>(score);
    r.FA = int(r.a_to_b.size()); r.FB = FB;
    if (r.cost.size() != r.a_to_b.size() || r.score.size() != r.a_to_b.size()) fail("setPair: arrays differ in length");
    pairs_[a] = std::move(r);
  }
  // Chain through (layer, feature) over the stored consecutive matches 0..L-2.
  val chain(int layers, int layer, int feature, double q) const {
    std::vector<MatchResult> ps;
    for (int l = 0; l + 1 < layers; ++l) {
      auto it = pairs_.find(l);
      if (it == pairs_.end()) fail("layer pair " + std::to_string(l) + " has not been matched yet");
      ps.push_back(it->second);
    }
    ChainSet cs = build_chains(std::move(ps), q);
    Chain c = cs.chain_through(layer, feature);
    val o = val::object();
    o.set("feature", typed(c.feature));
    val hops = val::array();
    for (auto& h : c.hops) {
      val x = val::object();
      x.set("from", h.from); x.set("to", h.to); x.set("cost", h.cost); x.set("score", h.score); x.set("persisting", h.persisting);
      hops.call<void>("push", x);
    }
    o.set("hops", hops);
    o.set("first_break", c.first_break);
    o.set("thresholds", typed(cs.threshold));
    return o;
  }
  // The layer's manifest entry without its byte layout (layer id, hook, activation, F, d_model,
  // folding, quantisation): what the app shows as the layer's source.
  std::string layerInfo(int index) const {
    Json e = packed(index).entry;
    e.obj.erase(std::remove_if(e.obj.begin(), e.obj.end(), [](const auto& kv) { return kv.first == "arrays" || kv.first == "shards"; }), e.obj.end());
    return e.dump();
  }
  // Chance-level best scores of layer a's features against layer b (null_baseline.h), sorted.
  val nullBaseline(int a, int b, float w_dec, float w_enc, float w_b, bool cosine, int samples, double seed) const {
    // The same choice as saematch chain --pack (null_baseline_packed): stored int8 rows for a
    // decoder-only cost, so a 65k pair never expands to floats; here the rows matchPair has
    // just made (a second copy would add 600 MB to the engine's peak at 65k).
    const CostWeights w{w_dec, w_enc, w_b, cosine};
    const QuantRows* qa = nullptr;
    const QuantRows* qb = nullptr;
    if (stored_rows(a, b, w, qa, qb)) return typed(null_baseline(*qa, *qb, samples, uint64_t(seed)).best_scores);
    return typed(null_baseline_packed(packed(a), packed(b), w, samples, uint64_t(seed)).best_scores);
  }
  static double quantileOf(const val& costs, double q) { return quantile(convertJSArrayToNumberVector<float>(costs), q); }

  // Per layer pair at quantile q: persisting share, median score, flow counts, extreme hops.
  val depthSummary(int layers, double q, int n_extremes) const {
    std::vector<MatchResult> ps;
    for (int l = 0; l + 1 < layers; ++l) ps.push_back(pair(l));
    val out = val::array();
    for (const PairSummary& s : depth_summary(build_chains(std::move(ps), q), n_extremes)) {
      val x = val::object();
      x.set("FA", s.FA); x.set("FB", s.FB); x.set("persisting", s.persisting); x.set("dying", s.dying); x.set("newborn", s.newborn);
      x.set("share_persisting", s.share_persisting); x.set("median_score", s.median_score); x.set("threshold", s.threshold);
      x.set("best", typed(s.best).call<val>("slice")); x.set("worst", typed(s.worst).call<val>("slice"));
      out.call<void>("push", x);
    }
    return out;
  }
  // The explorer's questions, answered by core/ (neighbours.h, compare.h, layerskip.h). The
  // cost options are the ones the pair was matched with, so the costs are the matcher's own.
  val explainHop(int a, int b, int from, int k, float threshold, float w_dec, float w_enc, float w_b, bool cosine, bool int8) const {
    const MatchResult& p = pair(a);
    return withPairCosts(a, b, {w_dec, w_enc, w_b, cosine}, int8, [&](const PairCosts& pc) {
      return hop_to_js(explain_hop(p, pc, from, k, threshold));
    });
  }
  val costExcerpt(int a, int b, const val& rows, const val& cols, float w_dec, float w_enc, float w_b, bool cosine, bool int8) const {
    const auto r = convertJSArrayToNumberVector<int>(rows), c = convertJSArrayToNumberVector<int>(cols);
    return withPairCosts(a, b, {w_dec, w_enc, w_b, cosine}, int8, [&](const PairCosts& pc) {
      std::vector<float> m = cost_excerpt(pc, r, c);
      return val::global("Float32Array").new_(typed_memory_view(m.size(), m.data())).call<val>("slice");
    });
  }
  val compareMethods(int a, int b, float w_dec, float w_enc, float w_b, bool cosine, bool int8) const {
    MatchOptions o;
    o.weights = {w_dec, w_enc, w_b, cosine};
    o.int8 = int8;
    validate_weights(o.weights);
    VecF ta, tb;
    const bool ha = thresholds(a, ta), hb = thresholds(b, tb);
    const Sae A = packed(a).expand(), B = packed(b).expand();
    return comparison_to_js(compare_methods(A, ha ? &ta : nullptr, B, hb ? &tb : nullptr, o));
  }
  // ---- layers on demand (web/layer-store.js): the app re-reads a dropped layer from storage.
  // The layer's packed form (manifest entry + bytes, as setPackLayer takes them), copied out.
  val exportLayer(int index) const {
    const PackedLayer& p = packed(index);
    val o = val::object();
    o.set("entry", p.entry.dump());
    val u8 = val::global("Uint8Array").new_(p.blob.size());
    u8.call<void>("set", val(typed_memory_view(p.blob.size(), p.blob.data())));
    o.set("blob", u8);
    return o;
  }
  // Frees a layer (and what was made from it); its matches stay.
  void dropLayer(int index) { expanded_.forget(index); rows_.forget(index); layers_.erase(index); }
  // The indices of the layers the engine holds now.
  val heldLayers() const {
    val out = val::array();
    for (auto& kv : layers_) out.call<void>("push", kv.first);
    return out;
  }
  // ---- end layers on demand

  val layerSkip(int a, int b, const val& xt, const val& xt1) const {
    const MatchResult& p = pair(a);
    MatF x0, x1;
    {
      const auto b0 = bytes_of(xt);
      x0 = activations_from_npy(b0.data(), b0.size(), "x_t");
    }
    {
      const auto b1 = bytes_of(xt1);
      x1 = activations_from_npy(b1.data(), b1.size(), "x_t+1");
    }
    const LayerSkipReport r = evaluate_layer_skip(get(a), get(b), p.a_to_b, x0, x1);
    val o = val::object();
    o.set("n", double(r.n)); o.set("d", int(x0.cols()));
    o.set("ev_skip", r.ev_skip); o.set("ev_identity", r.ev_identity); o.set("ev_next_sae", r.ev_next_sae); o.set("ev_reconstruct", r.ev_reconstruct);
    return o;
  }

 private:
  const MatchResult& pair(int a) const {
    auto it = pairs_.find(a);
    if (it == pairs_.end()) fail("layer pair " + std::to_string(a) + " has not been matched yet");
    return it->second;
  }
  bool thresholds(int i, VecF& out) const { const PackedLayer& p = packed(i); return pack_layer_thresholds(p.entry, p.blob, out); }
  // Calls use(costs) with the pair's costs computed the way matchPair computed them: stored
  // int8 rows for a decoder-only int8 match, float embeddings of the folded layers otherwise.
  template <class Use>
  val withPairCosts(int a, int b, CostWeights w, bool int8, Use use) const {
    validate_weights(w);
    const QuantRows* qa = nullptr;
    const QuantRows* qb = nullptr;
    if (int8 && stored_rows(a, b, w, qa, qb)) return use(quant_pair_costs(*qa, *qb));
    const MatF EA = feature_embedding(get(a), w);
    const MatF EB = feature_embedding(get(b), w);
    return use(float_pair_costs(EA, EB));
  }
  const PackedLayer& packed(int i) const {
    auto it = layers_.find(i);
    if (it == layers_.end()) fail("layer " + std::to_string(i) + " is not loaded");
    return it->second;
  }
  void store(int i, PackedLayer p) {
    expanded_.forget(i);
    rows_.forget(i);
    layers_[i] = std::move(p);
  }
  // Layers stay packed; at most two are expanded to floats at a time (the pair being matched).
  const Sae& get(int i) const {
    return *expanded_.get(i, 0.f, [&](Sae& s) { s = packed(i).expand(); return true; });  // (no weight involved)
  }
  // A layer's int8 decoder rows at cost weight w (null when its pack is not int8).
  const QuantRows* rows(int i, float w) const {
    return rows_.get(i, w, [&](QuantRows& q) { return packed(i).decoder_rows(q, w); });
  }
  // Both layers' stored int8 rows for a decoder-only cost (kept for the next call on them, so
  // matchPair, its null baseline and verifyPair share one copy); false: expand instead.
  bool stored_rows(int a, int b, const CostWeights& w, const QuantRows*& qa, const QuantRows*& qb) const {
    if (!w.decoder_only()) return false;
    qa = rows(a, w.w_dec);
    qb = qa ? rows(b, w.w_dec) : nullptr;
    return qb != nullptr;
  }
  // The two most recently used values made from a layer (and a weight), most recent first.
  template <class T>
  struct RecentTwo {
    struct Entry { int layer; float weight; T value; };
    std::list<Entry> items;
    // make(value) fills the value and returns false when there is none (nothing is kept).
    template <class Make>
    const T* get(int layer, float weight, Make make) {
      for (auto it = items.begin(); it != items.end(); ++it)
        if (it->layer == layer && it->weight == weight) { items.splice(items.begin(), items, it); return &items.front().value; }
      T value;
      if (!make(value)) return nullptr;
      if (items.size() >= 2) items.pop_back();
      items.push_front(Entry{layer, weight, std::move(value)});
      return &items.front().value;
    }
    void forget(int layer) { items.remove_if([layer](const Entry& e) { return e.layer == layer; }); }
    void clear() { items.clear(); }
  };
  bool trace_ = false;
  double gap_ = 0;
  std::map<int, PackedLayer> layers_;
  mutable RecentTwo<Sae> expanded_;
  mutable RecentTwo<QuantRows> rows_;
  std::map<int, MatchResult> pairs_;
};

// A size or count that came from JS (a server's headers, a ZIP directory read in the worker):
// casting NaN, a negative or a huge double to an integer is undefined behaviour, so refuse it.
uint64_t js_size(double x, const char* what) {
  if (!(x >= 0 && x <= 9007199254740992.0) || x != double(uint64_t(x))) fail(std::string("ZIP: ") + what + " is not a whole number of bytes between 0 and 2^53");
  return uint64_t(x);
}

// ZIP steps for the HTTP Range path: the worker fetches exactly the bytes each step names.
val zipCentralDirectory(const val& tail, double file_size) {
  auto r = zip_find_central_directory(bytes_of(tail), js_size(file_size, "the file size"));
  val o = val::object();
  o.set("offset", double(r.offset)); o.set("size", double(r.size)); o.set("count", double(r.count));
  return o;
}
val zipEntries(const val& cd, double count, double file_size) {
  auto b = bytes_of(cd);
  val out = val::array();
  for (auto& e : zip_parse_central_directory(b.data(), b.size(), js_size(count, "the entry count"), js_size(file_size, "the file size"))) {
    val x = val::object();
    x.set("name", e.name); x.set("local_offset", double(e.local_offset)); x.set("comp_size", double(e.comp_size));
    x.set("size", double(e.size)); x.set("method", e.method); x.set("crc", double(e.crc));
    out.call<void>("push", x);
  }
  return out;
}
double zipLocalDataOffset(const val& header30) {
  auto h = bytes_of(header30);
  if (h.size() < 30) fail("ZIP local header is truncated");
  ZipEntry e; e.name = "entry";
  return double(zip_local_data_offset(h.data(), e));
}
val zipDecode(const val& entry, const val& data) {
  ZipEntry e;
  e.name = entry["name"].as<std::string>(); e.method = uint16_t(entry["method"].as<int>());
  e.comp_size = js_size(entry["comp_size"].as<double>(), "the compressed size"); e.size = js_size(entry["size"].as<double>(), "the size");
  e.crc = uint32_t(js_size(entry["crc"].as<double>(), "the CRC"));
  auto b = bytes_of(data);
  auto out = zip_decode_entry(e, b.data(), b.size());
  val u8 = val::global("Uint8Array").new_(out.size());
  u8.call<void>("set", val(typed_memory_view(out.size(), out.data())));
  return u8;
}
void warmUp() { warm_up_matcher(); }  // the result is not needed, only the compiled code
std::string sha256(const val& data) { auto b = bytes_of(data); return sha256_hex(b.data(), b.size()); }
void validateManifest(const std::string& text) { validate_manifest(Json::parse(text)); }
int threads() { return thread_count(); }
// Whether int8 pairs are screened with the relaxed-SIMD kernel (coarse_dot.h), and a check of
// that kernel against the portable loop on random bytes (mismatching sums; tests).
bool coarseScreenKernel() { return coarse_dot_kernel_fast(); }
int coarseKernelMismatches(int na, int nb, int stride, int seed) { return relaxed_kernel_mismatches(na, nb, stride, uint64_t(seed)); }
// Size of the WASM heap in bytes (it only grows): what the engine has taken so far.
double heapBytes() { return double(emscripten_get_heap_size()); }
std::string errorMessage(intptr_t p) {
  const std::exception* e = reinterpret_cast<std::exception*>(p);
  // Sizes are checked before allocating, so this is a genuinely large input, not a forged claim.
  if (dynamic_cast<const std::bad_alloc*>(e)) return "out of memory: the engine could not allocate space for this input (4 GB WASM limit)";
  return e->what();
}

EMSCRIPTEN_BINDINGS(saematch) {
  class_<Engine>("Engine")
      .constructor<>()
      .function("setPackLayer", &Engine::setPackLayer)
      .function("setTrace", &Engine::setTrace)
      .function("setGapBudget", &Engine::setGapBudget)
      .function("setFileLayer", &Engine::setFileLayer)
      .function("setNpyArraysLayer", &Engine::setNpyArraysLayer)
      .function("hasLayer", &Engine::hasLayer)
      .function("layerF", &Engine::layerF)
      .function("layerD", &Engine::layerD)
      .function("decoderNorms", &Engine::decoderNorms)
      .function("clear", &Engine::clear)
      .function("matchPair", &Engine::matchPair)
      .function("chain", &Engine::chain)
      .function("setPair", &Engine::setPair)
      .function("verifyPair", &Engine::verifyPair)
      .function("depthSummary", &Engine::depthSummary)
      .function("explainHop", &Engine::explainHop)
      .function("costExcerpt", &Engine::costExcerpt)
      .function("compareMethods", &Engine::compareMethods)
      .function("layerSkip", &Engine::layerSkip)
      .function("exportLayer", &Engine::exportLayer)  // layers on demand
      .function("dropLayer", &Engine::dropLayer)
      .function("heldLayers", &Engine::heldLayers)
      .function("layerInfo", &Engine::layerInfo)
      .function("nullBaseline", &Engine::nullBaseline)
      .class_function("quantileOf", &Engine::quantileOf);
  function("warmUp", &warmUp);
  function("zipCentralDirectory", &zipCentralDirectory);
  function("zipEntries", &zipEntries);
  function("zipLocalDataOffset", &zipLocalDataOffset);
  function("zipDecode", &zipDecode);
  function("sha256", &sha256);
  function("validateManifest", &validateManifest);
  function("threads", &threads);
  function("coarseScreenKernel", &coarseScreenKernel);
  function("coarseKernelMismatches", &coarseKernelMismatches);
  function("heapBytes", &heapBytes);
  function("errorMessage", &errorMessage);
}
