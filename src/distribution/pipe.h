// BytePipe: a bounded in-memory pipe between a download (writer) and an
// unpack (reader) on two threads. The writer blocks while the buffer is
// full; either side can end it early with an error, which the other sees.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "base/error.h"
#include "image/layer/layer.h"

namespace berth::distribution {

class BytePipe : public layer::Reader {
 public:
  explicit BytePipe(size_t capacity = 8u << 20) : capacity_(capacity) {}

  // Blocks until there is room; an error once the reader has given up.
  Status Write(std::string_view data);
  // Ends the stream: the reader gets 0 (ok) or the error after the data.
  void Close(Status status);
  // Reader side: called when the reader stops early (its own error).
  void Abandon();
  Result<size_t> Read(void* buf, size_t n) override;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;  // GUARDED_BY(mu_)
  size_t head_off_ = 0, buffered_ = 0;
  size_t capacity_;
  bool closed_ = false, abandoned_ = false;
  Status status_;
};

}  // namespace berth::distribution
