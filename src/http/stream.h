// Stream: a bidirectional byte stream taken over from an HTTP connection
// (hijack: attach, exec start) on either side. Read and Write may run at the
// same time on two threads; each of them on its own is not re-entrant.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::http {

class Stream {
 public:
  virtual ~Stream() = default;
  // Reads up to size bytes; 0 means the peer closed its side.
  virtual Result<size_t> Read(char* buf, size_t size) = 0;
  // Writes all of data.
  virtual Status Write(std::string_view data) = 0;
  // Half-close: the peer reads end-of-stream, reading here goes on.
  virtual Status CloseWrite() = 0;
  // The socket, for poll(); reads must still go through Read (bytes may be
  // buffered in front of the socket).
  virtual int fd() const = 0;
};

// A Stream over a socket fd. prefix holds bytes already read from the socket
// (they are returned first). When owned is valid the stream closes it.
std::unique_ptr<Stream> MakeSocketStream(int fd, std::string prefix, unique_fd owned = {});

}  // namespace berth::http
