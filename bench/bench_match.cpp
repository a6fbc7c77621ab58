// Benchmark driver (not a test): one synthetic layer pair of folded decoders [F, d] with a
// planted permutation, matched by the core exactly as the app does. Built natively and as
// WASM (threaded and single-thread) so the same instance is timed in all three.
//   bench_match --F 16384 --d 2304 [--seed 1] [--threads N] [--int8] [--perm-out FILE]
//   bench_match --F 16384 --d 2304 --cost-out FILE.npy     (dense float32 costs for scipy)
//   bench_match --gemm                                     (GEMM throughput only)
//   --trace: stage timings of the matcher on stderr
// Prints one JSON object on stdout.
#include "saematch/arrays.h"
#include "saematch/cost.h"
#include "saematch/int8_cost.h"
#include "saematch/match.h"
#include "saematch/parallel.h"
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>
#ifdef __EMSCRIPTEN__
static const char* kFlavour =
#ifdef SAEMATCH_SINGLE_THREAD
    "wasm-st";
#else
    "wasm-mt";
#endif
static double peak_mib() { return double(__builtin_wasm_memory_size(0)) * 65536.0 / 1048576.0; }  // memory only grows
#else
#include <sys/resource.h>
static const char* kFlavour = "native";
static double peak_mib() { struct rusage u; getrusage(RUSAGE_SELF, &u); return double(u.ru_maxrss) / 1024.0; }
#endif

using namespace saematch;
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

int main(int argc, char** argv) {
  int F = 2048, d = 2304, threads = 0, topk = MatchOptions().topk, dense_max = MatchOptions().dense_max;
  uint64_t seed = 1;
  std::string perm_out, cost_out;
  bool gemm = false, int8 = false, trace = false;  // trace: stage timings on stderr
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
    MatF A, B;
    make_pair(F, d, seed, A, B);
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
    if (trace) o.trace = [t0 = Clock::now()](const std::string& s) { std::fprintf(stderr, "[%7.2f] %s\n", since(t0), s.c_str()); };
    auto t0 = Clock::now();
    MatchResult r = match_embeddings(A, B, o);
    double secs = since(t0);
    if (!perm_out.empty()) {
      std::ofstream f(perm_out, std::ios::binary);
      f.write(reinterpret_cast<const char*>(r.a_to_b.data()), std::streamsize(r.a_to_b.size() * sizeof(int)));
    }
    std::printf("{\"flavour\":\"%s%s\",\"F\":%d,\"d\":%d,\"threads\":%d,\"seconds\":%.3f,\"seconds_cost\":%.3f,\"seconds_lap\":%.3f,"
                "\"total_cost\":%.9g,\"certified\":%s,\"method\":\"%s\",\"rounds\":%d,\"candidate_edges\":%lld,\"rows_restreamed\":%lld,\"exact_pairs\":%lld,\"peak_mib\":%.1f}\n",
                kFlavour, int8 ? "-int8" : "", F, d, thread_count(), secs, r.seconds_cost, r.seconds_lap, r.total, r.certified ? "true" : "false",
                r.method.c_str(), r.rounds, (long long)r.candidate_edges, (long long)r.rows_restreamed, (long long)r.exact_pairs, peak_mib());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_match: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
