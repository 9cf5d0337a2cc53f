// RFC 3339 times as Go parses and prints them (time.RFC3339Nano).
#include <time.h>

#include <cstdio>
#include <string>

#include "base/strings.h"
#include "image/image_store_impl.h"

namespace berth::image {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Timestamp ParseRfc3339(std::string_view s) {
  Timestamp t;
  int y, mo, d, h, mi, se;
  if (!Digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &se))
    return t;
  size_t pos = 19;
  int64_t nsec = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) nsec = nsec * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return t;
    for (int i = digits; i < 9; ++i) nsec *= 10;
  }
  int offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om))
      return t;
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return t;
  }
  if (pos != s.size()) return t;
  struct tm tm = {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  t.sec = static_cast<int64_t>(timegm(&tm)) - offset;
  t.nsec = static_cast<int32_t>(nsec);
  t.offset = offset;
  t.valid = true;
  return t;
}

std::string FormatRfc3339Nano(const Timestamp& t) {
  if (!t.valid) return "0001-01-01T00:00:00Z";
  time_t local = static_cast<time_t>(t.sec + t.offset);
  struct tm tm;
  gmtime_r(&local, &tm);
  char buf[64];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out = buf;
  if (t.nsec != 0) {
    snprintf(buf, sizeof buf, ".%09d", t.nsec);
    std::string frac = buf;
    while (frac.back() == '0') frac.pop_back();
    out += frac;
  }
  if (t.offset == 0) {
    out += "Z";
  } else {
    int o = t.offset < 0 ? -t.offset : t.offset;
    snprintf(buf, sizeof buf, "%c%02d:%02d", t.offset < 0 ? '-' : '+', o / 3600, (o / 60) % 60);
    out += buf;
  }
  return out;
}

Timestamp Now() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  Timestamp t;
  t.sec = ts.tv_sec;
  t.nsec = static_cast<int32_t>(ts.tv_nsec);
  t.valid = true;
  return t;
}

}  // namespace berth::image
