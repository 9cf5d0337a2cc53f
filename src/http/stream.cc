#include "http/stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace berth::http {
namespace {

class SocketStream : public Stream {
 public:
  SocketStream(int fd, std::string prefix, unique_fd owned)
      : fd_(fd), prefix_(std::move(prefix)), owned_(std::move(owned)) {}

  Result<size_t> Read(char* buf, size_t size) override {
    if (pos_ < prefix_.size()) {
      size_t n = std::min(size, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, n);
      pos_ += n;
      if (pos_ == prefix_.size()) {
        std::string().swap(prefix_);
        pos_ = 0;
      }
      return n;
    }
    for (;;) {
      ssize_t n = ::read(fd_, buf, size);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) return size_t{0};
      return Error::Sys("read from stream");
    }
  }

  Status Write(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error(Code::kUnavailable, std::string("write to stream: ") + std::strerror(errno),
                     errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Ok();
  }

  Status CloseWrite() override {
    if (::shutdown(fd_, SHUT_WR) < 0 && errno != ENOTCONN) return Error::Sys("shutdown stream");
    return Ok();
  }

  int fd() const override { return fd_; }

 private:
  int fd_;
  std::string prefix_;  // read only by Read
  size_t pos_ = 0;
  unique_fd owned_;
};

}  // namespace

std::unique_ptr<Stream> MakeSocketStream(int fd, std::string prefix, unique_fd owned) {
  return std::make_unique<SocketStream>(fd, std::move(prefix), std::move(owned));
}

}  // namespace berth::http
