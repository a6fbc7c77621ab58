// Benchmark driver (not a test): one layer pair of folded decoders [F, d], matched by the core
// exactly as the app does. Built natively and as WASM (threaded and single-thread) so the same
// instance is timed in all three.
//   bench_match --F 16384 --d 2304 [--seed 1] [--threads N] [--int8] [--perm-out FILE]
//   --instance easy       independent random features, 92% continue at cosine ~0.995 (default)
//   --instance clustered  clustered dictionaries (make_clustered_pair; --partner-mean, --rho-lo, --rho-hi, --death)
//   --instance neartie    32-feature families, nearest-neighbour cosine ~0.81, partner ~0.41
//   --instance othello    the real Othello-GPT SAELens pair (--sae-a DIR --sae-b DIR; default blocks 1 -> 3)
//   --stats               the instance's statistics (nearest-neighbour and best-partner cosines,
//                         matched scores) and the time of one dense float GEMM of A.B^T (reference)
//   --gap G               stop within a proven relative gap G of the optimum
//   bench_match --F 16384 --d 2304 --cost-out FILE.npy     (dense float32 costs for scipy)
//   bench_match --gemm                                     (GEMM throughput only)
//   --trace: stage timings of the matcher on stderr
//   --pack-out DIR --layers N [--title T] [--quant int8|fp16|f32]
//                         with --instance clustered|neartie: writes a chain of N layers as a
//                         pack, each layer derived from the previous one like the pair (layers
//                         0 -> 1 are exactly the pair), plus DIR/instance.json (hop statistics)
//   --check-chain         checks that a chain's first hop is the pair generator's pair
// Prints one JSON object on stdout.
#include "saematch/arrays.h"
#include "saematch/cost.h"
#include "saematch/int8_cost.h"
#include "saematch/loaders.h"
#include "saematch/match.h"
#include "saematch/parallel.h"
#include "saematch/synth.h"
#include "chain_pack.h"
#include "instance_stats.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <numeric>
#include <vector>
#ifdef __EMSCRIPTEN__
static const char* kFlavour =
#ifdef SAEMATCH_SINGLE_THREAD
    "wasm-st";
#else
    "wasm-mt";
#endif
static double peak_mib() { return double(__builtin_wasm_memory_size(0)) * 65536.0 / 1048576.0; }  // memory only grows
static double cpu_seconds() { return -1; }  // not measured in WASM
static void reset_peak() {}
static double peak_since_reset_mib() { return peak_mib(); }
#else
#include <sys/resource.h>
static const char* kFlavour = "native";
static double peak_mib() { struct rusage u; getrusage(RUSAGE_SELF, &u); return double(u.ru_maxrss) / 1024.0; }
// CPU seconds of the process (all threads): on a loaded machine a steadier figure than wall time.
static double cpu_seconds() { struct rusage u; getrusage(RUSAGE_SELF, &u); return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec); }
// Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS, so the peak of
// the match alone (with A and B held, without the generator's temporaries) can be read after.
static void reset_peak() { if (FILE* f = std::fopen("/proc/self/clear_refs", "w")) { std::fputs("5", f); std::fclose(f); } }
static double peak_since_reset_mib() {
  double kb = -1;
  if (FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f)) if (std::strncmp(line, "VmHWM:", 6) == 0) kb = std::atof(line + 6);
    std::fclose(f);
  }
  return kb / 1024.0;
}
#endif

using namespace saematch;
using bench::instance_stats;
using bench::distribution;
using Clock = std::chrono::steady_clock;
static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Portable RNG (identical stream natively and in WASM, unlike std::normal_distribution).
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() { s += 0x9E3779B97F4A7C15ull; uint64_t z = s; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull; z = (z ^ (z >> 27)) * 0x94D049BB133111EBull; return z ^ (z >> 31); }
  double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
  double normal() { double u = uniform() + 1e-300, v = uniform(); return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v); }
};

// Folded decoders of two adjacent layers: 92% of features continue (noise 0.1, new gain),
// the rest die and are replaced by unrelated newborn features; B's rows are permuted.
static void make_pair(int F, int d, uint64_t seed, MatF& A, MatF& B) {
  Rng r(seed);
  A.resize(F, d); B.resize(F, d);
  const float sd = float(1.0 / std::sqrt(double(d)));
  std::vector<int> perm(static_cast<size_t>(F));
  for (int i = 0; i < F; ++i) perm[size_t(i)] = i;
  for (int i = F - 1; i > 0; --i) std::swap(perm[size_t(i)], perm[r.next() % uint64_t(i + 1)]);
  for (int i = 0; i < F; ++i) {
    float ga = float(std::pow(10.0, r.uniform() - 0.5)), gb = float(ga * (0.8 + 0.4 * r.uniform()));
    bool survives = r.uniform() < 0.92;
    for (int c = 0; c < d; ++c) {
      float base = float(r.normal()) * sd;
      A(i, c) = ga * base;
      B(perm[size_t(i)], c) = survives ? gb * (base + 0.1f * float(r.normal()) * sd) : gb * float(r.normal()) * sd;
    }
  }
}

// Ops/s of a cost-row kernel over [n, n] at width d (a multiply-add counts as 2 ops).
static double throughput(int n, int d, int threads, const CostRowsFn& rows) {
  set_thread_count(threads);
  auto t0 = Clock::now();
  int reps = 0;
  do {
    parallel_for(n / 128, [&](int b0, int b1) { MatF tmp; for (int b = b0; b < b1; ++b) rows(b * 128, b * 128 + 128, tmp); });
    ++reps;
  } while (since(t0) < 1.0);
  return 2.0 * n * double(n) * d * reps / since(t0) / 1e9;
}

static double gemm_gflops(int n, int d, int threads) {
  MatF A = MatF::Random(n, d), B = MatF::Random(n, d);
  VecF nA = squared_norms(A), nB = squared_norms(B);
  return throughput(n, d, threads, [&](int r0, int r1, MatF& out) { out.resize(r1 - r0, n); cost_rows(A, nA, B, nB, r0, r1, out); });
}

// Same blocks through the int8 kernel.
static double int8_gops(int n, int d, int threads) {
  MatF A = MatF::Random(n, d), B = MatF::Random(n, d);
  QuantRows QA = quantise_rows(A), QB = quantise_rows(B);
  VecF nA = squared_norms(dequantise(QA)), nB = squared_norms(dequantise(QB));
  return throughput(n, d, threads, [&](int r0, int r1, MatF& out) { cost_rows_q(QA, nA, QB, nB, r0, r1, out); });
}

// Seconds for one dense float GEMM of A.B^T (as cost blocks through Eigen, all threads):
// the reference the target compares a whole match against.
static double gemm_seconds(const MatF& A, const MatF& B) {
  const VecF nA = squared_norms(A), nB = squared_norms(B);
  const int F = int(A.rows()), blocks = (F + 255) / 256;
  auto t0 = Clock::now();
  parallel_for(blocks, [&](int b0, int b1) {
    MatF tmp;
    for (int b = b0; b < b1; ++b) { tmp.resize(std::min(F, 256 * b + 256) - 256 * b, B.rows()); cost_rows(A, nA, B, nB, 256 * b, std::min(F, 256 * b + 256), tmp); }
  });
  return since(t0);
}

// The generator options of a clustered or near-tie instance, as the pair mode builds them.
static ClusteredOptions clustered_options(const std::string& instance, int F, int d, uint64_t seed, const ClusteredOptions& co, bool partner_set) {
  ClusteredOptions c = instance == "neartie" ? near_tie_options(F, d, seed) : co;
  c.F = F; c.d = d; c.seed = seed;
  if (instance == "neartie" && partner_set) c.partner_mean = co.partner_mean;
  return c;
}

// --pack-out: a chain of clustered layers written as a pack; --check-chain: its first hop
// must be the pair generator's pair, bit for bit.
static int chain_mode(const std::string& instance, int F, int d, uint64_t seed, const ClusteredOptions& co, bool partner_set,
                      bench::ChainPackOptions pack, bool check_chain) {
  if (instance != "clustered" && instance != "neartie") { std::fprintf(stderr, "--pack-out and --check-chain need --instance clustered or neartie\n"); return 2; }
  const ClusteredOptions c = clustered_options(instance, F, d, seed, co, partner_set);
  bench::ClusteredChain chain(c);
  if (check_chain) {
    ClusteredPair p = make_clustered_pair(c);
    const bool a_same = p.A == chain.rows();
    chain.next();
    const bool b_same = p.B == chain.rows(), truth_same = p.truth == chain.truth();
    std::printf("{\"check_chain\":%s,\"A_identical\":%s,\"B_identical\":%s,\"truth_identical\":%s,\"F\":%d,\"d\":%d}\n", a_same && b_same && truth_same ? "true" : "false",
                a_same ? "true" : "false", b_same ? "true" : "false", truth_same ? "true" : "false", F, d);
    return a_same && b_same && truth_same ? 0 : 1;
  }
  if (pack.layers < 2 || pack.layers > 64) { std::fprintf(stderr, "--layers must be in 2..64\n"); return 2; }
  pack.instance = instance;
  if (pack.title.empty()) pack.title = std::to_string(pack.layers) + " " + instance + " layers, F=" + std::to_string(F) + ", d=" + std::to_string(d) + " (bench)";
  if (pack.layers == 2) pack.stats_samples = 2048;  // a pair: the statistics hard.sh prints
  char opts[320];
  std::snprintf(opts, sizeof opts, "\"F\":%d,\"d\":%d,\"seed\":%llu,\"partner_mean\":%g,\"partner_sd\":%g,\"rho_lo\":%g,\"rho_hi\":%g,\"family_min\":%d,\"family_max\":%d,\"death\":%g,\"split\":%g,\"merge\":%g,\"quant\":\"%s\"",
                F, d, (unsigned long long)seed, c.partner_mean, c.partner_sd, c.rho_lo, c.rho_hi, c.family_min, c.family_max, c.death, c.split, c.merge, pack.quant.c_str());
  bench::write_chain_pack(chain, pack, opts);
  return 0;
}

static MatF folded_decoder(const std::string& path) {
  Sae s = fold(load_sae(path));
  return feature_embedding(s, CostWeights());
}

int main(int argc, char** argv) {
  int F = 2048, d = 2304, threads = 0, topk = MatchOptions().topk, dense_max = MatchOptions().dense_max;
  uint64_t seed = 1;
  std::string perm_out, cost_out;
  bool gemm = false, int8 = false, trace = false, stats = false;  // trace: stage timings on stderr
  std::string instance = "easy", sae_a = "data/othello-gpt/blocks.1.hook_resid_pre", sae_b = "data/othello-gpt/blocks.3.hook_resid_pre";
  ClusteredOptions co;
  bool partner_set = false;
  double gap = 0;
  bool auction = true;
  bench::ChainPackOptions pack;
  bool check_chain = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> const char* { if (i + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", a.c_str()); std::exit(2); } return argv[++i]; };
    if (a == "--F") F = std::atoi(val());
    else if (a == "--d") d = std::atoi(val());
    else if (a == "--seed") seed = std::strtoull(val(), nullptr, 10);
    else if (a == "--threads") threads = std::atoi(val());
    else if (a == "--perm-out") perm_out = val();
    else if (a == "--cost-out") cost_out = val();
    else if (a == "--gemm") gemm = true;
    else if (a == "--int8") int8 = true;
    else if (a == "--dense-max") dense_max = std::atoi(val());
    else if (a == "--topk") topk = std::atoi(val());
    else if (a == "--trace") trace = true;
    else if (a == "--stats") stats = true;
    else if (a == "--instance") instance = val();
    else if (a == "--sae-a") sae_a = val();
    else if (a == "--sae-b") sae_b = val();
    else if (a == "--partner-mean") { co.partner_mean = std::atof(val()); partner_set = true; }
    else if (a == "--rho-lo") co.rho_lo = std::atof(val());
    else if (a == "--rho-hi") co.rho_hi = std::atof(val());
    else if (a == "--death") co.death = std::atof(val());
    else if (a == "--gap") gap = std::atof(val());
    else if (a == "--no-auction") auction = false;
    else if (a == "--pack-out") pack.dir = val();
    else if (a == "--layers") pack.layers = std::atoi(val());
    else if (a == "--title") pack.title = val();
    else if (a == "--quant") pack.quant = val();
    else if (a == "--check-chain") check_chain = true;
    else { std::fprintf(stderr, "unknown argument %s\n", a.c_str()); return 2; }
  }
  if (F < 2 || F > 65536 || d < 1 || d > 16384) { std::fprintf(stderr, "need 2 <= F <= 65536 and 1 <= d <= 16384\n"); return 2; }
  try {
    if (gemm) {
      // Cost-kernel throughput on F x d blocks (default 2048 x 2304), single thread and all threads.
      const int gn = F, gd = d;
      double g1 = gemm_gflops(gn, gd, 1), gt = gemm_gflops(gn, gd, 0);
      double q1 = int8_gops(gn, gd, 1), qt = int8_gops(gn, gd, 0);
      std::printf("{\"flavour\":\"%s\",\"gemm_gflops_1thread\":%.2f,\"gemm_gflops_all\":%.2f,\"int8_gops_1thread\":%.2f,\"int8_gops_all\":%.2f,\"threads\":%d}\n",
                  kFlavour, g1, gt, q1, qt, thread_count());
      return 0;
    }
    set_thread_count(threads);
    if (!pack.dir.empty() || check_chain) return chain_mode(instance, F, d, seed, co, partner_set, pack, check_chain);
    MatF A, B;
    if (instance == "easy") make_pair(F, d, seed, A, B);
    else if (instance == "clustered" || instance == "neartie") {
      ClusteredPair p = make_clustered_pair(clustered_options(instance, F, d, seed, co, partner_set));
      A = std::move(p.A); B = std::move(p.B);
    } else if (instance == "othello") {
      A = folded_decoder(sae_a); B = folded_decoder(sae_b);
      F = int(A.rows()); d = int(A.cols());
    } else { std::fprintf(stderr, "unknown instance %s\n", instance.c_str()); return 2; }
    if (!cost_out.empty()) {
      MatF C = dense_cost(A, B);
      Tensor t; t.shape = {F, F}; t.data.assign(C.data(), C.data() + C.size());
      auto bytes = write_npy(t);
      std::ofstream(cost_out, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
      std::printf("{\"cost_out\":\"%s\",\"F\":%d}\n", cost_out.c_str(), F);
      return 0;
    }
    MatchOptions o;
    o.int8 = int8;
    o.dense_max = dense_max;
    o.topk = topk;
    o.gap = gap;
    o.auction = auction;
    if (trace) o.trace = [t0 = Clock::now()](const std::string& s) { std::fprintf(stderr, "[%7.2f] %s\n", since(t0), s.c_str()); };
    const double peak_instance = peak_mib();  // the generator's peak
    reset_peak();
    auto t0 = Clock::now();
    const double cpu0 = cpu_seconds();
    MatchResult r = match_embeddings(A, B, o);
    double secs = since(t0);
    const double cpu = cpu_seconds() - cpu0;
    if (!perm_out.empty()) {
      std::ofstream f(perm_out, std::ios::binary);
      f.write(reinterpret_cast<const char*>(r.a_to_b.data()), std::streamsize(r.a_to_b.size() * sizeof(int)));
    }
    const double peak = peak_mib();  // before the statistics' own matrices
    const double peak_match = peak_since_reset_mib();
    std::string extra;
    if (stats) {
      std::vector<float> score(r.score.begin(), r.score.end());
      const double g = gemm_seconds(A, B);
      extra = "," + instance_stats(A, B) + ",\"matched_score\":" + distribution(score, -1, 1) + ",\"gemm_seconds\":" + std::to_string(g);
    }
    std::printf("{\"instance\":\"%s\",\"auction\":%s,\"cpu_seconds\":%.3f,\"gap_budget\":%g,\"gap_bound\":%.9g%s,\"flavour\":\"%s%s\",\"F\":%d,\"d\":%d,\"threads\":%d,\"seconds\":%.3f,\"seconds_cost\":%.3f,\"seconds_lap\":%.3f,"
                "\"total_cost\":%.9g,\"certified\":%s,\"method\":\"%s\",\"rounds\":%d,\"candidate_edges\":%lld,\"rows_restreamed\":%lld,\"exact_pairs\":%lld,\"suspect_pairs\":%lld,\"peak_mib\":%.1f,\"peak_match_mib\":%.1f,\"peak_instance_mib\":%.1f}\n",
                instance.c_str(), auction ? "true" : "false", cpu, gap, r.gap_bound, extra.c_str(), kFlavour, int8 ? "-int8" : "", F, d, thread_count(), secs, r.seconds_cost, r.seconds_lap, r.total, r.certified ? "true" : "false",
                r.method.c_str(), r.rounds, (long long)r.candidate_edges, (long long)r.rows_restreamed, (long long)r.exact_pairs, (long long)r.suspect_pairs, peak, peak_match, peak_instance);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_match: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
