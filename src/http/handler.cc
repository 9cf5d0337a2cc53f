#include "http/handler.h"

#include <unistd.h>

#include <cerrno>

namespace berth::http {

Result<std::string> ReadAll(BodyReader& body, size_t limit) {
  std::string out;
  char buf[16384];
  for (;;) {
    size_t n = BERTH_TRY(body.Read(buf, sizeof buf));
    if (n == 0) return out;
    if (out.size() + n > limit)
      return Error::Invalid("request body larger than " + std::to_string(limit) + " bytes");
    out.append(buf, n);
  }
}

std::string_view Request::Param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

Status ResponseWriter::SendError(int status, std::string_view message) {
  return Send(status, ErrorBody(message), "application/json");
}

Status ResponseWriter::SendError(const Error& error) {
  return SendError(StatusForCode(error.code()), error.message());
}

Status ResponseWriter::SendFile(int status, int fd, uint64_t offset, uint64_t length,
                                std::string_view content_type) {
  std::string body(length, '\0');
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, body.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Sys("read file");
    if (n == 0) return Error::Internal("read file: shorter than expected");
    done += static_cast<size_t>(n);
  }
  return Send(status, body, content_type);
}

}  // namespace berth::http
