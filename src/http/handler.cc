#include "http/handler.h"

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

}  // namespace berth::http
