#include "runtime-cli/args.h"

namespace berth::cli {

Result<Args> Parse(const std::vector<std::string>& argv, size_t start,
                   const std::vector<FlagSpec>& flags, bool stop_at_positional, size_t* next) {
  Args out;
  size_t i = start;
  auto find_long = [&](const std::string& n) -> const FlagSpec* {
    for (const auto& f : flags)
      if (f.long_name == n) return &f;
    return nullptr;
  };
  auto find_short = [&](char c) -> const FlagSpec* {
    for (const auto& f : flags)
      if (f.short_name == c) return &f;
    return nullptr;
  };
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') {
      if (stop_at_positional) break;
      out.positionals.push_back(a);
      continue;
    }
    const FlagSpec* f = nullptr;
    std::string value;
    bool has_value = false;
    if (a[1] == '-') {
      std::string name = a.substr(2);
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      f = find_long(name);
      if (!f) return Error::Invalid("flag provided but not defined: -" + a.substr(1));
    } else {
      // Go's flag package also accepts -name for long names.
      std::string name = a.substr(1);
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      f = name.size() == 1 ? find_short(name[0]) : find_long(name);
      if (!f) return Error::Invalid("flag provided but not defined: " + a);
    }
    if (f->takes_value && !has_value) {
      if (i + 1 >= argv.size()) return Error::Invalid("flag needs an argument: " + a);
      value = argv[++i];
    } else if (!f->takes_value && has_value) {
      if (value != "true" && value != "false")
        return Error::Invalid("invalid boolean value \"" + value + "\" for " + a);
      if (value == "false") continue;
    }
    out.values_[f->long_name].push_back(value);
  }
  if (next) *next = i;
  for (; i < argv.size(); ++i) out.positionals.push_back(argv[i]);
  return out;
}

}  // namespace berth::cli
