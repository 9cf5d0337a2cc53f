#include "cli/units.h"

#include <ctime>

#include <fmt/format.h>

namespace berth::cli {
namespace {

struct tm LocalTm(int64_t secs) {
  time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  localtime_r(&t, &tm);
  return tm;
}

// "+01:00", or "Z" for UTC when z is true.
std::string Offset(const struct tm& tm, bool z) {
  long off = tm.tm_gmtoff;
  if (off == 0 && z) return "Z";
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  return fmt::format("{}{:02}:{:02}", sign, off / 3600, (off % 3600) / 60);
}

}  // namespace

std::string HumanDuration(int64_t seconds) {
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return fmt::format("{} seconds", seconds);
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return fmt::format("{} minutes", minutes);
  int64_t hours = static_cast<int64_t>(static_cast<double>(seconds) / 3600.0 + 0.5);
  if (hours == 1) return "About an hour";
  if (hours < 48) return fmt::format("{} hours", hours);
  if (hours < 24 * 7 * 2) return fmt::format("{} days", hours / 24);
  if (hours < 24 * 30 * 2) return fmt::format("{} weeks", hours / 24 / 7);
  if (hours < 24 * 365 * 2) return fmt::format("{} months", hours / 24 / 30);
  return fmt::format("{} years", seconds / 3600 / 24 / 365);
}

std::string Since(int64_t unix_seconds, int64_t now_seconds) {
  return HumanDuration(now_seconds - unix_seconds) + " ago";
}

std::string GoTimeString(int64_t unix_seconds) {
  struct tm tm = LocalTm(unix_seconds);
  char buf[96];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
  return buf;
}

std::string Rfc3339(int64_t unix_seconds) {
  struct tm tm = LocalTm(unix_seconds);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf + Offset(tm, true);
}

std::string Rfc3339NanoFixed(int64_t unix_nanos) {
  int64_t secs = unix_nanos / 1000000000;
  int64_t ns = unix_nanos % 1000000000;
  if (ns < 0) {
    ns += 1000000000;
    --secs;
  }
  struct tm tm = LocalTm(secs);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:09}{}", buf, ns, Offset(tm, true));
}

bool ParseRfc3339(std::string_view s, int64_t* unix_seconds, int64_t* nanos) {
  struct tm tm {};
  int y, mo, d, h = 0, mi = 0, sec = 0;
  int n = 0;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return false;
  size_t i = 10;
  int64_t frac = 0;
  bool has_time = false;
  if (i < str.size() && (str[i] == 'T' || str[i] == 't' || str[i] == ' ')) {
    int m = 0;
    if (std::sscanf(str.c_str() + i + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &m) != 3 || m != 8) return false;
    i += 9;
    has_time = true;
    if (i < str.size() && str[i] == '.') {
      ++i;
      int digits = 0;
      while (i < str.size() && std::isdigit(static_cast<unsigned char>(str[i]))) {
        if (digits < 9) {
          frac = frac * 10 + (str[i] - '0');
          ++digits;
        }
        ++i;
      }
      while (digits++ < 9) frac *= 10;
    }
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  int64_t t;
  if (i == str.size()) {
    // No zone: local time (docker treats a bare date as local).
    tm.tm_isdst = -1;
    t = static_cast<int64_t>(mktime(&tm));
  } else if (has_time && (str[i] == 'Z' || str[i] == 'z') && i + 1 == str.size()) {
    t = static_cast<int64_t>(timegm(&tm));
  } else if (has_time && (str[i] == '+' || str[i] == '-')) {
    int oh, om, m = 0;
    if (std::sscanf(str.c_str() + i + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || i + 1 + static_cast<size_t>(m) != str.size())
      return false;
    int64_t off = oh * 3600 + om * 60;
    t = static_cast<int64_t>(timegm(&tm)) - (str[i] == '+' ? off : -off);
  } else {
    return false;
  }
  *unix_seconds = t;
  *nanos = frac;
  return true;
}

std::string TruncateID(std::string_view id) {
  auto colon = id.find(':');
  if (colon != std::string_view::npos) id = id.substr(colon + 1);
  if (id.size() > 12) id = id.substr(0, 12);
  return std::string(id);
}

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string Ellipsis(std::string_view s, size_t max_width) {
  if (RuneCount(s) <= max_width) return std::string(s);
  if (max_width == 0) return "";
  std::string out;
  size_t runes = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80) {
      if (runes == max_width - 1) break;
      ++runes;
    }
    out += s[i];
  }
  return out + "…";
}

}  // namespace berth::cli
