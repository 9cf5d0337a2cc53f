#include "logfile/entry_encoder.h"

#include <algorithm>
#include <cstring>

#include "logfile/json_escape.h"

namespace berth::logfile::internal {
namespace {

constexpr std::string_view kOpen = "{\"log\":\"";

}  // namespace

void EntryEncoder::SetStreamAndTime(std::string_view stream, std::string_view time) {
  suffix_.assign("\",\"stream\":\"");
  suffix_.append(stream);
  suffix_.append("\",\"time\":\"");
  suffix_.append(time);
  suffix_.append("\"}\n");
}

char* EntryEncoder::Room(size_t n) {
  if (cap_ - size_ < n) {
    size_t cap = std::max({size_ + n, cap_ + cap_ / 2, size_t{4096}});
    auto buf = std::make_unique_for_overwrite<char[]>(cap);
    if (size_) std::memcpy(buf.get(), buf_.get(), size_);
    buf_ = std::move(buf);
    cap_ = cap;
  }
  return buf_.get() + size_;
}

char* EntryEncoder::Open(char* out) {
  std::memcpy(out, kOpen.data(), kOpen.size());
  return out + kOpen.size();
}

char* EntryEncoder::Close(char* out) {
  std::memcpy(out, suffix_.data(), suffix_.size());
  return out + suffix_.size();
}

size_t EntryEncoder::AddLine(std::string_view data, size_t max) {
  if (data.empty() || max == 0) return 0;
  std::string_view line = data.substr(0, max);
  char* out = Room(kOpen.size() + EscapedRoom(line.size()) + suffix_.size());
  char* start = out;
  out = Open(out);
  size_t n = EscapeLine(line, out);
  if (n == line.size() && line.back() != '\n' && line.size() < max) return 0;  // partial
  out = Close(out);
  size_ += static_cast<size_t>(out - start);
  return n;
}

void EntryEncoder::AddEntry(std::string_view line) {
  char* out = Room(kOpen.size() + EscapedRoom(line.size()) + suffix_.size());
  char* start = out;
  out = Open(out);
  while (!line.empty()) line.remove_prefix(EscapeLine(line, out));
  out = Close(out);
  size_ += static_cast<size_t>(out - start);
}

void EntryEncoder::Release() {
  buf_.reset();
  size_ = cap_ = 0;
}

}  // namespace berth::logfile::internal
