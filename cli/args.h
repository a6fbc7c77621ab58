#pragma once
// Tiny argument reader: positionals plus --key value / --flag options.
#include "saematch/error.h"
#include <map>
#include <set>
#include <string>
#include <vector>

namespace cli {
struct Args {
  std::vector<std::string> pos;
  std::map<std::string, std::string> opt;
  std::set<std::string> used;

  Args(int argc, char** argv, int first, const std::set<std::string>& flags) {
    for (int i = first; i < argc; ++i) {
      std::string a = argv[i];
      if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
        std::string k = a.substr(2);
        if (flags.count(k)) { opt[k] = "1"; continue; }
        if (i + 1 >= argc) saematch::fail("option --" + k + " needs a value");
        opt[k] = argv[++i];
      } else pos.push_back(a);
    }
  }
  bool has(const std::string& k) { used.insert(k); return opt.count(k) > 0; }
  std::string str(const std::string& k, const std::string& def) { used.insert(k); auto it = opt.find(k); return it == opt.end() ? def : it->second; }
  double num(const std::string& k, double def) {
    used.insert(k);
    auto it = opt.find(k);
    if (it == opt.end()) return def;
    try { size_t p; double v = std::stod(it->second, &p); if (p == it->second.size()) return v; } catch (...) {}
    saematch::fail("option --" + k + " expects a number, got '" + it->second + "'");
  }
  void done() const {
    for (auto& kv : opt) if (!used.count(kv.first)) saematch::fail("unknown option --" + kv.first);
  }
};
}  // namespace cli
