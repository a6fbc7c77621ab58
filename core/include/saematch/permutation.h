#pragma once
// A matching read back from a file (`saematch match --out`): a_to_b checked to be a partial
// permutation before anything indexes with it.
#include "saematch/json.h"
#include <string>
#include <vector>

namespace saematch {
// a_to_b must have FA entries, each an integer feature of B (0..FB-1) or -1 (unmatched, only
// when FA > FB), with no B feature used twice. `what` names the file in messages.
std::vector<int> parse_permutation(const Json& j, int FA, int FB, const std::string& what);
}  // namespace saematch
