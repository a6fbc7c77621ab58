#pragma once
// A tiny DEFLATE writer for tests: fixed-Huffman blocks of literals and (length 258, distance 1)
// copies, enough to make streams of known content (and bombs) without zlib, so the same tests
// run natively and in WASM.
#include <cstdint>
#include <vector>

namespace th {
struct DeflateWriter {
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int nbits = 0;
  void bit(uint32_t b) { acc |= (b & 1) << nbits; if (++nbits == 8) { out.push_back(uint8_t(acc)); acc = 0; nbits = 0; } }
  void field(uint32_t v, int k) { for (int i = 0; i < k; ++i) bit(v >> i); }        // header fields: LSB first
  void code(uint32_t c, int len) { for (int i = len - 1; i >= 0; --i) bit(c >> i); }  // Huffman codes: MSB first
  void fixed_block(bool last) { field(last ? 1 : 0, 1); field(1, 2); }
  void symbol(int s) {  // RFC 1951 3.2.6 fixed literal/length code
    if (s < 144) code(0x30 + s, 8); else if (s < 256) code(0x190 + s - 144, 9);
    else if (s < 280) code(s - 256, 7); else code(0xc0 + s - 280, 8);
  }
  void literal(uint8_t b) { symbol(b); }
  void copy258_dist1() { symbol(285); code(0, 5); }  // repeat the previous byte 258 times
  void end_block() { symbol(256); }
  std::vector<uint8_t> finish() { if (nbits) out.push_back(uint8_t(acc)); acc = 0; nbits = 0; return out; }
};

// `text` as one fixed-Huffman block of literals.
inline std::vector<uint8_t> deflate_literals(const std::vector<uint8_t>& text) {
  DeflateWriter w;
  w.fixed_block(true);
  for (uint8_t b : text) w.literal(b);
  w.end_block();
  return w.finish();
}
// One zero byte followed by `copies` x 258 more: 13 bits per 258 output bytes.
inline std::vector<uint8_t> deflate_zero_run(size_t copies) {
  DeflateWriter w;
  w.fixed_block(true);
  w.literal(0);
  for (size_t k = 0; k < copies; ++k) w.copy258_dist1();
  w.end_block();
  return w.finish();
}
}  // namespace th
