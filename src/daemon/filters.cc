#include "daemon/filters.h"

#include <fmt/format.h>
#include <time.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/duration.h"
#include "base/strings.h"

namespace berth::daemon {
namespace {

using nlohmann::json;

Error InvalidFilter(std::string_view key, const std::vector<std::string>& values) {
  std::string msg = fmt::format("invalid filter '{}", key);
  if (!values.empty()) msg += "=" + str::Join(values, ",");
  return Error::Invalid(msg + "'");
}

// RFC 3339 and the shorter forms Docker accepts ("2006-01-02",
// "2006-01-02T15:04:05", with optional fraction and Z or ±hh:mm).
std::optional<int64_t> ParseRfc3339Nano(std::string_view s) {
  struct tm tm = {};
  std::string text(s);
  const char* p = strptime(text.c_str(), "%Y-%m-%d", &tm);
  if (!p) return std::nullopt;
  int64_t frac_ns = 0;
  int64_t offset = 0;
  if (*p == 'T') {
    p = strptime(p + 1, "%H:%M", &tm);
    if (!p) return std::nullopt;
    if (*p == ':') {
      p = strptime(p + 1, "%S", &tm);
      if (!p) return std::nullopt;
    }
    if (*p == '.') {
      ++p;
      int64_t scale = 100000000;
      while (isdigit(static_cast<unsigned char>(*p))) {
        frac_ns += (*p - '0') * scale;
        scale /= 10;
        ++p;
      }
    }
  }
  if (*p == 'Z') {
    ++p;
  } else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1;
    int hh = 0, mm = 0;
    if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
    offset = sign * (hh * 3600 + mm * 60);
    p += 6;
  }
  if (*p != '\0') return std::nullopt;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset;
  return secs * 1000000000 + frac_ns;
}

}  // namespace

Result<Filters> Filters::Parse(std::string_view text) {
  Filters f;
  if (str::Trim(text).empty()) return f;
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Error::Invalid(fmt::format("invalid filters: {}", text));
  for (const auto& [key, value] : doc.items()) {
    if (value.is_object()) {
      for (const auto& [v, on] : value.items()) {
        if (!on.is_boolean()) return Error::Invalid(fmt::format("invalid filters: {}", text));
        if (on.get<bool>()) f.Add(key, v);
      }
    } else if (value.is_array()) {
      for (const json& v : value) {
        if (!v.is_string()) return Error::Invalid(fmt::format("invalid filters: {}", text));
        f.Add(key, v.get<std::string>());
      }
    } else {
      return Error::Invalid(fmt::format("invalid filters: {}", text));
    }
    f.args_[key];  // a key with no values is still present
  }
  return f;
}

std::vector<std::string> Filters::Keys() const {
  std::vector<std::string> out;
  for (const auto& [key, values] : args_) out.push_back(key);
  return out;
}

std::vector<std::string> Filters::Get(std::string_view key) const {
  auto it = args_.find(std::string(key));
  if (it == args_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

Status Filters::Validate(const std::set<std::string_view>& accepted) const {
  for (const auto& [key, values] : args_)
    if (!accepted.count(key)) return InvalidFilter(key, {});
  return Ok();
}

bool Filters::ExactMatch(std::string_view key, std::string_view value) const {
  auto it = args_.find(std::string(key));
  if (it == args_.end() || it->second.empty()) return true;
  return it->second.count(std::string(value)) > 0;
}

bool Filters::GlobMatch(std::string_view key, std::string_view value) const {
  auto it = args_.find(std::string(key));
  if (it == args_.end() || it->second.empty()) return true;
  for (const std::string& p : it->second)
    if (daemon::GlobMatch(p, value)) return true;
  return false;
}

bool Filters::MatchLabels(std::string_view key,
                          const std::map<std::string, std::string>& labels) const {
  auto it = args_.find(std::string(key));
  if (it == args_.end()) return true;
  for (const std::string& want : it->second) {
    bool has_value = false;
    auto [k, v] = str::Cut(want, '=', &has_value);
    auto l = labels.find(k);
    if (l == labels.end()) return false;
    if (has_value && l->second != v) return false;
  }
  return true;
}

Result<bool> Filters::GetBool(std::string_view key, bool def) const {
  auto it = args_.find(std::string(key));
  if (it == args_.end() || it->second.empty()) return def;
  bool any_true = false, any_false = false;
  for (const std::string& v : it->second) {
    std::string l = str::ToLower(v);
    if (l == "true" || l == "1")
      any_true = true;
    else if (l == "false" || l == "0")
      any_false = true;
    else
      return InvalidFilter(key, Get(key));
  }
  if (any_true && any_false) return InvalidFilter(key, Get(key));
  return any_true;
}

std::string Filters::ToJson() const {
  json doc = json::object();
  for (const auto& [key, values] : args_) {
    json set = json::object();
    for (const std::string& v : values) set[v] = true;
    doc[key] = set;
  }
  return doc.dump();
}

bool GlobMatch(std::string_view pattern, std::string_view name) {
  size_t p = 0, n = 0;
  size_t star_p = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size()) {
      char c = pattern[p];
      if (c == '*') {
        star_p = p++;
        star_n = n;
        continue;
      }
      if (c == '?' && name[n] != '/') {
        ++p, ++n;
        continue;
      }
      if (c == '[') {
        size_t q = p + 1;
        bool negate = q < pattern.size() && (pattern[q] == '^' || pattern[q] == '!');
        if (negate) ++q;
        bool matched = false;
        while (q < pattern.size() && pattern[q] != ']') {
          char lo = pattern[q] == '\\' && q + 1 < pattern.size() ? pattern[++q] : pattern[q];
          char hi = lo;
          if (q + 2 < pattern.size() && pattern[q + 1] == '-' && pattern[q + 2] != ']') {
            hi = pattern[q + 2];
            q += 2;
          }
          if (name[n] >= lo && name[n] <= hi) matched = true;
          ++q;
        }
        if (q < pattern.size() && matched != negate) {
          p = q + 1, ++n;
          continue;
        }
      } else if (c != '?') {
        if (c == '\\' && p + 1 < pattern.size()) c = pattern[++p];
        if (c == name[n]) {
          ++p, ++n;
          continue;
        }
      }
    }
    // Backtrack: let the last '*' swallow one more character (not '/').
    if (star_p != std::string_view::npos && name[star_n] != '/') {
      p = star_p + 1;
      n = ++star_n;
      continue;
    }
    return false;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

int64_t NowNano() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Result<int64_t> ParseTimestamp(std::string_view s, int64_t now_nano) {
  std::string_view t = str::Trim(s);
  if (t.empty()) return Error::Invalid("empty timestamp");
  bool numeric = true;
  int dots = 0;
  for (char c : t) {
    if (c == '.')
      ++dots;
    else if (!isdigit(static_cast<unsigned char>(c)))
      numeric = false;
  }
  if (numeric && dots <= 1) {
    auto [sec, frac] = str::Cut(t, '.');
    auto secs = str::ParseInt(sec);
    if (!secs) return Error::Invalid(fmt::format("invalid timestamp \"{}\"", s));
    int64_t ns = 0, scale = 100000000;
    for (char c : frac) {
      if (scale == 0) break;
      ns += (c - '0') * scale;
      scale /= 10;
    }
    return *secs * 1000000000 + ns;
  }
  if (auto d = duration::Parse(t); d.ok()) return now_nano - *d;
  if (auto ns = ParseRfc3339Nano(t)) return *ns;
  return Error::Invalid(fmt::format(
      "invalid timestamp \"{}\": use Unix seconds, an RFC 3339 date or a duration like 10m", s));
}

}  // namespace berth::daemon
