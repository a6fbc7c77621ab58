#pragma once
// Checks shared by the parts of a pack manifest (layer entries in pack.cpp, results in
// result_pack.cpp): every number and shard list a manifest claims, before it is trusted.
#include "saematch/json.h"
#include <cstdint>
#include <string>

namespace saematch {
// A manifest number that must be an exact integer in [lo, hi]; `what` names it in the message.
uint64_t manifest_int(const Json& parent, const char* key, uint64_t lo, uint64_t hi, const std::string& what);
// Shards whose sizes add up to blob_bytes, each with a url (and a SHA-256 when require_digests).
void validate_shard_list(const Json& owner, uint64_t blob, const std::string& what, bool require_digests);
}  // namespace saematch
