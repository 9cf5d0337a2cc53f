// A small getopt-like parser for berth-runtime's runc-compatible flags:
// "--name value", "--name=value", "-n value", boolean flags, repeatable
// flags, and positionals (parsing stops at the first positional when
// `stop_at_positional` is set, for `exec ID CMD...`).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::cli {

struct FlagSpec {
  std::string long_name;   // "bundle"
  char short_name = 0;     // 'b'
  bool takes_value = false;
  bool ignored = false;    // accepted for compatibility, no effect
};

class Args {
 public:
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& def = "") const {
    auto it = values_.find(name);
    return it == values_.end() || it->second.empty() ? def : it->second.back();
  }
  std::vector<std::string> GetAll(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
  }
  std::vector<std::string> positionals;
  std::map<std::string, std::vector<std::string>> values_;
};

// Parses argv[start..end). Unknown flags are errors naming the flag.
Result<Args> Parse(const std::vector<std::string>& argv, size_t start,
                   const std::vector<FlagSpec>& flags, bool stop_at_positional, size_t* next);

}  // namespace berth::cli
