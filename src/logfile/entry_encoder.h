// The json-file writer's batch (internal): log entries encoded one after
// another into one buffer that goes to the file in one write(2):
//   {"log":"<the line, escaped>","stream":"stdout","time":"<RFC 3339 nano>"}\n
// The entries added after one SetStreamAndTime share its stream and time
// (the lines of one read arrived together). No allocation per entry: the
// buffer grows to the largest batch and is reused.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace berth::logfile::internal {

class EntryEncoder {
 public:
  // The stream ("stdout"/"stderr") and time of the entries added next.
  void SetStreamAndTime(std::string_view stream, std::string_view time);
  // Adds the entry for the line at the head of data: up to and including
  // the first '\n' or, without one, the first max bytes. Returns the bytes
  // taken; 0, adding nothing, when data is shorter than max and holds no
  // '\n' (a partial line: the caller keeps it until the rest comes).
  size_t AddLine(std::string_view data, size_t max);
  // Adds all of line as one entry (a line put together across reads, or a
  // partial line written out at the end).
  void AddEntry(std::string_view line);

  std::string_view data() const { return {buf_.get(), size_}; }
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  void Clear() { size_ = 0; }
  // Clears and gives the buffer back (after a burst of output).
  void Release();

 private:
  // Makes room for n more bytes; returns where they go.
  char* Room(size_t n);
  char* Open(char* out);   // {"log":"
  char* Close(char* out);  // "<suffix_>

  std::unique_ptr<char[]> buf_;
  size_t size_ = 0;
  size_t cap_ = 0;
  std::string suffix_;  // ,"stream":"…","time":"…"}\n
};

}  // namespace berth::logfile::internal
