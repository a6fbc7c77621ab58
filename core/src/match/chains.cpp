#include "saematch/chains.h"
#include "saematch/error.h"
#include <algorithm>
#include <cmath>

namespace saematch {
float quantile(std::vector<float> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](float x) { return std::isnan(x); }), v.end());
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double pos = std::clamp(q, 0.0, 1.0) * double(v.size() - 1);
  size_t lo = size_t(std::floor(pos)), hi = std::min(lo + 1, v.size() - 1);
  return float(v[lo] + (v[hi] - v[lo]) * (pos - double(lo)));
}

ChainSet build_chains(std::vector<MatchResult> pairs, double q) {
  if (!(q >= 0 && q <= 1)) fail("quantile q must be in [0, 1]");
  for (size_t l = 1; l < pairs.size(); ++l)
    if (pairs[l].FA != pairs[l - 1].FB) fail("layer " + std::to_string(l) + " has inconsistent feature counts between its two matches");
  ChainSet s;
  s.q = q;
  for (auto& p : pairs) s.threshold.push_back(quantile(p.cost, q));
  s.pairs = std::move(pairs);
  return s;
}

Chain ChainSet::chain_through(int layer, int feature) const {
  int L = layers();
  if (layer < 0 || layer >= L) fail("layer index " + std::to_string(layer) + " out of range");
  int F = layer < L - 1 ? pairs[size_t(layer)].FA : pairs.empty() ? 0 : pairs.back().FB;
  if (feature < 0 || feature >= F) fail("feature " + std::to_string(feature) + " out of range for layer " + std::to_string(layer));
  Chain c;
  c.feature.assign(size_t(L), -1);
  c.hops.assign(size_t(std::max(0, L - 1)), Hop{});
  c.feature[size_t(layer)] = feature;
  for (int l = layer; l + 1 < L; ++l) {  // forward
    int f = c.feature[size_t(l)];
    if (f < 0) break;
    c.feature[size_t(l) + 1] = pairs[size_t(l)].a_to_b[size_t(f)];
  }
  for (int l = layer; l > 0; --l) {  // backward: which feature of l-1 was matched to f
    int f = c.feature[size_t(l)], prev = -1;
    const auto& p = pairs[size_t(l) - 1];
    for (int i = 0; i < p.FA && f >= 0; ++i) if (p.a_to_b[size_t(i)] == f) { prev = i; break; }
    if (prev < 0) break;
    c.feature[size_t(l) - 1] = prev;
  }
  for (int l = 0; l + 1 < L; ++l) {
    Hop& h = c.hops[size_t(l)];
    h.from_layer = l;
    int f = c.feature[size_t(l)];
    if (f < 0 || c.feature[size_t(l) + 1] < 0) continue;
    const auto& p = pairs[size_t(l)];
    h.from = f; h.to = c.feature[size_t(l) + 1];
    h.cost = p.cost[size_t(f)]; h.score = p.score[size_t(f)];
    h.persisting = h.cost <= threshold[size_t(l)];
  }
  int start = 0;
  while (start < L && c.feature[size_t(start)] < 0) ++start;
  for (int l = start; l + 1 < L; ++l)
    if (c.hops[size_t(l)].from < 0 || !c.hops[size_t(l)].persisting) { c.first_break = l; break; }
  return c;
}

std::vector<int> ChainSet::persistence_lengths() const {
  if (pairs.empty()) return {};
  std::vector<int> out(size_t(pairs[0].FA), 0);
  for (int i = 0; i < pairs[0].FA; ++i) {
    int f = i, len = 0;
    for (size_t l = 0; l < pairs.size() && f >= 0; ++l) {
      if (!(pairs[l].cost[size_t(f)] <= threshold[l])) break;
      ++len; f = pairs[l].a_to_b[size_t(f)];
    }
    out[size_t(i)] = len;
  }
  return out;
}

std::vector<int> compose(const std::vector<int>& ab, const std::vector<int>& bc) {
  std::vector<int> out(ab.size(), -1);
  for (size_t i = 0; i < ab.size(); ++i) {
    int b = ab[i];
    if (b >= 0 && size_t(b) < bc.size()) out[i] = bc[size_t(b)];
  }
  return out;
}

double agreement(const std::vector<int>& x, const std::vector<int>& y) {
  size_t both = 0, same = 0;
  for (size_t i = 0; i < std::min(x.size(), y.size()); ++i)
    if (x[i] >= 0 && y[i] >= 0) { ++both; same += x[i] == y[i]; }
  return both ? double(same) / double(both) : 0.0;
}
}  // namespace saematch
