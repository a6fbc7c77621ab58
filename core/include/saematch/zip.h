#pragma once
// ZIP reading as .npz needs it: stored and deflated entries, ZIP64 sizes/offsets.
// Split into steps so the browser can fetch only the byte ranges each step needs.
#include "saematch/limits.h"
#include "saematch/source.h"
#include <cstdint>
#include <string>
#include <vector>

namespace saematch {
struct ZipEntry {
  std::string name;
  uint64_t local_offset = 0, comp_size = 0, size = 0;
  uint16_t method = 0;  // 0 stored, 8 deflated
  uint32_t crc = 0;
};
struct CentralDirRange { uint64_t offset = 0, size = 0, count = 0; };

// `tail` holds the last tail.size() bytes of a file of `file_size` bytes (>= 22 + comment,
// plus 20+56 bytes more when ZIP64). Throws if no end-of-central-directory is found.
CentralDirRange zip_find_central_directory(const std::vector<uint8_t>& tail, uint64_t file_size);
std::vector<ZipEntry> zip_parse_central_directory(const uint8_t* p, size_t n, uint64_t expected_count, uint64_t file_size);
// Given the 30-byte local header, how far past local_offset the data starts.
uint64_t zip_local_data_offset(const uint8_t* local_header30, const ZipEntry& e);
// Throws unless the sizes the directory claims for `e` are within `lim` (checked before any
// byte of it is read or allocated).
void zip_check_entry(const ZipEntry& e, const LoadLimits& lim);
// Decompresses (or copies) entry data and checks size and CRC.
std::vector<uint8_t> zip_decode_entry(const ZipEntry& e, const uint8_t* data, size_t n, const LoadLimits& lim = LoadLimits());

// Convenience over a ByteSource.
std::vector<ZipEntry> zip_list(const ByteSource& src);
std::vector<uint8_t> zip_read(const ByteSource& src, const ZipEntry& e, const LoadLimits& lim = LoadLimits());

// Writer for tests and the CLI's synthetic data: stored entries, optional ZIP64 records.
std::vector<uint8_t> zip_write_stored(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& files, bool force_zip64 = false);
}  // namespace saematch
