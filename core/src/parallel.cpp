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
  if (g_threads > 0) return g_threads;
  return std::max(1u, std::thread::hardware_concurrency());
#endif
}

void parallel_for(int n, const std::function<void(int, int)>& body, int min_chunk) {
  int t = std::min(thread_count(), std::max(1, n / std::max(1, min_chunk)));
  if (t <= 1 || n <= 1) { if (n > 0) body(0, n); return; }
#ifndef SAEMATCH_SINGLE_THREAD
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errs(static_cast<size_t>(t));
  for (int k = 0; k < t; ++k) {
    int b = int(int64_t(n) * k / t), e = int(int64_t(n) * (k + 1) / t);
    pool.emplace_back([&, k, b, e] { try { body(b, e); } catch (...) { errs[size_t(k)] = std::current_exception(); } });
  }
  for (auto& th : pool) th.join();
  for (auto& e : errs) if (e) std::rethrow_exception(e);
#endif
}
}  // namespace saematch
