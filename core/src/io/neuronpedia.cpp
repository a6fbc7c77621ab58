#include "saematch/neuronpedia.h"
#include "saematch/error.h"
#include "saematch/gzip.h"
#include "saematch/json.h"
#include "saematch/source.h"
#include <algorithm>
#include <cmath>
#include <dirent.h>
#include <set>
#include <sys/stat.h>
#include <tuple>

namespace saematch {
namespace {
std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

// The feature index of a line: a JSON integer or a string of at most 9 digits; -1 if neither.
long long feature_index(const Json& v) {
  if (v.is_num()) return v.num >= 0 && v.num < 1e9 && v.num == std::floor(v.num) ? (long long)v.num : -1;
  if (!v.is_str() || v.str.empty() || v.str.size() > 9) return -1;
  for (char c : v.str) if (c < '0' || c > '9') return -1;
  return std::stoll(v.str);
}

bool is_batch_file(const std::string& name) {  // batch-<digits>.jsonl.gz
  const std::string head = "batch-", tail = ".jsonl.gz";
  if (name.size() <= head.size() + tail.size() || name.compare(0, head.size(), head) != 0 ||
      name.compare(name.size() - tail.size(), tail.size(), tail) != 0) return false;
  for (size_t k = head.size(); k < name.size() - tail.size(); ++k) if (name[k] < '0' || name[k] > '9') return false;
  return true;
}

// Batch files below dir, sorted; depth-limited so a symlink loop cannot recurse forever.
void find_batches(const std::string& dir, int depth, std::vector<std::string>& out) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) names.push_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  for (auto& n : names) {
    if (n == "." || n == "..") continue;
    const std::string p = dir + "/" + n;
    struct stat st;
    if (stat(p.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode) && depth < 6) find_batches(p, depth + 1, out);
    else if (S_ISREG(st.st_mode) && is_batch_file(n)) out.push_back(p);
  }
}
}  // namespace

NeuronpediaExplanations::NeuronpediaExplanations(std::string model, std::string source, std::vector<int> layer_ids, std::vector<int> F)
    : model_(std::move(model)), source_(std::move(source)), layer_ids_(std::move(layer_ids)), F_(std::move(F)) {
  if (model_.empty() || source_.empty()) fail("Neuronpedia explanations need the pack's Neuronpedia model and source ids");
  if (layer_ids_.size() != F_.size()) fail("Neuronpedia explanations: one F per layer needed");
  picks_.resize(F_.size());
  for (size_t l = 0; l < F_.size(); ++l) picks_[l].resize(size_t(std::max(F_[l], 0)));
}

void NeuronpediaExplanations::add_line(const std::string& raw) {
  const std::string line = trim(raw);
  if (line.empty()) return;
  ++counts_.lines;
  Json j;
  try { j = Json::parse(line); } catch (const Error&) { ++counts_.not_json; return; }
  const Json* model = j.find("modelId");
  const Json* layer = j.find("layer");
  const Json* desc = j.find("description");
  if (!model || !model->is_str() || !layer || !layer->is_str() || !j.find("index") || !desc || !desc->is_str()) { ++counts_.bad_fields; return; }
  if (model->str != model_) { ++counts_.wrong_model; return; }
  // Which pack layer: Neuronpedia's layer string is "{layer id}-{source}".
  size_t l = 0;
  while (l < layer_ids_.size() && layer->str != std::to_string(layer_ids_[l]) + "-" + source_) ++l;
  if (l == layer_ids_.size()) { ++counts_.other_layer; return; }
  const long long i = feature_index(j.at("index"));
  if (i < 0 || i >= F_[l]) { ++counts_.bad_index; return; }
  Pick cand;
  cand.description = trim(desc->str);
  if (cand.description.empty()) { ++counts_.bad_fields; return; }
  if (const Json* x = j.find("explanationModelName")) if (x->is_str()) cand.explainer = x->str;
  if (const Json* x = j.find("id")) if (x->is_str()) cand.id = x->str;
  // Several explanations of one feature: keep the one whose Neuronpedia id sorts first (ids are
  // cuids, which start with a base-36 timestamp, so usually the oldest: the release's original
  // auto-interp pass), then by explainer, then by text. The pick depends only on the set of
  // lines, never on file or line order.
  Pick& cur = picks_[l][size_t(i)];
  if (cur.description.empty()) ++counts_.labelled;
  if (cur.description.empty() || std::tie(cand.id, cand.explainer, cand.description) < std::tie(cur.id, cur.explainer, cur.description))
    cur = std::move(cand);
}

void NeuronpediaExplanations::add_jsonl(const std::string& text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    add_line(text.substr(start, end - start));
    start = end + 1;
  }
}

void NeuronpediaExplanations::add_gzip_file(const std::string& path, const LoadLimits& lim) {
  auto gz = read_whole_file(path, lim.max_array_bytes);
  auto text = gunzip(gz.data(), gz.size(), lim, path);
  ++counts_.files;
  add_jsonl(std::string(text.begin(), text.end()));
}

void NeuronpediaExplanations::add_dir(const std::string& dir, const LoadLimits& lim) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) fail(dir + ": no such folder (expected Neuronpedia's explanation export)");
  if (!S_ISDIR(st.st_mode)) fail(dir + ": not a folder (expected Neuronpedia's explanation export)");
  std::vector<std::string> files;
  find_batches(dir, 0, files);
  if (files.empty()) fail(dir + ": no batch-N.jsonl.gz files in this folder (expected Neuronpedia's explanation export)");
  for (auto& f : files) add_gzip_file(f, lim);
}

std::vector<std::vector<std::string>> NeuronpediaExplanations::labels() const {
  std::vector<std::vector<std::string>> out(picks_.size());
  for (size_t l = 0; l < picks_.size(); ++l) {
    bool any = false;
    for (auto& p : picks_[l]) any |= !p.description.empty();
    if (!any) continue;
    for (auto& p : picks_[l]) out[l].push_back(p.description);
  }
  return out;
}

std::vector<std::vector<std::string>> NeuronpediaExplanations::explainers() const {
  std::vector<std::vector<std::string>> out(picks_.size());
  for (size_t l = 0; l < picks_.size(); ++l) {
    std::set<std::string> names;
    for (auto& p : picks_[l]) if (!p.description.empty()) names.insert(p.explainer.empty() ? "unknown" : p.explainer);
    out[l].assign(names.begin(), names.end());
  }
  return out;
}

std::string NeuronpediaExplanations::summary() const {
  const Counts& c = counts_;
  size_t layers = 0;
  for (auto& l : labels()) layers += !l.empty();
  return "Neuronpedia explanations: " + std::to_string(c.files) + " files, " + std::to_string(c.lines) + " lines; labels for " +
         std::to_string(c.labelled) + " features on " + std::to_string(layers) + " layers; skipped " + std::to_string(c.bad()) +
         " bad lines (" + std::to_string(c.not_json) + " not JSON, " + std::to_string(c.bad_index) + " index out of range, " +
         std::to_string(c.wrong_model) + " wrong model, " + std::to_string(c.bad_fields) + " missing fields); " +
         std::to_string(c.other_layer) + " lines for layers not in this pack";
}
}  // namespace saematch
