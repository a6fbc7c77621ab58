// Writing, validating and reading a pack's "results" (see saematch/result_pack.h).
#include "saematch/result_pack.h"
#include "manifest_checks.h"
#include "saematch/error.h"
#include "saematch/sha256.h"
#include <cmath>
#include <cstring>

namespace saematch {
namespace {
template <class T> struct Dtype;
template <> struct Dtype<int32_t> { static constexpr const char* name = "int32"; };
template <> struct Dtype<float> { static constexpr const char* name = "float32"; };
template <> struct Dtype<double> { static constexpr const char* name = "float64"; };

uint64_t dtype_size(const std::string& t) { return t == "int32" || t == "float32" ? 4 : t == "float64" ? 8 : 0; }

// Appends one little-endian array at an 8-byte aligned offset; returns its description.
template <class T>
Json put(std::vector<uint8_t>& blob, const std::vector<T>& v) {
  while (blob.size() % 8) blob.push_back(0);
  Json a = Json::object();
  a.set("offset", Json::number(double(blob.size())));
  a.set("dtype", Json::string(Dtype<T>::name));
  a.set("count", Json::number(double(v.size())));
  const auto* p = reinterpret_cast<const uint8_t*>(v.data());
  blob.insert(blob.end(), p, p + v.size() * sizeof(T));
  return a;
}

Json settings_json(const ResultSettings& s) {
  Json j = Json::object();
  j.set("w_dec", Json::number(s.weights.w_dec)); j.set("w_enc", Json::number(s.weights.w_enc)); j.set("w_b", Json::number(s.weights.w_b));
  j.set("cosine", Json::boolean(s.weights.cosine)); j.set("int8", Json::boolean(s.int8));
  j.set("gap", Json::number(s.gap)); j.set("topk", Json::number(s.topk));
  return j;
}
}  // namespace

void add_results_to_pack(std::vector<PackFile>& files, const PackResults& r, size_t max_shard_bytes) {
  if (files.empty() || files.front().name != "manifest.json") fail("results: the pack has no manifest");
  if (max_shard_bytes < 4096) fail("results: shard size must be at least 4096 bytes");
  Json man = Json::parse(std::string(files.front().bytes.begin(), files.front().bytes.end()));
  std::vector<uint8_t> blob;
  Json res = Json::object();
  res.set("producer", Json::string(r.producer));
  res.set("created", Json::string(r.created));
  res.set("settings", settings_json(r.settings));
  Json null = Json::object();
  null.set("samples", Json::number(r.null_samples));
  null.set("percentile", Json::number(r.null_percentile));
  null.set("seeds", Json::string("pair index + 1"));
  res.set("null", null);
  const auto& layers = man.at("layers").arr;
  Json norms = Json::array();
  for (size_t l = 0; l < r.norms.size(); ++l) {
    Json x = Json::object();
    x.set("layer", l < layers.size() ? layers[l].at("layer") : Json::number(double(l)));
    x.set("array", put(blob, r.norms[l]));
    norms.push(x);
  }
  res.set("norms", norms);
  Json hops = Json::array();
  for (const HopResult& h : r.hops) {
    const MatchResult& m = h.match;
    Json x = Json::object();
    x.set("from", Json::number(h.from)); x.set("to", Json::number(h.to));
    x.set("FA", Json::number(m.FA)); x.set("FB", Json::number(m.FB));
    x.set("total", Json::number(m.total)); x.set("certified", Json::boolean(m.certified));
    x.set("gap_bound", Json::number(m.gap_bound)); x.set("gap_budget", Json::number(m.gap_budget));
    x.set("method", Json::string(m.method)); x.set("null_cut", Json::number(h.null_cut));
    Json arrays = Json::object();
    std::vector<int32_t> a_to_b(m.a_to_b.begin(), m.a_to_b.end());
    arrays.set("a_to_b", put(blob, a_to_b));
    arrays.set("cost", put(blob, m.cost));
    arrays.set("score", put(blob, m.score));
    arrays.set("u", put(blob, m.u));
    arrays.set("v", put(blob, m.v));
    arrays.set("null_scores", put(blob, h.null_scores));
    x.set("arrays", arrays);
    hops.push(x);
  }
  res.set("hops", hops);
  res.set("blob_bytes", Json::number(double(blob.size())));
  Json shards = shard_blob(blob, "results", max_shard_bytes, files);
  res.set("shards", shards);
  man.set("results", res);
  const std::string text = man.dump();
  files.front().bytes.assign(text.begin(), text.end());
}

namespace {
double finite(const Json& parent, const char* key, const std::string& what) {
  const Json* v = parent.find(key);
  if (!v || !v->is_num() || !std::isfinite(v->num)) fail(what + ": " + key + " must be a finite number");
  return v->num;
}
const Json& object(const Json& parent, const char* key, const std::string& what) {
  const Json* v = parent.find(key);
  if (!v || v->type != Json::Object) fail(what + ": " + key + " must be a JSON object");
  return *v;
}
void boolean(const Json& parent, const char* key, const std::string& what) {
  const Json* v = parent.find(key);
  if (!v || v->type != Json::Bool) fail(what + ": " + key + " must be true or false");
}
void text(const Json& parent, const char* key, const std::string& what) {
  const Json* v = parent.find(key);
  if (!v || !v->is_str() || v->str.size() > 1000) fail(what + ": " + key + " must be a string (at most 1000 characters)");
}

// One array description: known dtype (the one its role needs), the count its role implies,
// an 8-byte aligned extent inside blob_bytes.
void check_array(const Json* a, const char* dtype, uint64_t count, uint64_t blob, const std::string& what) {
  if (!a || a->type != Json::Object) fail(what + " is missing (expected {offset, dtype, count})");
  const Json* t = a->find("dtype");
  if (!t || !t->is_str() || dtype_size(t->str) == 0) fail(what + ": dtype must be int32, float32 or float64");
  if (t->str != dtype) fail(what + ": dtype must be " + dtype + " (got " + t->str + ")");
  const uint64_t n = manifest_int(*a, "count", 0, uint64_t(1) << 32, what);
  if (n != count) fail(what + ": count " + std::to_string(n) + ", expected " + std::to_string(count));
  const uint64_t off = manifest_int(*a, "offset", 0, blob, what);
  if (off % 8) fail(what + ": offset " + std::to_string(off) + " is not a multiple of 8");
  if (n * dtype_size(dtype) > blob - off) fail(what + " lies outside the results' " + std::to_string(blob) + " bytes (blob_bytes)");
}
}  // namespace

void validate_results(const Json& res, const Json& layers, const LoadLimits& lim) {
  const std::string W = "results";
  if (res.type != Json::Object) fail("results is not a JSON object");
  text(res, "producer", W); text(res, "created", W);
  const Json& s = object(res, "settings", W);
  for (const char* k : {"w_dec", "w_enc", "w_b"}) if (!(finite(s, k, W + ".settings") >= 0)) fail(W + ".settings: " + k + " must be >= 0");
  boolean(s, "cosine", W + ".settings"); boolean(s, "int8", W + ".settings");
  const double gap = finite(s, "gap", W + ".settings");
  if (!(gap >= 0 && gap < 1)) fail(W + ".settings: gap must be in [0, 1)");
  manifest_int(s, "topk", 1, uint64_t(1) << 24, W + ".settings");
  const Json& null = object(res, "null", W);
  const uint64_t samples = manifest_int(null, "samples", 0, 1 << 20, W + ".null");
  const double pct = finite(null, "percentile", W + ".null");
  if (!(pct >= 0 && pct <= 1)) fail(W + ".null: percentile must be in [0, 1]");
  const uint64_t blob = manifest_int(res, "blob_bytes", 0, uint64_t(1) << 40, W);
  check_size_claim(blob, lim, W + " (blob_bytes)");
  validate_shard_list(res, blob, W, true);  // each shard with its digest
  // Norms: one float32 array per manifest layer, F entries.
  const size_t L = layers.arr.size();
  const Json* norms = res.find("norms");
  if (!norms || norms->type != Json::Array || norms->arr.size() != L) fail(W + ": norms must list one entry per layer (" + std::to_string(L) + ")");
  for (size_t l = 0; l < L; ++l) {
    const std::string nw = W + " norms of layer " + std::to_string(l);
    const uint64_t id = manifest_int(layers.arr[l], "layer", 0, 1000000, "layer " + std::to_string(l));
    if (norms->arr[l].type != Json::Object || manifest_int(norms->arr[l], "layer", 0, 1000000, nw) != id) fail(nw + ": layer must be " + std::to_string(id));
    check_array(norms->arr[l].find("array"), "float32", manifest_int(layers.arr[l], "F", 1, uint64_t(1) << 24, "layer " + std::to_string(l)), blob, nw);
  }
  // Hops: one per consecutive pair, in order, with arrays sized by the layers they join.
  const Json* hops = res.find("hops");
  if (!hops || hops->type != Json::Array || hops->arr.size() + 1 != L) fail(W + ": hops must list one entry per consecutive layer pair (" + std::to_string(L - 1) + ")");
  for (size_t k = 0; k + 1 < L; ++k) {
    const Json& h = hops->arr[k];
    const std::string hw = W + " hop " + std::to_string(k);
    if (h.type != Json::Object) fail(hw + " is not a JSON object");
    const uint64_t from = manifest_int(layers.arr[k], "layer", 0, 1000000, "layer"), to = manifest_int(layers.arr[k + 1], "layer", 0, 1000000, "layer");
    if (manifest_int(h, "from", 0, 1000000, hw) != from || manifest_int(h, "to", 0, 1000000, hw) != to)
      fail(hw + " must join layers " + std::to_string(from) + " -> " + std::to_string(to) + " (consecutive manifest layers, in order)");
    const uint64_t FA = manifest_int(layers.arr[k], "F", 1, uint64_t(1) << 24, "layer"), FB = manifest_int(layers.arr[k + 1], "F", 1, uint64_t(1) << 24, "layer");
    if (manifest_int(h, "FA", 1, uint64_t(1) << 24, hw) != FA) fail(hw + ": FA must be " + std::to_string(FA) + " (F of layer " + std::to_string(from) + ")");
    if (manifest_int(h, "FB", 1, uint64_t(1) << 24, hw) != FB) fail(hw + ": FB must be " + std::to_string(FB) + " (F of layer " + std::to_string(to) + ")");
    finite(h, "total", hw); finite(h, "null_cut", hw);
    if (!(finite(h, "gap_bound", hw) >= 0)) fail(hw + ": gap_bound must be >= 0");
    const double gb = finite(h, "gap_budget", hw);
    if (!(gb >= 0 && gb < 1)) fail(hw + ": gap_budget must be in [0, 1)");
    boolean(h, "certified", hw); text(h, "method", hw);
    const Json& a = object(h, "arrays", hw);
    const uint64_t S = std::min<uint64_t>(samples, FA);  // null_baseline samples at most FA features
    check_array(a.find("a_to_b"), "int32", FA, blob, hw + " array a_to_b");
    check_array(a.find("cost"), "float32", FA, blob, hw + " array cost");
    check_array(a.find("score"), "float32", FA, blob, hw + " array score");
    check_array(a.find("u"), "float64", FA, blob, hw + " array u");
    check_array(a.find("v"), "float64", FB, blob, hw + " array v");
    check_array(a.find("null_scores"), "float32", S, blob, hw + " array null_scores");
  }
}

namespace {
template <class T>
std::vector<T> get(const Json& a, const uint8_t* blob) {
  std::vector<T> v(size_t(a.at("count").num));
  if (!v.empty()) std::memcpy(v.data(), blob + size_t(a.at("offset").num), v.size() * sizeof(T));
  return v;
}
}  // namespace

PackResults read_results(const Json& man, const uint8_t* blob, size_t n) {
  const Json* resp = man.find("results");
  if (!resp) fail("this pack has no results");
  const Json& res = *resp;
  validate_results(res, man.at("layers"));
  if (double(n) != res.at("blob_bytes").num)
    fail("results: " + std::to_string(n) + " bytes, the manifest says " + std::to_string(uint64_t(res.at("blob_bytes").num)) + " (truncated?)");
  PackResults r;
  r.producer = res.at("producer").str; r.created = res.at("created").str;
  const Json& s = res.at("settings");
  r.settings.weights = {float(s.at("w_dec").num), float(s.at("w_enc").num), float(s.at("w_b").num), s.at("cosine").b};
  r.settings.int8 = s.at("int8").b; r.settings.gap = s.at("gap").num; r.settings.topk = int(s.at("topk").num);
  r.null_samples = int(res.at("null").at("samples").num);
  r.null_percentile = res.at("null").at("percentile").num;
  for (auto& x : res.at("norms").arr) r.norms.push_back(get<float>(x.at("array"), blob));
  const auto& hops = res.at("hops").arr;
  for (size_t k = 0; k < hops.size(); ++k) {
    const Json& h = hops[k];
    const std::string hw = "results hop " + std::to_string(k);
    const Json& a = h.at("arrays");
    HopResult hr;
    hr.from = int(h.at("from").num); hr.to = int(h.at("to").num);
    MatchResult& m = hr.match;
    m.FA = int(h.at("FA").num); m.FB = int(h.at("FB").num);
    const std::vector<int32_t> a_to_b = get<int32_t>(a.at("a_to_b"), blob);
    m.a_to_b.assign(a_to_b.begin(), a_to_b.end());
    m.cost = get<float>(a.at("cost"), blob); m.score = get<float>(a.at("score"), blob);
    m.u = get<double>(a.at("u"), blob); m.v = get<double>(a.at("v"), blob);
    hr.null_scores = get<float>(a.at("null_scores"), blob);
    std::vector<int> owner(size_t(m.FB), -1);
    for (int i = 0; i < m.FA; ++i) {
      const int j = m.a_to_b[size_t(i)];
      if (j < -1 || j >= m.FB) fail(hw + ": a_to_b[" + std::to_string(i) + "] = " + std::to_string(j) + " is outside -1.." + std::to_string(m.FB - 1));
      if (j < 0) continue;
      if (owner[size_t(j)] >= 0) fail(hw + ": a_to_b is not one-to-one (features " + std::to_string(owner[size_t(j)]) + " and " + std::to_string(i) + " both go to " + std::to_string(j) + ")");
      owner[size_t(j)] = i;
      if (!std::isfinite(m.cost[size_t(i)]) || !std::isfinite(m.score[size_t(i)])) fail(hw + ": cost or score of matched feature " + std::to_string(i) + " is not a finite number");
    }
    for (int j = 0; j < m.FB; ++j) if (owner[size_t(j)] < 0) m.unmatched_b.push_back(j);
    for (double x : m.u) if (!std::isfinite(x)) fail(hw + ": u contains NaN or Inf");
    for (double x : m.v) if (!std::isfinite(x)) fail(hw + ": v contains NaN or Inf");
    m.total = h.at("total").num; m.certified = h.at("certified").b;
    m.gap_bound = h.at("gap_bound").num; m.gap_budget = h.at("gap_budget").num;
    m.method = h.at("method").str;
    hr.null_cut = float(h.at("null_cut").num);
    r.hops.push_back(std::move(hr));
  }
  return r;
}
}  // namespace saematch
