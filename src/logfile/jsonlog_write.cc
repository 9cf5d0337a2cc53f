// Writing json-file logs: line splitting, Go-compatible JSON strings, rotation.
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "base/clock.h"
#include "base/fs.h"
#include "logfile/jsonlog.h"
#include "logfile/utf8.h"

namespace berth::logfile {
namespace {

// Docker's copier buffer: a line longer than this is logged in pieces.
constexpr size_t kMaxLine = 16 * 1024;
// The objects of one Write() go out in one write(2), unless they grow past
// this (a burst of empty lines): then in pieces of about this size.
constexpr size_t kMaxBatch = 128 * 1024;

using internal::Utf8Len;

int StreamIndex(std::string_view stream) { return stream == "stderr" ? 1 : 0; }

// Bytes copied into a JSON string as they are: printable ASCII but for
// " \ < > & (Go escapes those three for HTML). Control bytes and bytes
// >= 0x80 take the slow path.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = true;
  t['"'] = t['\\'] = t['<'] = t['>'] = t['&'] = false;
  return t;
}();

// True for E2 80 A8 / E2 80 A9 (U+2028, U+2029) at s[i], a valid 3-byte
// sequence.
bool IsLineSeparator(std::string_view s, size_t i) {
  return s[i] == '\xE2' && s[i + 1] == '\x80' &&
         (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  const size_t size = s.size();
  size_t i = 0;
  while (i < size) {
    // A run of bytes that need no escaping (printable ASCII and valid UTF-8
    // but U+2028/U+2029) is appended at once.
    size_t run = i;
    while (i < size) {
      i += internal::PlainAsciiRun<true>(s, i, kPlain.data());
      if (i == size) break;
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) break;
      size_t n = Utf8Len(s, i);
      if (n == 0 || (n == 3 && IsLineSeparator(s, i))) break;
      i += n;
    }
    if (i > run) out.append(s.data() + run, i - run);
    if (i == size) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out.append("\\\"", 2); break;
      case '\\': out.append("\\\\", 2); break;
      case '\n': out.append("\\n", 2); break;
      case '\r': out.append("\\r", 2); break;
      case '\t': out.append("\\t", 2); break;
      default:
        if (c < 0x80) {  // other control bytes, < > &
          char e[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
          out.append(e, 6);
        } else if (Utf8Len(s, i) == 3) {  // U+2028 or U+2029
          out.append(s[i + 2] == '\xA8' ? "\\u2028" : "\\u2029", 6);
          i += 2;
        } else {  // one byte of invalid UTF-8
          out.append("\\ufffd", 6);
        }
    }
    ++i;
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

Status Writer::WriteBatch() {
  if (batch_.empty()) return Ok();
  // One write(2) for the objects of a Write() call. Each object ends in its
  // newline, so a reader that sees part of the batch keeps the incomplete
  // last line until the rest arrives.
  Status st = fs::WriteAll(fd_.get(), batch_);
  if (st.ok()) size_ += static_cast<int64_t>(batch_.size());
  batch_.clear();
  return std::move(st).Context("write " + o_.path);
}

Status Writer::AddEntry(std::string_view line, std::string_view suffix) {
  if (o_.max_size > 0 && size_ + static_cast<int64_t>(batch_.size()) >= o_.max_size) {
    // The file is full with what is batched: write that out, then rotate.
    BERTH_TRY(WriteBatch());
    BERTH_TRY_CTX(Rotate(), "rotate log");
  } else if (batch_.size() >= kMaxBatch) {
    BERTH_TRY(WriteBatch());
  }
  batch_.append("{\"log\":", 7);
  AppendJsonString(batch_, line);
  batch_.append(suffix);
  return Ok();
}

// The end of every object of one Write(): ,"stream":"…","time":"…"}\n
void Writer::SetSuffix(std::string_view stream, std::string_view time) {
  suffix_.assign(",\"stream\":\"");
  suffix_.append(stream);
  suffix_.append("\",\"time\":\"");
  suffix_.append(time);
  suffix_.append("\"}\n");
}

Status Writer::Write(std::string_view stream, std::string_view data) {
  std::string& pending = partial_[StreamIndex(stream)];
  // One time stamp for the lines of one read: they arrived together.
  SetSuffix(stream, NowRfc3339Nano());
  batch_.reserve(data.size() + data.size() / 4 + 256);
  Status st = Ok();
  while (!data.empty() && st.ok()) {
    // Fill the pending line up to a newline or to the line limit.
    size_t room = kMaxLine - pending.size();
    std::string_view chunk = data.substr(0, room);
    size_t nl = chunk.find('\n');
    if (nl != std::string_view::npos) {
      std::string_view head = data.substr(0, nl + 1);
      if (pending.empty()) {
        st = AddEntry(head, suffix_);
      } else {
        pending.append(head);
        st = AddEntry(pending, suffix_);
        pending.clear();
      }
      data.remove_prefix(nl + 1);
      continue;
    }
    pending.append(chunk);
    data.remove_prefix(chunk.size());
    if (pending.size() >= kMaxLine) {
      st = AddEntry(pending, suffix_);
      pending.clear();
    }
  }
  Status wst = WriteBatch();
  BERTH_TRY(std::move(st));
  return wst;
}

Status Writer::Flush() {
  std::string time = NowRfc3339Nano();
  Status st = Ok();
  for (int i = 0; i < 2 && st.ok(); ++i) {
    if (partial_[i].empty()) continue;
    SetSuffix(i == 0 ? "stdout" : "stderr", time);
    st = AddEntry(partial_[i], suffix_);
    partial_[i].clear();
  }
  Status wst = WriteBatch();
  BERTH_TRY(std::move(st));
  return wst;
}

}  // namespace berth::logfile
