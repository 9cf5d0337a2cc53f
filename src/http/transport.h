// Internal: the byte transport under an HTTP connection (a plain socket or
// a TLS session on it) and its adapter to Beast's SyncReadStream concept.
// Only .cc files of this module include this header.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::http::internal {

class Transport {
 public:
  virtual ~Transport() = default;
  // Reads up to size bytes; 0 at end of stream.
  virtual Result<size_t> Read(char* buf, size_t size) = 0;
  // Writes all of data; kUnavailable when the peer has gone.
  virtual Status Write(std::string_view data) = 0;
  // Writes length bytes of file fd from offset (read + Write by default).
  virtual Status WriteFile(int fd, uint64_t offset, uint64_t length);
  virtual int fd() const = 0;
  virtual bool is_tls() const { return false; }
};

// A transport over a socket (no ownership).
std::unique_ptr<Transport> MakePlainTransport(int fd);

// Beast SyncReadStream over a Transport. The last transport error is kept so
// callers can report it instead of Beast's error code.
class BeastReadStream {
 public:
  explicit BeastReadStream(Transport& t) : t_(t) {}

  template <class Buffers>
  size_t read_some(const Buffers& buffers, boost::system::error_code& ec) {
    ec = {};
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::mutable_buffer b = *it;
      if (b.size() == 0) continue;
      auto n = t_.Read(static_cast<char*>(b.data()), b.size());
      if (!n.ok()) {
        last_error_ = n.error().message();
        ec = boost::asio::error::connection_reset;
        return 0;
      }
      if (*n == 0) ec = boost::asio::error::eof;
      return *n;
    }
    return 0;
  }

  template <class Buffers>
  size_t read_some(const Buffers& buffers) {
    boost::system::error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

  const std::string& last_error() const { return last_error_; }

 private:
  Transport& t_;
  std::string last_error_;
};

}  // namespace berth::http::internal
