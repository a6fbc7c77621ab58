#include "saematch/packed_pair.h"

namespace saematch {
namespace {
// The stored int8 rows of both layers when the cost is decoder-only (false: expand).
bool stored_rows(const PackedLayer& a, const PackedLayer& b, const CostWeights& w, QuantRows& qa, QuantRows& qb) {
  return w.decoder_only() && a.decoder_rows(qa, w.w_dec) && b.decoder_rows(qb, w.w_dec);
}
}  // namespace

MatchResult match_packed(const PackedLayer& a, const PackedLayer& b, const MatchOptions& o) {
  QuantRows qa, qb;
  if (o.int8 && stored_rows(a, b, o.weights, qa, qb)) return match_quantised(qa, qb, o);
  return match_saes(a.expand(), b.expand(), o);
}

VerifyReport verify_packed(const PackedLayer& a, const PackedLayer& b, const DualCertificate& c, const MatchOptions& o) {
  QuantRows qa, qb;
  if (o.int8 && stored_rows(a, b, o.weights, qa, qb)) return verify_quantised(qa, qb, c, o);
  return verify_saes(a.expand(), b.expand(), c, o);
}

NullBaseline null_baseline_packed(const PackedLayer& a, const PackedLayer& b, const CostWeights& w, int samples, uint64_t seed) {
  // A decoder-only cost on int8 layers: the stored rows are exactly what expanding would give,
  // so the baseline reads them directly, whether or not the matching itself used int8.
  QuantRows qa, qb;
  if (stored_rows(a, b, w, qa, qb)) return null_baseline(qa, qb, samples, seed);
  return null_baseline(feature_embedding(a.expand(), w), feature_embedding(b.expand(), w), samples, seed);
}
}  // namespace saematch
