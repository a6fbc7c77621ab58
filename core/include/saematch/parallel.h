#pragma once
// Splits [0,n) over worker threads. The single-thread WASM build (no SharedArrayBuffer)
// compiles with SAEMATCH_SINGLE_THREAD and runs everything inline.
#include <functional>

namespace saematch {
void set_thread_count(int n);  // <= 0: use hardware concurrency
int thread_count();
// Chunk 0 always runs on the calling thread.
void parallel_for(int n, const std::function<void(int begin, int end)>& body, int min_chunk = 1);
}  // namespace saematch
