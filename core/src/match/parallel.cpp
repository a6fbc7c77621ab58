#include "saematch/parallel.h"
#include <algorithm>
#include <exception>
#ifndef SAEMATCH_SINGLE_THREAD
#include <thread>
#include <vector>
#endif

namespace saematch {
namespace { int g_threads = 0; }

void set_thread_count(int n) { g_threads = n; }

int thread_count() {
#ifdef SAEMATCH_SINGLE_THREAD
  return 1;
#else
  int hw = int(std::max(1u, std::thread::hardware_concurrency()));
#ifdef __EMSCRIPTEN__
  hw = std::min(hw, 4);  // a WASM worker can only start threads from its pre-made pool (size 4)
#endif
  return g_threads > 0 ? std::min(g_threads, hw) : hw;
#endif
}

void parallel_for(int n, const std::function<void(int, int)>& body, int min_chunk) {
  int t = std::min(thread_count(), std::max(1, n / std::max(1, min_chunk)));
  if (t <= 1 || n <= 1) { if (n > 0) body(0, n); return; }
#ifndef SAEMATCH_SINGLE_THREAD
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errs(static_cast<size_t>(t));
  auto run = [&](int k) {
    int b = int(int64_t(n) * k / t), e = int(int64_t(n) * (k + 1) / t);
    try { body(b, e); } catch (...) { errs[size_t(k)] = std::current_exception(); }
  };
  // The calling thread takes chunk 0, so callbacks that must run on it (JS in WASM) can.
  for (int k = 1; k < t; ++k) pool.emplace_back(run, k);
  run(0);
  for (auto& th : pool) th.join();
  for (auto& e : errs) if (e) std::rethrow_exception(e);
#endif
}
}  // namespace saematch
