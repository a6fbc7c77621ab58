#include "saematch/pack.h"
#include "manifest_checks.h"
#include "saematch/error.h"
#include "saematch/half.h"
#include "saematch/quant.h"
#include "saematch/result_pack.h"
#include "saematch/sha256.h"
#include <cstdint>
#include <cstdio>
#include <cmath>
#include <cstring>

namespace saematch {
namespace {
void append(std::vector<uint8_t>& b, const void* p, size_t n) { auto* c = static_cast<const uint8_t*>(p); b.insert(b.end(), c, c + n); }

// Writes one matrix in the chosen encoding; returns its manifest description.
Json put_matrix(std::vector<uint8_t>& blob, const std::string& name, const MatF& m, const std::string& quant, double* err) {
  Json a = Json::object();
  a.set("name", Json::string(name));
  a.set("rows", Json::number(double(m.rows()))); a.set("cols", Json::number(double(m.cols())));
  a.set("offset", Json::number(double(blob.size())));
  if (quant == "int8") {
    QuantInt8 q = quantize_int8_rows(m);
    append(blob, q.scale.data(), q.scale.size() * 4);
    append(blob, q.q.data(), q.q.size());
    if (err) *err = relative_error(m, dequantize(q));
    a.set("encoding", Json::string("int8_rows"));
  } else if (quant == "fp16") {
    auto h = to_fp16(m);
    append(blob, h.data(), h.size() * 2);
    if (err) *err = relative_error(m, from_fp16(h.data(), int(m.rows()), int(m.cols())));
    a.set("encoding", Json::string("fp16"));
  } else if (quant == "f32") {
    append(blob, m.data(), size_t(m.size()) * 4);
    if (err) *err = 0;
    a.set("encoding", Json::string("f32"));
  } else fail("unknown quantisation '" + quant + "' (use int8, fp16 or f32)");
  while (blob.size() % 4) blob.push_back(0);  // keep every array 4-byte aligned
  a.set("bytes", Json::number(double(blob.size()) - a.at("offset").num));
  return a;
}

// Where one manifest array lies in the layer's bytes, after checking its shape, encoding and
// extent: everything that reads an array goes through here.
struct ArrayView { std::string name, enc; size_t rows = 0, cols = 0; const uint8_t* p = nullptr; };
ArrayView locate_array(const Json& a, const uint8_t* blob, size_t n) {
  ArrayView v;
  v.name = a.at("name").as_str("array name");
  const std::string& name = v.name;
  double rows_d = a.at("rows").as_num(name), cols_d = a.at("cols").as_num(name), off_d = a.at("offset").as_num(name);
  if (rows_d < 0 || cols_d < 0 || off_d < 0 || rows_d > 1e7 || cols_d > 1e6) fail("pack array '" + name + "' has an implausible shape");
  size_t rows = size_t(rows_d), cols = size_t(cols_d), off = size_t(off_d);
  v.enc = a.at("encoding").as_str(name);
  const std::string& enc = v.enc;
  size_t need = enc == "int8_rows" ? rows * 4 + rows * cols : enc == "fp16" ? rows * cols * 2 : enc == "f32" ? rows * cols * 4 : 0;
  if (need == 0 && rows * cols != 0) fail("pack array '" + name + "' has unknown encoding '" + enc + "'");
  if (off > n || need > n - off) fail("pack array '" + name + "' lies outside the layer data (truncated or mismatched shard?)");
  v.rows = rows; v.cols = cols; v.p = blob + off;
  return v;
}

MatF get_matrix(const Json& a, const uint8_t* blob, size_t n) {
  const ArrayView v = locate_array(a, blob, n);
  const std::string& name = v.name;
  const size_t rows = v.rows, cols = v.cols;
  const uint8_t* p = v.p;
  const std::string& enc = v.enc;
  MatF m(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  if (enc == "int8_rows") {
    for (size_t i = 0; i < rows; ++i) {
      float s; std::memcpy(&s, p + i * 4, 4);
      const int8_t* q = reinterpret_cast<const int8_t*>(p + rows * 4 + i * cols);
      for (size_t j = 0; j < cols; ++j) m(Eigen::Index(i), Eigen::Index(j)) = float(q[j]) * s;
    }
  } else if (enc == "fp16") {
    for (size_t k = 0; k < rows * cols; ++k) m.data()[k] = half_to_float(uint16_t(p[2 * k] | p[2 * k + 1] << 8));
  } else {
    std::memcpy(m.data(), p, rows * cols * 4);
  }
  for (Eigen::Index k = 0; k < m.size(); ++k) if (!std::isfinite(m.data()[k])) fail("pack array '" + name + "' contains NaN or Inf");
  return m;
}

std::string two(int l) { char b[16]; std::snprintf(b, sizeof b, "%02d", l); return b; }
}  // namespace

Json shard_blob(const std::vector<uint8_t>& blob, const std::string& stem, size_t max_shard_bytes, std::vector<PackFile>& files) {
  Json shards = Json::array();
  for (size_t off = 0, k = 0; off < blob.size(); off += max_shard_bytes, ++k) {
    const size_t len = std::min(max_shard_bytes, blob.size() - off);
    PackFile f{stem + "." + std::to_string(k) + ".bin", std::vector<uint8_t>(blob.begin() + long(off), blob.begin() + long(off + len))};
    Json sh = Json::object();
    sh.set("url", Json::string(f.name));
    sh.set("bytes", Json::number(double(len)));
    sh.set("sha256", Json::string(sha256_hex(f.bytes.data(), len)));
    shards.push(sh);
    files.push_back(std::move(f));
  }
  return shards;
}

std::vector<PackFile> make_pack(const std::vector<Sae>& saes, const std::vector<std::vector<std::string>>& labels,
                                const PackOptions& o, PackReport* report) {
  if (saes.empty()) fail("pack: no layers given");
  if (o.max_shard_bytes < 4096) fail("pack: shard size must be at least 4096 bytes");
  std::vector<PackFile> files;
  Json man = Json::object();
  man.set("format", Json::string("saematch-pack"));
  man.set("version", Json::number(1));
  man.set("title", Json::string(o.title));
  man.set("model", Json::string(o.model));
  man.set("hook", Json::string(o.hook));
  man.set("d_model", Json::number(saes[0].d()));
  man.set("quant", Json::string(o.quant));
  if (!o.neuronpedia_model.empty()) {
    Json np = Json::object();
    np.set("model", Json::string(o.neuronpedia_model));
    np.set("source", Json::string(o.neuronpedia_source));
    man.set("neuronpedia", np);
  }
  Json layers = Json::array();
  for (size_t l = 0; l < saes.size(); ++l) {
    const Sae& raw = saes[l];
    raw.validate("layer " + std::to_string(l));
    if (raw.d() != saes[0].d()) fail("pack: layer " + std::to_string(l) + " has d_model=" + std::to_string(raw.d()) + ", layer 0 has " + std::to_string(saes[0].d()));
    Sae s = fold(raw);
    std::vector<uint8_t> blob;
    double edec = 0, eenc = 0;
    Json arrays = Json::array();
    arrays.push(put_matrix(blob, "W_dec", s.W_dec, o.quant, &edec));
    arrays.push(put_matrix(blob, "W_enc_T", s.W_enc.transpose(), o.quant, &eenc));
    arrays.push(put_matrix(blob, "b_enc", MatF(s.b_enc.transpose()), "f32", nullptr));
    arrays.push(put_matrix(blob, "b_dec", MatF(s.b_dec.transpose()), "f32", nullptr));
    // The raw thresholds, so a reader can still compare with matching unfolded weights.
    if (raw.act == Activation::JumpReLU) arrays.push(put_matrix(blob, "threshold", MatF(raw.threshold.transpose()), "f32", nullptr));
    if (report) { report->dec_rel_err.push_back(edec); report->enc_rel_err.push_back(eenc); }
    Json e = Json::object();
    e.set("index", Json::number(double(l)));
    e.set("layer", Json::number(raw.meta.layer >= 0 ? raw.meta.layer : double(l)));
    e.set("hook", Json::string(raw.meta.hook));
    e.set("F", Json::number(s.F()));
    e.set("d_model", Json::number(s.d()));
    e.set("activation", Json::string(activation_name(raw.act)));
    e.set("topk", Json::number(raw.topk));
    e.set("folded", Json::boolean(true));
    e.set("folding_changed_weights", Json::boolean(raw.act == Activation::JumpReLU));
    e.set("blob_bytes", Json::number(double(blob.size())));
    e.set("arrays", arrays);
    Json qe = Json::object();
    qe.set("W_dec", Json::number(edec)); qe.set("W_enc", Json::number(eenc));
    e.set("quant_error", qe);
    e.set("shards", shard_blob(blob, "layer" + two(int(l)), o.max_shard_bytes, files));
    if (l < labels.size() && !labels[l].empty()) {
      if (int(labels[l].size()) != s.F()) fail("pack: layer " + std::to_string(l) + " has " + std::to_string(labels[l].size()) + " labels for " + std::to_string(s.F()) + " features");
      Json arr = Json::array();
      for (auto& t : labels[l]) arr.push(Json::string(t));
      std::string text = arr.dump();
      PackFile f{"labels" + two(int(l)) + ".json", std::vector<uint8_t>(text.begin(), text.end())};
      e.set("labels", Json::string(f.name));
      e.set("labels_count", Json::number(double(labels[l].size())));
      files.push_back(std::move(f));
    }
    if (l < o.explainers.size() && !o.explainers[l].empty()) {
      Json ex = Json::array();
      for (auto& name : o.explainers[l]) ex.push(Json::string(name));
      e.set("explainers", ex);
    }
    layers.push(e);
  }
  man.set("layers", layers);
  std::string text = man.dump();
  files.insert(files.begin(), PackFile{"manifest.json", std::vector<uint8_t>(text.begin(), text.end())});
  return files;
}

// A manifest number that must be an exact integer in [lo, hi]; `what` names it in the message.
uint64_t manifest_int(const Json& parent, const char* key, uint64_t lo, uint64_t hi, const std::string& what) {
  const Json* v = parent.find(key);
  if (!v) fail(what + " has no " + key);
  if (!v->is_num() || !(v->num >= double(lo)) || !(v->num <= double(hi)) || v->num != std::floor(v->num)) {
    std::string got = v->is_str() ? "\"" + v->str.substr(0, 40) + "\"" : v->is_num() ? Json::number(v->num).dump() : "not a number";
    fail(what + ": " + key + " must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi) + " (got " + got + ")");
  }
  return uint64_t(v->num);
}

// A shard list whose sizes add up to blob_bytes, each shard with a url (and, when
// require_digests, a SHA-256 as 64 lowercase hex digits): layer entries and results alike.
void validate_shard_list(const Json& owner, uint64_t blob, const std::string& what, bool require_digests) {
  const Json* shards = owner.find("shards");
  if (!shards || shards->type != Json::Array) fail(what + " has no shard list");
  uint64_t total = 0;
  for (size_t k = 0; k < shards->arr.size(); ++k) {
    const Json& sh = shards->arr[k];
    const std::string sw = what + " shard " + std::to_string(k);
    if (sh.type != Json::Object || !sh.find("url") || !sh.at("url").is_str() || sh.at("url").str.empty()) fail(sw + " has no url");
    total += manifest_int(sh, "bytes", 1, blob, sw);
    if (require_digests) {
      const Json* d = sh.find("sha256");
      if (!d || !d->is_str() || d->str.size() != 64 || d->str.find_first_not_of("0123456789abcdef") != std::string::npos)
        fail(sw + ": sha256 must be 64 lowercase hex digits");
    }
    if (total > blob) break;
  }
  if (total != blob) fail(what + ": its shards hold " + std::to_string(total) + " bytes, blob_bytes says " + std::to_string(blob));
}

namespace {

// Bytes an array of this encoding and shape takes, or 0 for an unknown encoding.
uint64_t array_bytes(const std::string& enc, uint64_t rows, uint64_t cols) {
  return enc == "int8_rows" ? rows * 4 + rows * cols : enc == "fp16" ? rows * cols * 2 : enc == "f32" ? rows * cols * 4 : 0;
}

void validate_layer(const Json& e, uint64_t d, const LoadLimits& lim, const std::string& what) {
  if (e.type != Json::Object) fail(what + " is not a JSON object");
  manifest_int(e, "layer", 0, 1000000, what);
  const uint64_t F = manifest_int(e, "F", 1, uint64_t(1) << 24, what);
  check_size_claim(F * d * 4, lim, what + " (F x d_model floats)");
  const uint64_t blob = manifest_int(e, "blob_bytes", 0, uint64_t(1) << 40, what);
  // Arrays: known names and encodings, shapes that fit F and d_model, inside blob_bytes.
  const Json& arrays = e.at("arrays");
  if (arrays.type != Json::Array || arrays.arr.empty() || arrays.arr.size() > 16) fail(what + " has no array list");
  uint64_t used = 0;
  for (auto& a : arrays.arr) {
    const std::string& name = a.at("name").as_str(what + " array name");
    const std::string aw = what + " array '" + name.substr(0, 40) + "'";
    const uint64_t rows = manifest_int(a, "rows", 0, uint64_t(1) << 24, aw), cols = manifest_int(a, "cols", 0, uint64_t(1) << 24, aw);
    const uint64_t want_rows = name == "b_enc" || name == "b_dec" ? 1 : F, want_cols = name == "b_enc" ? F : d;
    if ((name == "W_dec" || name == "W_enc_T" || name == "b_enc" || name == "b_dec") && (rows != want_rows || cols != want_cols))
      fail(aw + " has shape [" + std::to_string(rows) + "," + std::to_string(cols) + "], expected [" + std::to_string(want_rows) + "," + std::to_string(want_cols) + "] from F and d_model");
    const uint64_t need = array_bytes(a.at("encoding").as_str(aw + " encoding"), rows, cols);
    if (need == 0 && rows * cols != 0) fail(aw + " has an unknown encoding");
    const uint64_t off = manifest_int(a, "offset", 0, blob, aw);
    if (need > blob - off) fail(aw + " lies outside the layer's " + std::to_string(blob) + " bytes (blob_bytes)");
    used += need + 3;  // each array is padded to 4 bytes
  }
  if (blob > used) fail(what + ": blob_bytes " + std::to_string(blob) + " is more than its arrays take (" + std::to_string(used) + ")");
  validate_shard_list(e, blob, what, false);
  if (e.find("topk")) manifest_int(e, "topk", 0, F, what);
  if (const Json* act = e.find("activation"))
    if (!act->is_str() || (act->str != "jumprelu" && act->str != "relu" && act->str != "topk")) fail(what + ": activation must be jumprelu, relu or topk");
  if (const Json* lab = e.find("labels")) if (!lab->is_str() || lab->str.empty()) fail(what + ": labels must name a file");
  if (const Json* ex = e.find("explainers")) {
    if (ex->type != Json::Array) fail(what + ": explainers must be a list of model names");
    for (auto& x : ex->arr) x.as_str(what + ": every explainer");
  }
  if (e.find("labels_count") && manifest_int(e, "labels_count", 0, uint64_t(1) << 24, what) != F)
    fail(what + ": labels_count " + std::to_string(int64_t(e.at("labels_count").num)) + " differs from F=" + std::to_string(F));
}
}  // namespace

void validate_manifest(const Json& m, const LoadLimits& lim) {
  if (m.type != Json::Object) fail("manifest is not a JSON object");
  const Json* f = m.find("format");
  if (!f || !f->is_str() || f->str != "saematch-pack") fail("not a saematch pack manifest (format field missing or wrong)");
  if (m.at("version").as_num("version") != 1) fail("unsupported pack version");
  const uint64_t d = manifest_int(m, "d_model", 1, 65536, "manifest");
  const Json& layers = m.at("layers");
  if (layers.type != Json::Array || layers.arr.size() < 1) fail("manifest has no layers");
  if (layers.arr.size() > 4096) fail("manifest lists " + std::to_string(layers.arr.size()) + " layers, more than 4096");
  for (size_t l = 0; l < layers.arr.size(); ++l) {
    const Json& e = layers.arr[l];
    const std::string what = "layer " + std::to_string(l);
    if (e.type == Json::Object && e.find("d_model") && e.at("d_model").is_num() && e.at("d_model").num != double(d))
      fail("d_model mismatch: layer " + std::to_string(l) + " has d_model=" + Json::number(e.at("d_model").num).dump() + ", the pack says " + std::to_string(d));
    manifest_int(e, "d_model", 1, 65536, what);
    validate_layer(e, d, lim, what);
  }
  if (const Json* results = m.find("results")) validate_results(*results, layers, lim);  // a result pack (result_pack.h)
}

std::vector<std::string> parse_layer_labels(const std::string& text, const Json& entry, const std::string& what) {
  Json j;
  try { j = Json::parse(text); } catch (const Error& e) { fail(what + ": " + e.what()); }
  if (j.type != Json::Array) fail(what + ": labels must be a JSON array of strings");
  const uint64_t F = manifest_int(entry, "F", 1, uint64_t(1) << 24, what);
  if (j.arr.size() != F) fail(what + ": " + std::to_string(j.arr.size()) + " labels for " + std::to_string(F) + " features");
  std::vector<std::string> out;
  out.reserve(j.arr.size());
  for (auto& v : j.arr) out.push_back(v.as_str(what + ": every label"));
  return out;
}

void check_layer_bytes(const Json& e, size_t n, const std::string& what) {
  // The entry may come straight from a page (the engine's setPackLayer): check it whole first.
  validate_layer(e, manifest_int(e, "d_model", 1, 65536, what), LoadLimits(), what);
  const double want = e.at("blob_bytes").as_num("blob_bytes");
  if (double(n) != want)
    fail(what + ": " + std::to_string(n) + " bytes of weights, the manifest says " + std::to_string(size_t(want)) + " (truncated?)");
}

Sae pack_layer_to_sae(const Json& e, const uint8_t* blob, size_t n) {
  check_layer_bytes(e, n, "layer data");
  Sae s;
  const std::string& act = e.at("activation").as_str("activation");
  s.act = act == "jumprelu" ? Activation::JumpReLU : act == "topk" ? Activation::TopK : Activation::ReLU;
  s.topk = int(e.at("topk").as_num("topk"));
  for (auto& a : e.at("arrays").arr) {
    const std::string& name = a.at("name").as_str("array name");
    MatF m = get_matrix(a, blob, n);
    if (name == "W_dec") s.W_dec = m;
    else if (name == "W_enc_T") s.W_enc = m.transpose();
    else if (name == "b_enc") s.b_enc = Eigen::Map<VecF>(m.data(), m.size());
    else if (name == "b_dec") s.b_dec = Eigen::Map<VecF>(m.data(), m.size());
  }
  if (int(e.at("F").as_num("F")) != s.F() || int(e.at("d_model").as_num("d_model")) != s.d()) fail("layer arrays disagree with the manifest's F / d_model");
  if (s.act == Activation::JumpReLU) s.threshold = VecF::Ones(s.F());
  s.folded = true;
  s.meta.layer = int(e.at("layer").as_num("layer"));
  if (const Json* h = e.find("hook")) if (h->is_str()) s.meta.hook = h->str;
  s.validate("pack layer " + std::to_string(s.meta.layer));
  return s;
}
namespace {
// The manifest entry of one of a layer's arrays.
const Json& layer_array(const Json& entry, const std::string& name) {
  for (auto& a : entry.at("arrays").arr)
    if (a.at("name").as_str("array name") == name) return a;
  fail("pack layer has no " + name + " array");
}

// The folded decoder as an int8 pack stores it: per-row float scales, then rows of int8.
struct Int8Rows { size_t rows = 0, cols = 0; const uint8_t* scales = nullptr; const int8_t* q = nullptr; };

// Finds W_dec and checks it lies inside the blob; false when it is not int8-encoded.
bool int8_decoder(const PackedLayer& p, Int8Rows& v) {
  const ArrayView a = locate_array(layer_array(p.entry, "W_dec"), p.blob.data(), p.blob.size());
  if (a.enc != "int8_rows") return false;
  if (int(a.rows) != p.F() || int(a.cols) != p.d()) fail("layer arrays disagree with the manifest's F / d_model");
  v.rows = a.rows; v.cols = a.cols;
  v.scales = a.p;
  v.q = reinterpret_cast<const int8_t*>(a.p + a.rows * 4);
  return true;
}

float scale_of(const Int8Rows& v, size_t i) {
  float s;
  std::memcpy(&s, v.scales + i * 4, 4);
  if (!std::isfinite(s)) fail("pack array 'W_dec' contains NaN or Inf");
  return s;
}
}  // namespace

bool PackedLayer::decoder_rows(QuantRows& out, float weight) const {
  if (!(weight > 0) || !std::isfinite(weight)) fail("decoder weight must be finite and > 0");
  Int8Rows v;
  if (!int8_decoder(*this, v)) return false;
  out.rows = int(v.rows); out.cols = int(v.cols); out.stride = (out.cols + 7) / 8 * 8;
  out.q.assign(v.rows * size_t(out.stride), 0);
  out.scale.resize(out.rows);
  const float root = std::sqrt(weight);  // cost weight w scales the embedding by sqrt(w)
  for (size_t i = 0; i < v.rows; ++i) {
    out.scale[Eigen::Index(i)] = scale_of(v, i) * root;
    std::copy(v.q + i * v.cols, v.q + (i + 1) * v.cols, &out.q[i * size_t(out.stride)]);
  }
  prepare_int8_kernels(out);
  return true;
}

std::vector<float> PackedLayer::decoder_norms() const {
  std::vector<float> n;
  Int8Rows v;
  if (int8_decoder(*this, v)) {  // from the stored integers, no copy
    n.resize(v.rows);
    for (size_t i = 0; i < v.rows; ++i) {
      int64_t s2 = 0;
      for (size_t k = 0; k < v.cols; ++k) { const int64_t x = v.q[i * v.cols + k]; s2 += x * x; }
      n[i] = float(double(scale_of(v, i)) * std::sqrt(double(s2)));
    }
    return n;
  }
  MatF w = get_matrix(layer_array(entry, "W_dec"), blob.data(), blob.size());
  n.resize(size_t(w.rows()));
  for (Eigen::Index i = 0; i < w.rows(); ++i) n[size_t(i)] = w.row(i).norm();
  return n;
}

int PackedLayer::F() const { return int(entry.at("F").as_num("F")); }
int PackedLayer::d() const { return int(entry.at("d_model").as_num("d_model")); }

PackedLayer pack_single_layer(const Sae& raw, const std::string& quant) {
  PackOptions o;
  o.quant = quant;
  o.max_shard_bytes = SIZE_MAX / 2;  // one shard: nothing is served, it only stays in memory (1 << 40 overflowed wasm32)
  auto files = make_pack({raw}, {}, o, nullptr);
  PackedLayer p;
  for (auto& f : files) {
    if (f.name == "manifest.json") p.entry = Json::parse(std::string(f.bytes.begin(), f.bytes.end())).at("layers").arr.at(0);
    else if (f.name.rfind("layer00.", 0) == 0) p.blob.insert(p.blob.end(), f.bytes.begin(), f.bytes.end());
  }
  return p;
}
}  // namespace saematch
