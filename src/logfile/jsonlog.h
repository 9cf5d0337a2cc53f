// Docker's json-file log format: writing with rotation (the monitor) and
// reading with tail / since / until / follow across rotations (berthd).
//   {"log":"hello\n","stream":"stdout","time":"2026-11-28T23:59:59.123456789Z"}
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"
#include "logfile/entry_encoder.h"

namespace berth::logfile {

struct WriterOptions {
  std::string path;
  int64_t max_size = 0;  // bytes; 0 = never rotate
  int max_files = 1;     // kept files including the current one
};

class Writer {
 public:
  static Result<Writer> Open(const WriterOptions& o);
  // Appends the bytes a stream produced, split into log lines: complete
  // lines become one entry each, a partial line is kept until its newline
  // comes or Flush(); lines over 16 KiB are split. stream: "stdout"/"stderr".
  // The entries of one call share one time stamp and go out in one write(2)
  // (in pieces of about 1 MiB for a big read or a burst of tiny lines, and
  // split where the file rotates).
  Status Write(std::string_view stream, std::string_view data);
  // Writes out partial lines (at exit).
  Status Flush();

  Writer(Writer&&) noexcept = default;
  Writer& operator=(Writer&&) noexcept = default;
  ~Writer() = default;

 private:
  Writer() = default;
  // Checked before each entry: the file with the batch has reached
  // max_size, or the batch is big. EndBatch then writes the batch out and
  // rotates when the file is full.
  bool BatchDone() const;
  Status EndBatch();
  Status AddEntry(std::string_view line);
  Status WriteBatch();
  Status Rotate();

  WriterOptions o_;
  unique_fd fd_;
  int64_t size_ = 0;
  std::string partial_[2];  // stdout, stderr: bytes of a line not yet ended
  internal::EntryEncoder enc_;  // entries not yet written
};

// Appends s to out as a JSON string (with the quotes), escaped exactly as
// Go's encoding/json does: \" \\ \n \r \t, other control bytes and
// < > & as \u00XX, U+2028/U+2029 as \u2028/\u2029, and every byte of
// invalid UTF-8 as \ufffd.
void AppendJsonString(std::string& out, std::string_view s);

// "2026-11-28T23:59:59.123456789Z" (or with an offset) -> ns since the epoch.
Result<int64_t> ParseRfc3339Nano(std::string_view s);

struct Entry {
  std::string stream;  // "stdout" / "stderr"
  std::string log;     // the bytes, with their "\n" when the line ended
  int64_t time_nano = 0;
  std::string time;    // as written (RFC 3339 nano)
};

struct ReadOptions {
  std::string path;
  int max_files = 1;
  int64_t tail = -1;        // last N lines; -1 = all
  int64_t since_nano = 0;   // 0 = no bound
  int64_t until_nano = 0;   // 0 = no bound
  bool follow = false;
  // Follow ends when this returns true (checked at least every 100 ms):
  // the container stopped (and the file has been read to its end) or the
  // client went away.
  std::function<bool()> stop;
  // Follow only: called when every entry there is so far was passed to fn,
  // before the reader waits for more (a caller batching its output writes
  // it out here). A false return ends the read, as fn's does.
  std::function<bool()> caught_up;
};
// Calls fn for each entry, oldest first; a false return from fn stops.
Status Read(const ReadOptions& o, const std::function<bool(const Entry&)>& fn);

namespace internal {
// The reader's fast path, exposed for tests: Docker's own line shape
// {"log":"…","stream":"stdout"|"stderr","time":"…"} decoded without a JSON
// parser (sets log, stream, time; not time_nano). False for any other shape,
// an escape it does not take or invalid UTF-8: Read then uses nlohmann.
bool ParseDockerLine(std::string_view line, Entry& e);
}  // namespace internal

}  // namespace berth::logfile
