#include "http/transport.h"

#include <sys/socket.h>
#include <unistd.h>

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

  int fd() const override { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<Transport> MakePlainTransport(int fd) {
  return std::make_unique<PlainTransport>(fd);
}

}  // namespace berth::http::internal
