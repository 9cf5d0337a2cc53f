// Reading json-file logs: tail across rotated files, since/until, follow
// (inotify on the log's directory, so a rename or a new file wakes it too).
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <nlohmann/json.hpp>
#include <vector>

#include "base/fs.h"
#include "logfile/jsonlog.h"
#include "logfile/utf8.h"

namespace berth::logfile {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

using internal::PlainAsciiRun;
using internal::Utf8Len;

// Bytes a JSON string's fast path copies as they are: printable ASCII but
// the closing quote and the escape. It stops at raw control bytes (invalid
// JSON) and at UTF-8 sequences (validated as nlohmann would).
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = true;
  t['"'] = t['\\'] = false;
  return t;
}();

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The 4 hex digits at s[i], or -1.
int32_t Hex4(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return -1;
  int32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int d = HexDigit(s[i + k]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    char b[2] = {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 2);
  } else if (cp < 0x10000) {
    char b[3] = {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                 static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 3);
  } else {
    char b[4] = {static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
                 static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 4);
  }
}

}  // namespace

namespace internal {

// Decodes the JSON string whose body starts at s[i] (after the opening
// quote) into out; i ends after the closing quote. False for anything the
// fast path does not take (invalid JSON, invalid UTF-8, a lone surrogate):
// the caller then leaves the line to nlohmann.
bool UnescapeJsonString(std::string_view s, size_t& i, std::string& out) {
  const size_t size = s.size();
  while (true) {
    size_t run = i;
    while (i < size) {
      i += PlainAsciiRun<false>(s, i, kPlain.data());
      if (i == size) break;
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) break;
      size_t n = Utf8Len(s, i);
      if (n == 0) return false;
      i += n;
    }
    out.append(s.data() + run, i - run);
    if (i >= size) return false;
    char c = s[i];
    if (c == '"') {
      ++i;
      return true;
    }
    if (c != '\\' || ++i >= size) return false;  // a raw control byte, or a cut escape
    switch (s[i]) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        int32_t cp = Hex4(s, i + 1);
        if (cp < 0) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate: its low one must follow
          if (i + 2 >= size || s[i + 1] != '\\' || s[i + 2] != 'u') return false;
          int32_t lo = Hex4(s, i + 3);
          if (lo < 0xDC00 || lo > 0xDFFF) return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          i += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return false;
        }
        AppendUtf8(out, static_cast<uint32_t>(cp));
        break;
      }
      default:
        return false;
    }
    ++i;
  }
}

// Docker's own shape, {"log":"…","stream":"stdout"|"stderr","time":"…"}
// with nothing else, decoded without a JSON parser. False for any other
// line (then nlohmann decides). Sets e.log, e.stream and e.time.
bool ParseDockerLine(std::string_view line, Entry& e) {
  constexpr std::string_view kLog = "{\"log\":\"";
  constexpr std::string_view kStream = ",\"stream\":\"";
  constexpr std::string_view kTime = "\",\"time\":\"";
  if (!line.starts_with(kLog)) return false;
  size_t i = kLog.size();
  e.log.clear();
  if (!UnescapeJsonString(line, i, e.log)) return false;
  if (line.substr(i, kStream.size()) != kStream) return false;
  i += kStream.size();
  std::string_view stream = line.substr(i, 6);
  if (stream != "stdout" && stream != "stderr") return false;
  i += 6;
  if (line.substr(i, kTime.size()) != kTime) return false;
  i += kTime.size();
  // The time: RFC 3339 characters only (no escapes), then "} and the end.
  size_t q = line.find('"', i);
  if (q == std::string_view::npos || line.substr(q) != "\"}") return false;
  std::string_view time = line.substr(i, q - i);
  for (char c : time)
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80)
      return false;
  e.stream.assign(stream);
  e.time.assign(time);
  return true;
}

}  // namespace internal

namespace {

using internal::ParseDockerLine;

bool ParseLineSlow(std::string_view line, Entry& e) {
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return false;
  auto str = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  if (!str("log", e.log) || !str("time", e.time)) return false;
  if (!str("stream", e.stream)) e.stream = "stdout";
  return true;
}

// Applies since/until and hands entries to fn; done once fn or until ends it.
class Emitter {
 public:
  Emitter(const ReadOptions& o, const std::function<bool(const Entry&)>& fn) : o_(o), fn_(fn) {}
  bool done() const { return done_; }

  void Line(std::string_view line) {
    if (done_ || line.empty()) return;
    // A damaged line is skipped, as Docker does.
    if (!ParseDockerLine(line, e_) && !ParseLineSlow(line, e_)) return;
    // The lines of one batch share their time stamp: parse it once.
    if (e_.time != last_time_) {
      auto t = ParseRfc3339Nano(e_.time);
      if (!t.ok()) return;
      last_time_ = e_.time;
      last_nano_ = *t;
    }
    e_.time_nano = last_nano_;
    if (o_.since_nano && e_.time_nano < o_.since_nano) return;
    if (o_.until_nano && e_.time_nano > o_.until_nano) {
      done_ = true;
      return;
    }
    if (!fn_(e_)) done_ = true;
  }

  // Every entry read so far was handed to fn: tell the caller (follow).
  void CaughtUp() {
    if (!done_ && o_.caught_up && !o_.caught_up()) done_ = true;
  }

 private:
  const ReadOptions& o_;
  const std::function<bool(const Entry&)>& fn_;
  bool done_ = false;
  Entry e_;  // reused: its strings keep their capacity from line to line
  std::string last_time_;
  int64_t last_nano_ = 0;
};

// One log file being read: the fd and an incomplete last line, kept until
// its newline arrives.
struct Cursor {
  std::string path;
  unique_fd fd;
  std::string carry;
};

// Reads from the fd's offset to EOF, emitting every complete line.
Status ReadLines(Cursor& c, Emitter& em) {
  std::string buf(kReadChunk, '\0');
  while (!em.done()) {
    ssize_t n = ::read(c.fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("read " + c.path);
    }
    if (n == 0) return Ok();
    std::string_view data(buf.data(), static_cast<size_t>(n));
    while (!data.empty() && !em.done()) {
      size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        c.carry.append(data);
        break;
      }
      if (c.carry.empty()) {
        em.Line(data.substr(0, nl));
      } else {
        c.carry.append(data.substr(0, nl));
        em.Line(c.carry);
        c.carry.clear();
      }
      data.remove_prefix(nl + 1);
    }
  }
  return Ok();
}

// Where the last n complete lines of fd start, and how many there are (<= n).
Result<std::pair<off_t, int64_t>> TailOffset(const Cursor& c, int64_t n) {
  struct stat st;
  if (::fstat(c.fd.get(), &st) < 0) return Error::Sys("stat " + c.path);
  off_t end = st.st_size;
  if (n == 0) return std::pair<off_t, int64_t>{end, 0};
  // The (n+1)-th newline from the end precedes the first wanted line.
  int64_t newlines = 0;
  std::string buf(kReadChunk, '\0');
  off_t pos = end;
  while (pos > 0) {
    off_t len = std::min<off_t>(pos, static_cast<off_t>(buf.size()));
    pos -= len;
    ssize_t got = ::pread(c.fd.get(), buf.data(), static_cast<size_t>(len), pos);
    if (got < 0) return Error::Sys("read " + c.path);
    for (off_t i = got - 1; i >= 0; --i) {
      if (buf[static_cast<size_t>(i)] != '\n') continue;
      if (++newlines == n + 1) return std::pair<off_t, int64_t>{pos + i + 1, n};
    }
  }
  return std::pair<off_t, int64_t>{0, newlines};
}

Result<unique_fd> OpenIfExists(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno != ENOENT) return Error::Sys("open " + path);
  return unique_fd(fd);
}

bool SameFile(int fd, const std::string& path) {
  struct stat a, b;
  if (::fstat(fd, &a) < 0 || ::stat(path.c_str(), &b) < 0) return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Reads what the current file gains, across rotations, until stop() says so
// (after a last read to EOF) or the emitter is done.
Status Follow(const ReadOptions& o, Cursor& cur, Emitter& em) {
  unique_fd ino(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (ino) {
    std::string dir = fs::Dirname(o.path);
    if (::inotify_add_watch(ino.get(), dir.c_str(),
                            IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) < 0)
      ino.reset();  // fall back to polling every 100 ms
  }
  while (true) {
    bool stopping = o.stop && o.stop();
    if (cur.fd) BERTH_TRY(ReadLines(cur, em));
    if (em.done()) return Ok();
    if (!cur.fd) {
      cur.fd = BERTH_TRY(OpenIfExists(o.path));
      if (cur.fd) continue;
    } else if (!SameFile(cur.fd.get(), o.path)) {
      // Rotated away (renamed): finish the old file, then go on with the new.
      BERTH_TRY(ReadLines(cur, em));
      if (em.done()) return Ok();
      cur.carry.clear();
      cur.fd = BERTH_TRY(OpenIfExists(o.path));
      if (cur.fd) continue;
    } else {
      struct stat st;
      off_t off = ::lseek(cur.fd.get(), 0, SEEK_CUR);
      if (::fstat(cur.fd.get(), &st) == 0 && st.st_size < off) {
        // Truncated in place (max_files 1): start over.
        ::lseek(cur.fd.get(), 0, SEEK_SET);
        cur.carry.clear();
        continue;
      }
    }
    if (stopping) return Ok();
    em.CaughtUp();
    if (em.done()) return Ok();
    struct pollfd p = {ino.get(), POLLIN, 0};
    int r = ::poll(&p, ino ? 1 : 0, 100);
    if (r < 0 && errno != EINTR) return Error::Sys("poll");
    if (r > 0) {
      char evbuf[4096];
      while (::read(ino.get(), evbuf, sizeof evbuf) > 0) {
      }
    }
  }
}

}  // namespace

Status Read(const ReadOptions& o, const std::function<bool(const Entry&)>& fn) {
  // Oldest first: <path>.<max_files-1> ... <path>.1, <path>.
  std::vector<Cursor> files;
  for (int i = std::max(o.max_files, 1) - 1; i >= 0; --i) {
    Cursor c;
    c.path = i == 0 ? o.path : o.path + "." + std::to_string(i);
    c.fd = BERTH_TRY(OpenIfExists(c.path));
    if (c.fd || i == 0) files.push_back(std::move(c));
  }
  size_t first = 0;
  if (o.tail >= 0) {
    int64_t remaining = o.tail;
    first = files.size();
    for (size_t i = files.size(); i-- > 0;) {
      first = i;
      if (!files[i].fd) continue;
      auto [off, found] = BERTH_TRY(TailOffset(files[i], remaining));
      if (::lseek(files[i].fd.get(), off, SEEK_SET) < 0) return Error::Sys("seek " + files[i].path);
      remaining -= found;
      if (remaining == 0) break;
    }
  }
  Emitter em(o, fn);
  for (size_t i = first; i < files.size() && !em.done(); ++i)
    if (files[i].fd) BERTH_TRY(ReadLines(files[i], em));
  if (em.done() || !o.follow) return Ok();
  return Follow(o, files.back(), em);
}

}  // namespace berth::logfile
