#pragma once
// Reading real SAE releases: Gemma Scope params.npz and SAELens cfg.json + safetensors.
#include "saematch/json.h"
#include "saematch/limits.h"
#include "saematch/sae.h"
#include "saematch/source.h"

namespace saematch {
Sae load_gemmascope_npz(const ByteSource& src, const LoadLimits& lim = LoadLimits());

struct SaeLensConfig {
  Activation act = Activation::ReLU;
  int topk = 0;
  int64_t d_in = -1, d_sae = -1;
  SaeMeta meta;
};
// Understands old configs (hook_point, activation_fn_str) and v6 ones (metadata block).
SaeLensConfig parse_saelens_config(const std::string& cfg_json);
// Without a config: JumpReLU if a threshold array exists, else ReLU.
Sae load_saelens(const SaeLensConfig* cfg, const ByteSource& safetensors, const LoadLimits& lim = LoadLimits());

// Dispatch on the path: a directory (cfg.json + sae_weights.safetensors), a .npz, or a
// .safetensors file (cfg.json beside it is used when present).
Sae load_sae(const std::string& path, const LoadLimits& lim = LoadLimits());
std::string describe_sae(const Sae& s);
}  // namespace saematch
