#pragma once
// The browser pack: manifest.json + binary shards (<= max_shard_bytes each) holding, per layer,
// the folded SAE quantised (int8 per-row scales, or fp16). Core builds it in memory; the CLI
// writes the files; the WASM engine turns a verified layer blob back into an SAE.
#include "saematch/int8_cost.h"
#include "saematch/json.h"
#include "saematch/limits.h"
#include "saematch/sae.h"
#include <string>
#include <vector>

namespace saematch {
struct PackOptions {
  std::string quant = "int8";   // "int8" | "fp16" | "f32"
  size_t max_shard_bytes = 8u << 20;
  std::string model, hook;
  std::string neuronpedia_model, neuronpedia_source;  // link target {model}/{layer}-{source}/{index}
  std::string title;
  // Per layer, the models that wrote its labels (e.g. Neuronpedia's explanationModelName);
  // recorded as the layer entry's "explainers" when non-empty.
  std::vector<std::vector<std::string>> explainers;
};
struct PackFile { std::string name; std::vector<uint8_t> bytes; };
struct PackReport { std::vector<double> dec_rel_err, enc_rel_err; };

// labels: optional, one list per layer (empty vector = none). Layers must share d_model.
std::vector<PackFile> make_pack(const std::vector<Sae>& saes, const std::vector<std::vector<std::string>>& labels,
                                const PackOptions& o, PackReport* report = nullptr);
// Cuts a blob into shards `<stem>.K.bin` of at most max_shard_bytes, appends them to files and
// returns their manifest entries ({url, bytes, sha256}): layer blobs and result blobs alike.
Json shard_blob(const std::vector<uint8_t>& blob, const std::string& stem, size_t max_shard_bytes, std::vector<PackFile>& files);
// Rebuild a (folded) SAE from one manifest layer entry and its concatenated shard bytes.
Sae pack_layer_to_sae(const Json& layer, const uint8_t* blob, size_t n);
// One layer kept the way a pack stores it (folded, quantised) and expanded to an SAE only
// while it is being used: about 76 MB per Gemma Scope 16k layer instead of about 300 MB as
// floats, so a whole model's layers can stay within WASM's 4 GB.
struct PackedLayer {
  Json entry;                 // the manifest's layer entry
  std::vector<uint8_t> blob;  // its shards concatenated
  int F() const;
  int d() const;
  Sae expand() const { return pack_layer_to_sae(entry, blob.data(), blob.size()); }
  // The folded decoder rows exactly as stored, ready for the int8 matcher (embedding of cost
  // weight w_dec = weight), with no float copy; false when the pack is not int8.
  bool decoder_rows(QuantRows& out, float weight = 1.f) const;
  std::vector<float> decoder_norms() const;  // |folded decoder row| per feature, without expanding
};
// Folds (if JumpReLU) and quantises a loaded SAE into that form.
PackedLayer pack_single_layer(const Sae& raw, const std::string& quant = "int8");
// Throws unless n is the layer entry's blob_bytes; `what` names the layer in the message.
void check_layer_bytes(const Json& entry, size_t n, const std::string& what);
// Checks everything a manifest claims before any of it is trusted: format and version; d_model,
// F and layer ids are integers in range (a layer id flows into Neuronpedia links, so a string is
// refused); every layer's arrays lie inside its blob_bytes and fit F and d_model; the shard sizes
// add up to blob_bytes; labels_count, when given, equals F. Throws with a reason naming the layer.
void validate_manifest(const Json& manifest, const LoadLimits& lim = LoadLimits());
// A layer's labels file (JSON array of strings) checked against its manifest entry: one string
// per feature. `what` names the file in messages.
std::vector<std::string> parse_layer_labels(const std::string& text, const Json& layer_entry, const std::string& what);
}  // namespace saematch
