#include "saematch/synth.h"
#include "saematch/error.h"
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace saematch {
namespace {
const char* kWords[] = {"legal", "python code", "French", "numbers", "emotion", "negation", "cities", "biology",
                        "past tense", "questions", "names", "colors", "music", "finance", "sports", "weather",
                        "quotes", "lists", "math", "food", "dates", "plural", "chemistry", "travel",
                        "politics", "animals", "URLs", "medicine", "code comments", "rhyme", "sarcasm", "units"};
}

SynthModel make_synthetic(const SynthOptions& o) {
  if (o.layers < 1 || o.F < 1 || o.d < 1) fail("synthetic: layers, F and d must be positive");
  if (int64_t(o.F) * o.d > (int64_t(1) << 31)) fail("synthetic: F*d too large");
  std::mt19937_64 rng(o.seed);
  std::normal_distribution<float> g(0.f, 1.f);
  std::uniform_real_distribution<double> u01(0, 1);
  auto fresh = [&](VecF& c) {
    c.resize(o.d);
    for (int k = 0; k < o.d; ++k) c[k] = g(rng);
    c *= float((0.8 + 0.4 * u01(rng)) / c.norm());  // folded norms vary a little, like real SAEs
  };
  SynthModel m;
  std::vector<VecF> concepts(size_t(o.F));
  std::vector<int> ids(size_t(o.F));
  int next_id = 0;
  for (int i = 0; i < o.F; ++i) { fresh(concepts[size_t(i)]); ids[size_t(i)] = next_id++; }
  std::vector<int> prev_perm;
  for (int l = 0; l < o.layers; ++l) {
    std::vector<char> persisted(size_t(o.F), 0);
    if (l > 0) {
      for (int s = 0; s < o.F; ++s) {
        if (u01(rng) < o.death) { fresh(concepts[size_t(s)]); ids[size_t(s)] = next_id++; continue; }
        VecF& c = concepts[size_t(s)];
        float nrm = c.norm();
        VecF noise(o.d);
        for (int k = 0; k < o.d; ++k) noise[k] = g(rng);
        c += noise * float(o.noise * nrm / std::sqrt(double(o.d)));
        c *= nrm / c.norm();
        persisted[size_t(s)] = 1;
      }
    }
    // Shuffle: position p of this layer holds concept slot perm[p].
    std::vector<int> perm(size_t(o.F));
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<int> pos_of_slot(size_t(o.F));
    for (int p = 0; p < o.F; ++p) pos_of_slot[size_t(perm[size_t(p)])] = p;
    if (l > 0) {
      std::vector<int> t(size_t(o.F), -1);
      for (int p = 0; p < o.F; ++p) {
        int slot = prev_perm[size_t(p)];
        if (persisted[size_t(slot)]) t[size_t(p)] = pos_of_slot[size_t(slot)];
      }
      m.truth.push_back(std::move(t));
    }
    prev_perm = perm;
    Sae s;
    s.act = o.act;
    s.topk = o.act == Activation::TopK ? std::max(1, o.F / 32) : 0;
    s.W_dec.resize(o.F, o.d); s.W_enc.resize(o.d, o.F); s.b_enc.resize(o.F); s.b_dec = VecF::Zero(o.d);
    s.threshold.resize(o.F);
    std::vector<int> cid(size_t(o.F));
    std::vector<std::string> labels(size_t(o.F));
    for (int p = 0; p < o.F; ++p) {
      const VecF& c = concepts[size_t(perm[size_t(p)])];
      int id = ids[size_t(perm[size_t(p)])];
      cid[size_t(p)] = id;
      labels[size_t(p)] = std::string(kWords[id % 32]) + " #" + std::to_string(id);
      float theta = o.act == Activation::JumpReLU ? float(std::pow(10.0, (2 * u01(rng) - 1) * o.theta_spread)) : 1.f;
      // Folded: encoder column reads the concept's coefficient divided by kGain, so only
      // coefficients above kGain cross the folded threshold 1 (interference from other
      // concepts stays below it); decoder row kGain*c restores the coefficient.
      const float kGain = 2.5f;
      float b = float(-0.05 * u01(rng));
      s.W_dec.row(p) = kGain * c.transpose() / theta;
      s.W_enc.col(p) = c / (kGain * c.squaredNorm()) * theta;
      s.b_enc[p] = b * theta;
      s.threshold[p] = theta;
    }
    if (o.act != Activation::JumpReLU) s.threshold.resize(0);
    s.meta.layer = l; s.meta.model = "synthetic"; s.meta.hook = "blocks." + std::to_string(l) + ".hook_resid_post";
    m.saes.push_back(std::move(s));
    m.concept_id.push_back(std::move(cid));
    m.labels.push_back(std::move(labels));
  }
  return m;
}

void synthetic_activations(const SynthModel& m, const SynthOptions& o, int t, int n, uint64_t seed, MatF& x_t, MatF& x_t1) {
  if (t < 0 || t + 1 >= int(m.saes.size())) fail("synthetic activations: layer out of range");
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pick(0, o.F - 1);
  std::uniform_real_distribution<float> amp(3.f, 4.5f);
  const Sae a = fold(m.saes[size_t(t)]), b = fold(m.saes[size_t(t) + 1]);
  const auto& tr = m.truth[size_t(t)];
  x_t = MatF::Zero(n, o.d); x_t1 = MatF::Zero(n, o.d);
  // Few enough active concepts that interference (~ sqrt(active/d) of a coefficient) stays
  // well under the folded threshold, as in a well-trained SAE.
  int active = std::max(1, std::min(o.d / 64, o.F / 16));
  for (int r = 0; r < n; ++r)
    for (int k = 0; k < active; ++k) {
      int i = pick(rng);
      float c = amp(rng);
      x_t.row(r) += c * a.W_dec.row(i) / 2.5f;
      if (tr[size_t(i)] >= 0) x_t1.row(r) += c * b.W_dec.row(tr[size_t(i)]) / 2.5f;
    }
}

double recovery(const std::vector<int>& truth, const std::vector<int>& a_to_b) {
  size_t planted = 0, hit = 0;
  for (size_t i = 0; i < truth.size() && i < a_to_b.size(); ++i)
    if (truth[i] >= 0) { ++planted; hit += a_to_b[i] == truth[i]; }
  return planted ? double(hit) / double(planted) : 1.0;
}
}  // namespace saematch
