#include "base/duration.h"

#include <string>

namespace berth::duration {
namespace {

constexpr uint64_t kMax = uint64_t{1} << 63;  // |min int64|; positive results stay below

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

Error Invalid(std::string_view orig) { return Error::Invalid("time: invalid duration " + Quote(orig)); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Nanoseconds per unit; 0 for an unknown unit.
uint64_t UnitNanos(std::string_view u) {
  if (u == "ns") return 1;
  if (u == "us" || u == "\xc2\xb5s" || u == "\xce\xbcs") return 1000;
  if (u == "ms") return 1000000;
  if (u == "s") return 1000000000;
  if (u == "m") return 60ull * 1000000000;
  if (u == "h") return 3600ull * 1000000000;
  return 0;
}

// Consumes leading digits into *v; false when they overflow kMax.
bool LeadingInt(std::string_view* s, uint64_t* v) {
  size_t i = 0;
  uint64_t x = 0;
  for (; i < s->size() && IsDigit((*s)[i]); ++i) {
    uint64_t d = static_cast<uint64_t>((*s)[i] - '0');
    if (x > (kMax - d) / 10) return false;
    x = x * 10 + d;
  }
  s->remove_prefix(i);
  *v = x;
  return true;
}

// Consumes leading fraction digits: *f / *scale is their value. Digits past
// what fits are consumed and ignored (they cannot change the nanoseconds).
void LeadingFraction(std::string_view* s, uint64_t* f, double* scale) {
  size_t i = 0;
  uint64_t x = 0;
  double sc = 1;
  bool overflow = false;
  for (; i < s->size() && IsDigit((*s)[i]); ++i) {
    if (overflow) continue;
    uint64_t d = static_cast<uint64_t>((*s)[i] - '0');
    if (x > (kMax - 1 - d) / 10) {
      overflow = true;
      continue;
    }
    x = x * 10 + d;
    sc *= 10;
  }
  s->remove_prefix(i);
  *f = x;
  *scale = sc;
}

}  // namespace

Result<int64_t> Parse(std::string_view orig) {
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return Invalid(orig);
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || IsDigit(s[0]))) return Invalid(orig);
    size_t before = s.size();
    uint64_t v = 0;
    if (!LeadingInt(&s, &v)) return Invalid(orig);
    bool pre = s.size() != before;
    uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      size_t at = s.size();
      LeadingFraction(&s, &f, &scale);
      post = s.size() != at;
    }
    if (!pre && !post) return Invalid(orig);  // "." or ".s": no digits at all
    size_t i = 0;
    while (i < s.size() && s[i] != '.' && !IsDigit(s[i])) ++i;
    if (i == 0) return Error::Invalid("time: missing unit in duration " + Quote(orig));
    std::string_view u = s.substr(0, i);
    s.remove_prefix(i);
    uint64_t unit = UnitNanos(u);
    if (unit == 0)
      return Error::Invalid("time: unknown unit " + Quote(u) + " in duration " + Quote(orig));
    if (v > kMax / unit) return Invalid(orig);
    v *= unit;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
      if (v > kMax) return Invalid(orig);
    }
    total += v;
    if (total > kMax) return Invalid(orig);
  }
  if (neg) return total == kMax ? INT64_MIN : -static_cast<int64_t>(total);
  if (total > kMax - 1) return Invalid(orig);
  return static_cast<int64_t>(total);
}

}  // namespace berth::duration
