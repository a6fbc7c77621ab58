#include "saematch/coarse_dot.h"
#include "saematch/error.h"
#include "saematch/parallel.h"
#include <algorithm>
#include <atomic>
#include <cmath>

namespace saematch {
namespace {
std::atomic<CoarseDotKernel> registered{nullptr};

int round_up(int x, int m) { return (x + m - 1) / m * m; }
constexpr int kMaxCols = 40000;

// floor(b / 2) for b in [-128, 127], as the kernel's unsigned operand (in [0, 127]).
uint8_t halved(int16_t b) { return uint8_t((b >> 1) + 64); }  // arithmetic shift floors
}  // namespace

void set_coarse_dot_kernel(CoarseDotKernel k) { registered = k; }
bool coarse_dot_kernel_fast() { return registered.load() != nullptr; }

void coarse_dot_portable(const int8_t* A, int na, const uint8_t* H, int nb, int stride, int32_t* out) {
  for (int i = 0; i < na; ++i) {
    const int8_t* a = A + size_t(i) * size_t(stride);
    for (int j = 0; j < nb; ++j) {
      const uint8_t* h = H + size_t(j) * size_t(stride);
      int32_t s = 0;
      for (int k = 0; k < stride; ++k) s += int32_t(a[k]) * int32_t(h[k]);
      out[size_t(i) * size_t(nb) + size_t(j)] = s;
    }
  }
}

CoarseRows coarsen(const QuantRows& b) {
  // Keeps 2 (raw - 64 sum(a)) inside int32 (|raw| <= 128 * 127 d, |64 sum(a)| <= 64 * 128 d).
  if (b.cols > kMaxCols) fail("cannot screen rows of width " + std::to_string(b.cols) + " coarsely (at most " + std::to_string(kMaxCols) + ")");
  CoarseRows c;
  c.rows = b.rows; c.cols = b.cols;
  c.stride = round_up(std::max(b.cols, 1), 16);
  c.padded_rows = round_up(b.rows, 4);
  c.h.assign(size_t(c.padded_rows) * size_t(c.stride), 64);  // padding: zeros after the offset
  c.scale = b.scale;
  c.err.resize(b.rows);
  parallel_for(b.rows, [&](int i0, int i1) {
    for (int i = i0; i < i1; ++i) {
      const int16_t* q = &b.q[size_t(i) * size_t(b.stride)];
      uint8_t* h = &c.h[size_t(i) * size_t(c.stride)];
      int odd = 0;
      for (int k = 0; k < b.cols; ++k) {
        if (q[k] < -128 || q[k] > 127) fail("cannot screen coarsely: a row value lies outside the int8 range");
        h[k] = halved(q[k]);
        odd += q[k] & 1;
      }
      // Rounded up: it multiplies |a| in a bound.
      c.err[i] = float(double(b.scale[i]) * std::sqrt(double(odd)) * (1 + 1e-6));
    }
  }, 256);
  return c;
}

void coarse_dot_rows(const QuantRows& A, int r0, int r1, const CoarseRows& B, int32_t* out) {
  if (A.cols != B.cols) fail("cannot compare features of different widths (d_model mismatch?)");
  const int na = r1 - r0, nb = B.rows, S = B.stride;
  // A's rows as bytes at the kernel's stride, an even count; and their sums for the offset.
  thread_local std::vector<int8_t> a8;
  thread_local std::vector<int32_t> sum, padded;
  const int na2 = round_up(na, 2);
  a8.assign(size_t(na2) * size_t(S), 0);
  sum.assign(size_t(na), 0);
  for (int i = 0; i < na; ++i) {
    const int16_t* q = &A.q[size_t(r0 + i) * size_t(A.stride)];
    int8_t* a = &a8[size_t(i) * size_t(S)];
    for (int k = 0; k < A.cols; ++k) { a[k] = int8_t(q[k]); sum[size_t(i)] += q[k]; }
  }
  // The kernel writes padded_rows sums per row and na2 rows: straight into out when those are
  // its shape (F a multiple of 4, an even row count), else into a buffer.
  const bool direct = B.padded_rows == nb && na2 == na;
  if (!direct) padded.resize(size_t(na2) * size_t(B.padded_rows));
  int32_t* raw = direct ? out : padded.data();
  const CoarseDotKernel k = registered.load();
  (k ? k : coarse_dot_portable)(a8.data(), na2, B.h.data(), B.padded_rows, S, raw);
  // The kernel multiplied by floor(b / 2) + 64: a.(2 floor(b / 2)) = 2 (raw - 64 sum(a)).
  for (int i = 0; i < na; ++i) {
    const int32_t off = 64 * sum[size_t(i)];
    const int32_t* r = raw + size_t(i) * size_t(B.padded_rows);
    int32_t* o = out + size_t(i) * size_t(nb);
    for (int j = 0; j < nb; ++j) o[j] = 2 * (r[j] - off);
  }
}

void coarse_cost_rows(const QuantRows& A, const VecF& nA, const CoarseRows& B, const VecF& nB, int r0, int r1, MatF& out) {
  cost_rows_from_dots(r0, r1, nA, A.scale, nB, B.scale, [&](int32_t* dots) { coarse_dot_rows(A, r0, r1, B, dots); }, out);
}
}  // namespace saematch
