#include "saematch/permutation.h"
#include "saematch/error.h"
#include <algorithm>
#include <cmath>

namespace saematch {
std::vector<int> parse_permutation(const Json& j, int FA, int FB, const std::string& what) {
  const Json* a = j.find("a_to_b");
  if (!a || a->type != Json::Array) fail(what + ": no a_to_b list (expected the output of saematch match)");
  if (a->arr.size() != size_t(FA))
    fail(what + ": a_to_b has " + std::to_string(a->arr.size()) + " entries, the first SAE has F=" + std::to_string(FA));
  std::vector<int> out(a->arr.size());
  std::vector<int> used_at(size_t(FB), -1);  // where each B feature was used
  int unmatched = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const Json& v = a->arr[i];
    const std::string at = what + ": a_to_b[" + std::to_string(i) + "]";
    if (!v.is_num() || !std::isfinite(v.num) || v.num != std::floor(v.num))
      fail(at + " = " + (v.is_num() ? Json::number(v.num).dump() : v.dump().substr(0, 40)) + " is not an integer feature index");
    if (v.num < -1 || v.num >= FB)
      fail(at + " = " + Json::number(v.num).dump() + " is outside 0.." + std::to_string(FB - 1) + " (F of the second SAE)");
    const int b = int(v.num);
    out[i] = b;
    if (b < 0) { ++unmatched; continue; }
    if (used_at[size_t(b)] >= 0)
      fail(at + " repeats feature " + std::to_string(b) + " (already at a_to_b[" + std::to_string(used_at[size_t(b)]) + "]): not a permutation");
    used_at[size_t(b)] = int(i);
  }
  // A complete matching leaves a feature of A unmatched only when A has more features than B.
  if (unmatched > std::max(0, FA - FB))
    fail(what + ": a_to_b leaves " + std::to_string(unmatched) + " features unmatched (-1), but B has room for all of them: not a matching");
  return out;
}
}  // namespace saematch
