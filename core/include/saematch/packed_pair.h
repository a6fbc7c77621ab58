#pragma once
// Matching, verifying and null baselines on two pack layers exactly as the WASM engine does
// them (wasm/bindings.cpp Engine::matchPair, nullBaseline): a decoder-only int8 cost reads the
// stored int8 rows as they are; anything else expands the (folded) layers to floats. The CLI
// uses these so that what `saematch chain --pack` writes is what the browser would compute.
#include "saematch/match.h"
#include "saematch/null_baseline.h"
#include "saematch/pack.h"
#include "saematch/verify_duals.h"

namespace saematch {
MatchResult match_packed(const PackedLayer& a, const PackedLayer& b, const MatchOptions& o);
VerifyReport verify_packed(const PackedLayer& a, const PackedLayer& b, const DualCertificate& c, const MatchOptions& o);
NullBaseline null_baseline_packed(const PackedLayer& a, const PackedLayer& b, const CostWeights& w, int samples, uint64_t seed);
}  // namespace saematch
