#include "build/gofmt.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

namespace berth::build {
namespace {

// Decodes one UTF-8 sequence at s[i]; -1 when invalid.
int32_t DecodeRune(const std::string& s, size_t i, size_t* len) {
  unsigned char c = s[i];
  int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    *len = 1;
    return -1;
  }
  int32_t r = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
  for (int k = 1; k < n; ++k) {
    unsigned char cc = s[i + k];
    if ((cc >> 6) != 2) {
      *len = 1;
      return -1;
    }
    r = (r << 6) | (cc & 0x3f);
  }
  *len = n;
  return r;
}

}  // namespace

std::string GoQuote(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    int32_t r = DecodeRune(s, i, &len);
    if (r < 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
    } else if (r == '"' || r == '\\') {
      out += '\\';
      out += static_cast<char>(r);
    } else if (r == '\n') {
      out += "\\n";
    } else if (r == '\t') {
      out += "\\t";
    } else if (r == '\r') {
      out += "\\r";
    } else if (r == '\a') {
      out += "\\a";
    } else if (r == '\b') {
      out += "\\b";
    } else if (r == '\f') {
      out += "\\f";
    } else if (r == '\v') {
      out += "\\v";
    } else if (r < 0x20 || r == 0x7f) {
      out += fmt::format("\\x{:02x}", r);
    } else {
      out += s.substr(i, len);
    }
    i += len;
  }
  return out + "\"";
}

std::string GoQuoteList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + GoQuote(v[i]);
  return out + "]";
}

std::string GoList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + v[i];
  return out + "]";
}

std::string GoQuoteRune(int64_t r) {
  if (r == '\'') return "'\\''";
  if (r == '\\') return "'\\\\'";
  if (r >= 0x20 && r < 0x7f) return fmt::format("'{}'", static_cast<char>(r));
  if (r == '\n') return "'\\n'";
  if (r == '\t') return "'\\t'";
  if (r < 0x100) return fmt::format("'\\x{:02x}'", r);
  return fmt::format("'\\u{:04x}'", r);
}

// Go's Duration.String().
std::string GoDuration(int64_t ns) {
  if (ns == 0) return "0s";
  bool neg = ns < 0;
  uint64_t u = neg ? -static_cast<uint64_t>(ns) : ns;
  auto frac = [](uint64_t v, int prec) {  // v / 10^prec without trailing zeros
    std::string digits = std::to_string(v);
    while (static_cast<int>(digits.size()) <= prec) digits = "0" + digits;
    std::string ip = digits.substr(0, digits.size() - prec), fp = digits.substr(digits.size() - prec);
    while (!fp.empty() && fp.back() == '0') fp.pop_back();
    return fp.empty() ? ip : ip + "." + fp;
  };
  std::string out;
  if (u < 1000000000ULL) {
    if (u < 1000) out = std::to_string(u) + "ns";
    else if (u < 1000000) out = frac(u, 3) + "µs";
    else out = frac(u, 6) + "ms";
  } else {
    uint64_t secs = u / 1000000000ULL, sub = u % 1000000000ULL;
    uint64_t h = secs / 3600, m = (secs / 60) % 60, s = secs % 60;
    std::string sec = frac(s * 1000000000ULL + sub, 9) + "s";
    if (h > 0) out = std::to_string(h) + "h" + std::to_string(m) + "m" + sec;
    else if (m > 0) out = std::to_string(m) + "m" + sec;
    else out = sec;
  }
  return neg ? "-" + out : out;
}

}  // namespace berth::build
