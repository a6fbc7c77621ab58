#pragma once
// Result packs on the command line: `chain --pack OUTDIR` writes one, `verify-pack` re-checks it.
#include "saematch/match.h"
#include "saematch/pack.h"
#include <string>
#include <vector>

namespace cli {
// Packs the layers as `saematch pack` does, matches every consecutive pair on the packed layers
// the way the browser engine does, adds the null baselines and writes pack + results to dir.
// Returns the hops' matches (for the chain summary).
std::vector<saematch::MatchResult> write_result_pack(const std::vector<saematch::Sae>& layers, const std::vector<std::vector<std::string>>& labels,
                                                     const saematch::PackOptions& po, const saematch::MatchOptions& o, const std::string& dir);
int cmd_verify_pack(int argc, char** argv);
}  // namespace cli
