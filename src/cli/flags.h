// FlagSet: command-line flags with spf13/pflag's syntax and messages, as
// the docker CLI parses them:
//   --name value, --name=value, -n value, -nvalue, -n=value,
//   combined booleans -aq (a value flag may end the group: -af x, -afx),
//   --bool / --bool=false, repeated list flags, "--" ends the flags,
//   "-" alone is an argument.
// Errors carry pflag's texts: "unknown flag: --x", "unknown shorthand flag:
// 'x' in -ax", "flag needs an argument: --format", "flag needs an argument:
// 'f' in -f", "invalid argument \"x\" for \"-n, --tail\" flag: …".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::cli {

struct Flag {
  enum class Kind { kBool, kString, kList, kInt };
  Kind kind = Kind::kString;
  std::string name;
  char shorthand = 0;
  std::string usage;
  std::string type_name;  // shown in help: "string", "list", "filter", "int"
  std::string def;        // default as shown in help ("" / "false" / "0" hide it)
  bool hidden = false;
  bool changed = false;
  bool* b = nullptr;
  std::string* s = nullptr;
  std::vector<std::string>* list = nullptr;
  int64_t* i = nullptr;
  // Checks (and may rewrite) a value before it is stored.
  std::function<Status(std::string&)> validate;
};

class FlagSet {
 public:
  Flag& Bool(bool* p, std::string name, char shorthand, bool def, std::string usage);
  Flag& String(std::string* p, std::string name, char shorthand, std::string def,
               std::string usage);
  Flag& List(std::vector<std::string>* p, std::string name, char shorthand, std::string usage,
             std::string type_name = "list");
  Flag& Int(int64_t* p, std::string name, char shorthand, int64_t def, std::string usage);

  // Parses args; returns the positional arguments. With interspersed false,
  // parsing stops at the first positional argument (which is returned with
  // everything after it).
  Result<std::vector<std::string>> Parse(const std::vector<std::string>& args,
                                         bool interspersed = true);

  const Flag* Lookup(std::string_view name) const;
  bool Changed(std::string_view name) const;
  // pflag's FlagUsages: one line per visible flag, sorted by name, aligned.
  std::string Usages() const;
  bool HasVisible() const;

 private:
  Flag& Add(Flag f);
  Flag* Find(std::string_view name);
  Flag* FindShort(char c);
  Status Set(Flag& f, std::string value);
  static std::string Describe(const Flag& f);

  std::vector<std::unique_ptr<Flag>> flags_;
};

}  // namespace berth::cli
