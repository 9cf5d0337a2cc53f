#include "http/transport.h"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace berth::http::internal {
namespace {

class PlainTransport : public Transport {
 public:
  explicit PlainTransport(int fd) : fd_(fd) {}

  Result<size_t> Read(char* buf, size_t size) override {
    for (;;) {
      ssize_t n = ::read(fd_, buf, size);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      return Error(Code::kUnavailable, std::string("read: ") + std::strerror(errno), errno);
    }
  }

  Status Write(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error(Code::kUnavailable, std::string("write: ") + std::strerror(errno), errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Ok();
  }

  Status WriteFile(int fd, uint64_t offset, uint64_t length) override {
    off_t off = static_cast<off_t>(offset);
    while (length > 0) {
      ssize_t n = ::sendfile(fd_, fd, &off, length > (1u << 30) ? (1u << 30) : length);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error(Code::kUnavailable, std::string("sendfile: ") + std::strerror(errno), errno);
      }
      if (n == 0) return Error(Code::kUnavailable, "sendfile: file shorter than expected");
      length -= static_cast<uint64_t>(n);
    }
    return Ok();
  }

  int fd() const override { return fd_; }

 private:
  int fd_;
};

}  // namespace

Status Transport::WriteFile(int fd, uint64_t offset, uint64_t length) {
  std::string buf(std::min<uint64_t>(length, 256u << 10), '\0');
  while (length > 0) {
    size_t want = std::min<uint64_t>(length, buf.size());
    ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(Code::kUnavailable, std::string("read file: ") + std::strerror(errno), errno);
    if (n == 0) return Error(Code::kUnavailable, "read file: shorter than expected");
    BERTH_TRY(Write(std::string_view(buf.data(), static_cast<size_t>(n))));
    offset += static_cast<uint64_t>(n);
    length -= static_cast<uint64_t>(n);
  }
  return Ok();
}

std::unique_ptr<Transport> MakePlainTransport(int fd) {
  return std::make_unique<PlainTransport>(fd);
}

}  // namespace berth::http::internal
