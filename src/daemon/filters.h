// Docker's filter arguments ("filters" query parameter): a JSON object
// mapping a key to the set of values, in either of the two forms clients
// send: {"dangling":{"true":true}} (current) or {"dangling":["true"]}
// (API < 1.22 and some libraries).
//
// Also Docker's time arguments (since/until, filter values): Unix seconds
// with optional fraction ("1700000000.5"), RFC 3339 dates, or a duration
// ("10m", "1h30m") meaning that long before now.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::daemon {

class Filters {
 public:
  // Empty text is no filters. Malformed JSON is kInvalidArgument.
  static Result<Filters> Parse(std::string_view json);

  void Add(const std::string& key, const std::string& value) { args_[key].insert(value); }
  bool empty() const { return args_.empty(); }
  std::vector<std::string> Keys() const;
  bool Has(std::string_view key) const { return args_.count(std::string(key)) > 0; }
  std::vector<std::string> Get(std::string_view key) const;
  // kInvalidArgument "invalid filter 'key'" for a key not in accepted.
  Status Validate(const std::set<std::string_view>& accepted) const;
  // True when key is absent or one of its values equals value.
  bool ExactMatch(std::string_view key, std::string_view value) const;
  // Like ExactMatch, but values are matched as path.Match-style globs.
  bool GlobMatch(std::string_view key, std::string_view value) const;
  // Label filter "label": each value "k" or "k=v" must be satisfied by labels.
  bool MatchLabels(std::string_view key, const std::map<std::string, std::string>& labels) const;
  // A boolean filter: def when absent; kInvalidArgument for values other
  // than true/false/1/0 ("invalid filter 'dangling=maybe'").
  Result<bool> GetBool(std::string_view key, bool def) const;
  // The JSON form {"k":{"v":true}}.
  std::string ToJson() const;

 private:
  std::map<std::string, std::set<std::string>> args_;
};

// Go's path.Match subset: '*', '?', '[...]' classes, '\\' escapes; '*' and
// '?' do not match '/'.
bool GlobMatch(std::string_view pattern, std::string_view name);

// Parses a time argument into Unix nanoseconds; now_nano anchors durations.
Result<int64_t> ParseTimestamp(std::string_view s, int64_t now_nano);
// The current time in Unix nanoseconds.
int64_t NowNano();

}  // namespace berth::daemon
