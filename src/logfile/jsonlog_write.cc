// Writing json-file logs: line splitting, Go-compatible JSON strings, rotation.
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

#include "base/clock.h"
#include "base/fs.h"
#include "logfile/jsonlog.h"

namespace berth::logfile {
namespace {

// Docker's copier buffer: a line longer than this is logged in pieces.
constexpr size_t kMaxLine = 16 * 1024;

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid (the
// same acceptance ranges as Go's utf8.DecodeRune).
size_t Utf8Len(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if (b(k) < 0x80 || b(k) > 0xBF) return 0;
  return n;
}

int StreamIndex(std::string_view stream) { return stream == "stderr" ? 1 : 0; }

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t n = Utf8Len(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8 / E2 80 A9).
    if (n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
      out += s[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  out.push_back('"');
}

Result<int64_t> ParseRfc3339Nano(std::string_view s) {
  auto bad = [&] { return Error::Invalid("invalid RFC 3339 time \"" + std::string(s) + "\""); };
  auto num = [&](size_t pos, size_t len, int& v) {
    if (pos + len > s.size()) return false;
    v = 0;
    for (size_t k = 0; k < len; ++k) {
      char c = s[pos + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    return true;
  };
  struct tm tm = {};
  int year, mon, day, h, m, sec;
  if (!num(0, 4, year) || s.size() < 19 || s[4] != '-' || !num(5, 2, mon) || s[7] != '-' ||
      !num(8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !num(11, 2, h) ||
      s[13] != ':' || !num(14, 2, m) || s[16] != ':' || !num(17, 2, sec))
    return bad();
  size_t pos = 19;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) frac = frac * 10 + (s[pos] - '0'), ++digits;
      ++pos;
    }
    if (digits == 0) return bad();
    for (; digits < 9; ++digits) frac *= 10;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!num(pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !num(pos + 4, 2, om))
      return bad();
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  int64_t secs = static_cast<int64_t>(::timegm(&tm)) - offset;
  return secs * 1000000000 + frac;
}

Result<Writer> Writer::Open(const WriterOptions& o) {
  if (o.path.empty()) return Error::Invalid("log path is empty");
  Writer w;
  w.o_ = o;
  if (w.o_.max_files < 1) w.o_.max_files = 1;
  w.fd_ = BERTH_TRY(fs::Open(o.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  struct stat st;
  if (::fstat(w.fd_.get(), &st) < 0) return Error::Sys("stat " + o.path);
  w.size_ = st.st_size;
  return w;
}

Status Writer::Rotate() {
  if (o_.max_files <= 1) {
    if (::ftruncate(fd_.get(), 0) < 0) return Error::Sys("truncate " + o_.path);
    size_ = 0;
    return Ok();
  }
  for (int i = o_.max_files - 1; i >= 1; --i) {
    std::string from = i == 1 ? o_.path : o_.path + "." + std::to_string(i - 1);
    std::string to = o_.path + "." + std::to_string(i);
    if (::rename(from.c_str(), to.c_str()) < 0 && errno != ENOENT)
      return Error::Sys("rename " + from + " to " + to);
  }
  fd_ = BERTH_TRY(fs::Open(o_.path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  size_ = 0;
  return Ok();
}

Status Writer::WriteEntry(std::string_view stream, std::string_view line, const std::string& time) {
  if (o_.max_size > 0 && size_ >= o_.max_size) BERTH_TRY_CTX(Rotate(), "rotate log");
  buf_.clear();
  buf_ += "{\"log\":";
  AppendJsonString(buf_, line);
  buf_ += ",\"stream\":\"";
  buf_ += stream;
  buf_ += "\",\"time\":\"";
  buf_ += time;
  buf_ += "\"}\n";
  // One write(2) per object, so a reader never sees half of one unless the
  // disk is full.
  BERTH_TRY_CTX(fs::WriteAll(fd_.get(), buf_), "write " + o_.path);
  size_ += static_cast<int64_t>(buf_.size());
  return Ok();
}

Status Writer::Write(std::string_view stream, std::string_view data) {
  std::string& pending = partial_[StreamIndex(stream)];
  std::string time = NowRfc3339Nano();
  while (!data.empty()) {
    // Fill the pending line up to a newline or to the line limit.
    size_t room = kMaxLine - pending.size();
    std::string_view chunk = data.substr(0, room);
    size_t nl = chunk.find('\n');
    if (nl != std::string_view::npos) {
      std::string_view head = data.substr(0, nl + 1);
      if (pending.empty()) {
        BERTH_TRY(WriteEntry(stream, head, time));
      } else {
        pending.append(head);
        BERTH_TRY(WriteEntry(stream, pending, time));
        pending.clear();
      }
      data.remove_prefix(nl + 1);
      continue;
    }
    pending.append(chunk);
    data.remove_prefix(chunk.size());
    if (pending.size() >= kMaxLine) {
      BERTH_TRY(WriteEntry(stream, pending, time));
      pending.clear();
    }
  }
  return Ok();
}

Status Writer::Flush() {
  std::string time = NowRfc3339Nano();
  for (int i = 0; i < 2; ++i) {
    if (partial_[i].empty()) continue;
    BERTH_TRY(WriteEntry(i == 0 ? "stdout" : "stderr", partial_[i], time));
    partial_[i].clear();
  }
  return Ok();
}

}  // namespace berth::logfile
