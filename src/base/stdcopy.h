// Docker's multiplexed stream format (attach, logs and exec without a tty):
// frames of [stream, 0, 0, 0, size (4 bytes big-endian)] + payload, stream 0
// stdin, 1 stdout, 2 stderr, 3 a system error message.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth {

// Splits a framed byte stream fed in arbitrary pieces. out/err receive the
// payloads of stdout and stderr frames. A system-error frame (3) becomes the
// error Feed returns.
class StdDemux {
 public:
  using Sink = std::function<Status(std::string_view)>;
  StdDemux(Sink out, Sink err) : out_(std::move(out)), err_(std::move(err)) {}
  Status Feed(std::string_view data);
  // True when the stream ended in the middle of a frame.
  bool Partial() const { return !buf_.empty(); }

 private:
  Sink out_, err_;
  std::string buf_;
};

}  // namespace berth
