// Writing json-file logs: line splitting, batching, rotation (the JSON
// strings: json_escape.cc; the batch: entry_encoder.cc).
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fs.h"
#include "logfile/entry_encoder.h"
#include "logfile/jsonlog.h"

namespace berth::logfile {
namespace {

// Docker's copier buffer: a line longer than this is logged in pieces.
constexpr size_t kMaxLine = 16 * 1024;
// The entries of one Write() go out in one write(2), unless they grow past
// this (a big read, or a burst of empty lines: 1 byte each in, ~80 out):
// then in pieces of about this size.
constexpr size_t kMaxBatch = 1 << 20;
// After a call with less input than this, a batch buffer grown past
// kKeepBuffer by a burst is given back.
constexpr size_t kSmallInput = 64 * 1024;
constexpr size_t kKeepBuffer = 512 * 1024;

int StreamIndex(std::string_view stream) { return stream == "stderr" ? 1 : 0; }

}  // namespace

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
  if (enc_.size() == 0) return Ok();
  // One write(2) for the entries of a Write() call. Each entry ends in its
  // newline, so a reader that sees part of the batch keeps the incomplete
  // last line until the rest arrives.
  Status st = fs::WriteAll(fd_.get(), enc_.data());
  if (st.ok()) size_ += static_cast<int64_t>(enc_.size());
  enc_.Clear();
  return std::move(st).Context("write " + o_.path);
}

bool Writer::BatchDone() const {
  return (o_.max_size > 0 && size_ + static_cast<int64_t>(enc_.size()) >= o_.max_size) ||
         enc_.size() >= kMaxBatch;
}

Status Writer::EndBatch() {
  BERTH_TRY(WriteBatch());
  // The file is full with what was batched: rotate.
  if (o_.max_size > 0 && size_ >= o_.max_size) BERTH_TRY_CTX(Rotate(), "rotate log");
  return Ok();
}

Status Writer::AddEntry(std::string_view line) {
  if (BatchDone()) BERTH_TRY(EndBatch());
  enc_.AddEntry(line);
  return Ok();
}

Status Writer::Write(std::string_view stream, std::string_view data) {
  std::string& pending = partial_[StreamIndex(stream)];
  // One time stamp for the lines of one read: they arrived together.
  enc_.SetStreamAndTime(stream, NowRfc3339Nano());
  const size_t input = data.size();
  Status st = Ok();
  while (!data.empty() && st.ok()) {
    if (pending.empty()) {
      // The common case: lines encoded straight from the read.
      if (BatchDone()) {
        st = EndBatch();
        if (!st.ok()) break;
      }
      size_t n = enc_.AddLine(data, kMaxLine);
      if (n == 0) {  // no newline yet: keep the start of the line
        pending.assign(data);
        break;
      }
      data.remove_prefix(n);
      continue;
    }
    // The rest of a line an earlier read began: fill the pending line up to
    // a newline or to the line limit.
    std::string_view chunk = data.substr(0, kMaxLine - pending.size());
    size_t nl = chunk.find('\n');
    if (nl != std::string_view::npos) chunk = chunk.substr(0, nl + 1);
    pending.append(chunk);
    data.remove_prefix(chunk.size());
    if (nl != std::string_view::npos || pending.size() >= kMaxLine) {
      st = AddEntry(pending);
      pending.clear();
    }
  }
  Status wst = WriteBatch();
  if (input < kSmallInput && enc_.capacity() > kKeepBuffer) enc_.Release();
  BERTH_TRY(std::move(st));
  return wst;
}

Status Writer::Flush() {
  std::string time = NowRfc3339Nano();
  Status st = Ok();
  for (int i = 0; i < 2 && st.ok(); ++i) {
    if (partial_[i].empty()) continue;
    enc_.SetStreamAndTime(i == 0 ? "stdout" : "stderr", time);
    st = AddEntry(partial_[i]);
    partial_[i].clear();
  }
  Status wst = WriteBatch();
  BERTH_TRY(std::move(st));
  return wst;
}

}  // namespace berth::logfile
