// Reading json-file logs: tail across rotated files, since/until, follow
// (inotify on the log's directory, so a rename or a new file wakes it too).
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "base/fs.h"
#include "logfile/jsonlog.h"

namespace berth::logfile {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

bool ParseLine(std::string_view line, Entry& e) {
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
  auto t = ParseRfc3339Nano(e.time);
  if (!t.ok()) return false;
  e.time_nano = *t;
  return true;
}

// Applies since/until and hands entries to fn; done once fn or until ends it.
class Emitter {
 public:
  Emitter(const ReadOptions& o, const std::function<bool(const Entry&)>& fn) : o_(o), fn_(fn) {}
  bool done() const { return done_; }

  void Line(std::string_view line) {
    if (done_ || line.empty()) return;
    Entry e;
    if (!ParseLine(line, e)) return;  // a damaged line is skipped, as Docker does
    if (o_.since_nano && e.time_nano < o_.since_nano) return;
    if (o_.until_nano && e.time_nano > o_.until_nano) {
      done_ = true;
      return;
    }
    if (!fn_(e)) done_ = true;
  }

 private:
  const ReadOptions& o_;
  const std::function<bool(const Entry&)>& fn_;
  bool done_ = false;
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
