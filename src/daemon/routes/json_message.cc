#include "daemon/routes/json_message.h"

namespace berth::daemon {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Status JsonMessageWriter::WriteLocked(const json& message) {
  if (!write_status_.ok()) return write_status_;
  if (!w_.started()) write_status_ = w_.Start(200, "application/json");
  if (write_status_.ok()) write_status_ = w_.Write(Dump(message) + "\r\n");
  if (write_status_.ok()) write_status_ = w_.Flush();
  return write_status_;
}

Status JsonMessageWriter::Send(const json& message) {
  std::lock_guard lock(mu_);
  return WriteLocked(message);
}

bool JsonMessageWriter::started() const {
  std::lock_guard lock(mu_);
  return w_.started();
}

Status JsonMessageWriter::Finish(Status s, int code) {
  std::lock_guard lock(mu_);
  if (s.ok()) {
    if (!write_status_.ok()) return write_status_;
    if (!w_.started()) BERTH_TRY(w_.Start(200, "application/json"));
    return w_.Flush();
  }
  if (!w_.started() && code == 0) return s;
  const std::string& m = s.error().message();
  json detail = {{"message", m}};
  if (code != 0) detail["code"] = code;
  (void)WriteLocked({{"errorDetail", detail}, {"error", m}});
  return Ok();
}

}  // namespace berth::daemon
