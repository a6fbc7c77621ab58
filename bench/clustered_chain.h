#pragma once
// Benchmark only: a chain of clustered dictionaries, each layer derived from the previous one
// the way make_clustered_pair (core/src/model/synth.cpp) derives B from A, so every hop of the
// chain has the pair generator's statistics (partner cosine, splits, merges, deaths, births).
// The first hop reproduces make_clustered_pair bit for bit (same random stream, same order of
// draws), so layers 0 -> 1 of a chain are the pair `bench_match --instance clustered` times.
// After the first hop every family's direction drifts again by its partner cosine and each
// row keeps its family and own direction; rows stay in creation order inside (so siblings
// stay adjacent and can still merge) and each layer is shown permuted.
#include "saematch/splitmix.h"
#include "saematch/synth.h"
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace bench {
using saematch::MatF;
using saematch::VecF;
using saematch::SplitMix;

class ClusteredChain {
 public:
  explicit ClusteredChain(const saematch::ClusteredOptions& o) : o_(o), r_(o.seed) { first_layer(); }
  // The current layer's rows as a reader sees them (permuted) and [F, d].
  const MatF& rows() const { return out_; }
  // truth()[i]: the row of the current layer continuing row i of the previous one, or -1.
  const std::vector<int>& truth() const { return truth_; }
  void next();  // derive the next layer from the current one

 private:
  struct Family { double rho, partner; VecF centre, centre_next; };
  VecF tilt(const VecF& a, double x) {
    VecF v = float(x) * a + float(std::sqrt(std::max(0.0, 1 - x * x))) * r_.unit(int(a.size()));
    return v / v.norm();
  }
  static VecF member(const Family& f, const VecF& centre, const VecF& own) {
    VecF v = float(std::sqrt(f.rho)) * centre + float(std::sqrt(1 - f.rho)) * own;
    return v / v.norm();
  }
  float gain() { return float(std::pow(10.0, o_.norm_decades * (r_.uniform() - 0.5))); }
  void first_layer();
  void show(std::vector<int> perm);

  static constexpr double kNormPull = 0.04;
  saematch::ClusteredOptions o_;
  SplitMix r_;  // the stream of synth.cpp, so the first hop equals make_clustered_pair
  int hops_ = 0;  // layers derived so far
  std::vector<Family> fams_;
  // The current layer in creation order: rows (until shown), each row's family and own direction.
  std::vector<VecF> rows_, own_;
  std::vector<int> fam_of_;
  std::vector<int> perm_;  // creation index -> shown row
  std::vector<int> truth_;
  MatF out_;
};

inline void ClusteredChain::first_layer() {
  const int F = o_.F, d = o_.d;
  for (int i = 0; i < F;) {
    Family f;
    f.rho = r_.uniform(o_.rho_lo, o_.rho_hi);
    f.partner = std::clamp(o_.partner_mean + o_.partner_sd * r_.normal(), 0.2, 0.95);
    f.centre = r_.unit(d);
    f.centre_next = tilt(f.centre, f.partner);
    const int size = o_.family_min + r_.below(o_.family_max - o_.family_min + 1);
    for (int s = 0; s < size && i < F; ++s, ++i) {
      fam_of_.push_back(int(fams_.size()));
      own_.push_back(r_.unit(d));
      const float g = gain();
      rows_.push_back(VecF(g * member(f, f.centre, own_.back())));
    }
    fams_.push_back(std::move(f));
  }
  std::vector<int> identity(static_cast<size_t>(F));
  for (int k = 0; k < F; ++k) identity[size_t(k)] = k;
  show(identity);  // the pair generator's A is not permuted
}

inline void ClusteredChain::show(std::vector<int> perm) {
  perm_ = std::move(perm);
  out_.resize(o_.F, o_.d);
  for (int k = 0; k < o_.F; ++k) out_.row(perm_[size_t(k)]) = rows_[size_t(k)].transpose();
  std::vector<VecF>().swap(rows_);  // out_ holds them now (600 MB at 65k)
}

inline void ClusteredChain::next() {
  const int F = o_.F, d = o_.d;
  std::vector<VecF> rows_b, own_b;
  std::vector<int> fam_b, origin(static_cast<size_t>(F), -1);
  auto partner_of = [&](int i, const VecF& own) {
    const Family& f = fams_[size_t(fam_of_[size_t(i)])];
    const double q = std::clamp(f.partner + 0.03 * r_.normal(), 0.05, 0.99);
    // The norm as the pair generator takes it (of the stored matrix row: same rounding). After
    // the first hop it is pulled 4% towards 1 in log scale, which keeps the spread of norms at
    // about a decade over many hops (each hop's +-0.1 decade would otherwise widen it).
    float a = out_.row(perm_[size_t(i)]).norm();
    if (hops_ > 0) a = float(std::pow(double(a), 1 - kNormPull));
    const float g = a * float(std::pow(10.0, 0.1 * (2 * r_.uniform() - 1)));
    own_b.push_back(tilt(own, q));
    fam_b.push_back(fam_of_[size_t(i)]);
    rows_b.push_back(VecF(g * member(f, f.centre_next, own_b.back())));
  };
  for (int i = 0; i < F; ++i) {
    const double u = r_.uniform();
    if (u < o_.death) continue;
    if (u < o_.death + o_.split) {  // one feature becomes two similar ones
      origin[size_t(i)] = int(rows_b.size());
      partner_of(i, own_[size_t(i)]);
      partner_of(i, own_[size_t(i)]);
      continue;
    }
    const bool can_merge = i + 1 < F && fam_of_[size_t(i) + 1] == fam_of_[size_t(i)];
    if (u < o_.death + o_.split + o_.merge && can_merge) {  // two siblings become one feature
      VecF both = own_[size_t(i)] + own_[size_t(i) + 1];
      origin[size_t(i)] = origin[size_t(i) + 1] = int(rows_b.size());
      partner_of(i, both / both.norm());
      ++i;
      continue;
    }
    origin[size_t(i)] = int(rows_b.size());
    partner_of(i, own_[size_t(i)]);
  }
  while (int(rows_b.size()) < F) {  // newborn features join random families
    const int fam = r_.below(int(fams_.size()));
    const float g = gain();
    own_b.push_back(r_.unit(d));
    fam_b.push_back(fam);
    rows_b.push_back(g * member(fams_[size_t(fam)], fams_[size_t(fam)].centre_next, own_b.back()));
  }
  rows_b.resize(size_t(F)); own_b.resize(size_t(F)); fam_b.resize(size_t(F));
  std::vector<int> perm(static_cast<size_t>(F));
  for (int k = 0; k < F; ++k) perm[size_t(k)] = k;
  for (int k = F - 1; k > 0; --k) std::swap(perm[size_t(k)], perm[size_t(r_.below(k + 1))]);
  truth_.assign(size_t(F), -1);
  for (int i = 0; i < F; ++i)
    if (origin[size_t(i)] >= 0 && origin[size_t(i)] < F) truth_[size_t(perm_[size_t(i)])] = perm[size_t(origin[size_t(i)])];
  rows_ = std::move(rows_b); own_ = std::move(own_b); fam_of_ = std::move(fam_b);
  show(std::move(perm));
  // Every family drifts again for the next hop (drawn after the first hop's last draw, so that
  // hop stays identical to make_clustered_pair).
  for (Family& f : fams_) { f.centre = f.centre_next; f.centre_next = tilt(f.centre, f.partner); }
  ++hops_;
}
}  // namespace bench
