#include "saematch/loaders.h"
#include "saematch/arrays.h"
#include "saematch/error.h"
#include "saematch/zip.h"
#include <sys/stat.h>

namespace saematch {
Sae load_gemmascope_npz(const ByteSource& src, const LoadLimits& lim) {
  std::map<std::string, Tensor> arrays;
  for (auto& e : zip_list(src)) {
    std::string key = e.name;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".npy") == 0) key.resize(key.size() - 4);
    if (key != "W_enc" && key != "W_dec" && key != "b_enc" && key != "b_dec" && key != "threshold") continue;
    auto bytes = zip_read(src, e, lim);
    arrays[key] = parse_npy(bytes.data(), bytes.size(), src.name + ":" + e.name, lim);
  }
  bool jump = arrays.count("threshold") > 0;
  Sae s = sae_from_arrays(std::move(arrays), jump ? Activation::JumpReLU : Activation::ReLU, 0, src.name);
  s.meta.source = "npz";
  return s;
}

SaeLensConfig parse_saelens_config(const std::string& text) {
  Json j;
  try { j = Json::parse(text); } catch (const Error& e) { fail(std::string("cfg.json: ") + e.what()); }
  if (j.type != Json::Object) fail("cfg.json: not a JSON object");
  const Json* md = j.find("metadata");  // SAELens v6 moved model/hook here
  auto get = [&](const char* k) -> const Json* {
    if (const Json* v = j.find(k)) if (v->type != Json::Null) return v;
    if (md) if (const Json* v = md->find(k)) if (v->type != Json::Null) return v;
    return nullptr;
  };
  SaeLensConfig c;
  std::string arch = get("architecture") ? get("architecture")->as_str("architecture") : "standard";
  std::string actfn = get("activation_fn_str") ? get("activation_fn_str")->as_str("activation_fn_str")
                    : get("activation_fn") && get("activation_fn")->is_str() ? get("activation_fn")->str : "relu";
  if (arch == "jumprelu") c.act = Activation::JumpReLU;
  else if (arch == "topk" || actfn == "topk") c.act = Activation::TopK;
  else if (arch == "standard" || arch == "relu") c.act = Activation::ReLU;
  else fail("cfg.json: unsupported SAE architecture '" + arch + "' (supported: jumprelu, standard/relu, topk)");
  if (c.act == Activation::TopK) {
    const Json* k = get("k");
    if (!k) if (const Json* kw = get("activation_fn_kwargs")) k = kw->find("k");
    if (!k) fail("cfg.json: TopK SAE without k");
    c.topk = int(k->as_num("k"));
  }
  if (const Json* v = get("d_in")) c.d_in = int64_t(v->as_num("d_in"));
  if (const Json* v = get("d_sae")) c.d_sae = int64_t(v->as_num("d_sae"));
  if (const Json* v = get("model_name")) if (v->is_str()) c.meta.model = v->str;
  if (const Json* v = get("hook_name")) { if (v->is_str()) c.meta.hook = v->str; }
  else if (const Json* v2 = get("hook_point")) { if (v2->is_str()) c.meta.hook = v2->str; }
  if (const Json* v = get("hook_layer")) { if (v->is_num()) c.meta.layer = int(v->num); }
  else if (const Json* v2 = get("hook_point_layer")) { if (v2->is_num()) c.meta.layer = int(v2->num); }
  if (const Json* v = get("neuronpedia_id")) if (v->is_str()) c.meta.source = v->str;
  return c;
}

Sae load_saelens(const SaeLensConfig* cfg, const ByteSource& src, const LoadLimits& lim) {
  auto first = src.read(0, size_t(std::min<uint64_t>(8, src.size())));
  if (first.size() < 8) fail(src.name + ": not a safetensors file (too short)");
  uint64_t hl = safetensors_header_length(first.data(), src.size());
  auto hb = src.read(8, size_t(hl));
  auto hdr = parse_safetensors_header(std::string(hb.begin(), hb.end()), src.size(), lim);
  std::map<std::string, Tensor> arrays;
  for (auto& kv : hdr.tensors) {
    auto bytes = src.read(hdr.data_start + kv.second.begin, size_t(kv.second.end - kv.second.begin));
    arrays[kv.first] = safetensors_tensor(kv.second, bytes.data(), bytes.size(), src.name + ":" + kv.first);
  }
  Activation act = cfg ? cfg->act : (arrays.count("threshold") || arrays.count("log_threshold") ? Activation::JumpReLU : Activation::ReLU);
  Sae s = sae_from_arrays(std::move(arrays), act, cfg ? cfg->topk : 0, src.name);
  if (cfg) {
    if (cfg->d_in >= 0 && cfg->d_in != s.d()) fail(src.name + ": cfg.json says d_in=" + std::to_string(cfg->d_in) + " but weights have d_model=" + std::to_string(s.d()));
    if (cfg->d_sae >= 0 && cfg->d_sae != s.F()) fail(src.name + ": cfg.json says d_sae=" + std::to_string(cfg->d_sae) + " but weights have F=" + std::to_string(s.F()));
    s.meta = cfg->meta;
  }
  return s;
}

namespace {
bool is_dir(const std::string& p) { struct stat st; return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode); }
bool exists(const std::string& p) { struct stat st; return stat(p.c_str(), &st) == 0; }
bool ends_with(const std::string& s, const std::string& e) { return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0; }
std::string dirname_of(const std::string& p) { auto k = p.find_last_of('/'); return k == std::string::npos ? "." : p.substr(0, k); }
// A SAELens cfg.json is a few KB; 16 MiB leaves room and keeps a wrong file from filling memory.
std::string read_config(const std::string& p) { auto b = read_whole_file(p, uint64_t(16) << 20); return std::string(b.begin(), b.end()); }
}  // namespace

Sae load_sae(const std::string& path, const LoadLimits& lim) {
  if (is_dir(path)) {
    std::string cfgp = path + "/cfg.json", wp = path + "/sae_weights.safetensors";
    if (!exists(wp)) fail(path + ": directory has no sae_weights.safetensors (expected a SAELens SAE folder)");
    SaeLensConfig c;
    bool has = exists(cfgp);
    if (has) c = parse_saelens_config(read_config(cfgp));
    return load_saelens(has ? &c : nullptr, *open_file(wp), lim);
  }
  if (ends_with(path, ".npz")) return load_gemmascope_npz(*open_file(path), lim);
  if (ends_with(path, ".safetensors")) {
    std::string cfgp = dirname_of(path) + "/cfg.json";
    SaeLensConfig c;
    bool has = exists(cfgp);
    if (has) c = parse_saelens_config(read_config(cfgp));
    return load_saelens(has ? &c : nullptr, *open_file(path), lim);
  }
  fail(path + ": unknown SAE format (expected params.npz, a .safetensors file, or a SAELens folder)");
}

std::string describe_sae(const Sae& s) {
  std::string o = std::string(activation_name(s.act)) + " SAE, d_model=" + std::to_string(s.d()) + ", F=" + std::to_string(s.F());
  if (s.act == Activation::TopK) o += ", k=" + std::to_string(s.topk);
  if (s.act == Activation::JumpReLU) o += ", threshold range [" + std::to_string(s.threshold.minCoeff()) + ", " + std::to_string(s.threshold.maxCoeff()) + "]";
  else o += " (no threshold: folding is the identity)";
  if (!s.meta.model.empty()) o += ", model " + s.meta.model;
  if (!s.meta.hook.empty()) o += ", hook " + s.meta.hook;
  return o;
}
}  // namespace saematch
