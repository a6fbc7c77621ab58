#pragma once
// Feature labels from Neuronpedia's bulk explanation export: folders of batch-N.jsonl.gz files,
// one JSON object per line with modelId, layer ("{layer}-{source}", e.g. "12-gemmascope-res-16k"),
// index (a number or a string of digits), description and explanationModelName.
#include "saematch/limits.h"
#include <string>
#include <vector>

namespace saematch {
class NeuronpediaExplanations {
 public:
  // The pack's Neuronpedia model and source ids, and per pack layer its layer id and F.
  NeuronpediaExplanations(std::string model, std::string source, std::vector<int> layer_ids, std::vector<int> F);

  void add_jsonl(const std::string& text);  // the lines of one batch file
  void add_gzip_file(const std::string& path, const LoadLimits& lim);
  // Every batch-N.jsonl.gz under dir (subfolders too, as the export nests them); throws if the
  // folder is missing or holds none.
  void add_dir(const std::string& dir, const LoadLimits& lim);

  // Per pack layer: F labels ("" where no explanation), or an empty list if none at all.
  std::vector<std::vector<std::string>> labels() const;
  // Per pack layer: the distinct explainer models of the chosen explanations, sorted.
  std::vector<std::vector<std::string>> explainers() const;

  struct Counts {
    size_t files = 0, lines = 0, labelled = 0;  // labelled: features that got an explanation
    size_t not_json = 0, bad_index = 0, wrong_model = 0, bad_fields = 0;  // skipped as bad
    size_t other_layer = 0;  // well-formed lines for layers or sources this pack does not have
    size_t bad() const { return not_json + bad_index + wrong_model + bad_fields; }
  };
  const Counts& counts() const { return counts_; }
  std::string summary() const;  // one line for the CLI

 private:
  struct Pick { std::string id, explainer, description; };
  void add_line(const std::string& line);
  std::string model_, source_;
  std::vector<int> layer_ids_, F_;
  std::vector<std::vector<Pick>> picks_;
  Counts counts_;
};
}  // namespace saematch
