#include "client/json_message.h"

namespace berth::client {

Status JsonMessageError(const nlohmann::json& m, int* code) {
  if (code) *code = 0;
  if (!m.is_object()) return Ok();
  std::string message;
  bool failed = false;
  auto detail = m.find("errorDetail");
  if (detail != m.end() && detail->is_object()) {
    failed = true;
    auto msg = detail->find("message");
    if (msg != detail->end() && msg->is_string()) message = msg->get<std::string>();
    auto c = detail->find("code");
    if (code && c != detail->end() && c->is_number_integer()) *code = c->get<int>();
  }
  auto error = m.find("error");
  if (error != m.end() && error->is_string() && !error->get_ref<const std::string&>().empty()) {
    failed = true;
    if (message.empty()) message = error->get<std::string>();
  }
  if (!failed) return Ok();
  if (message.empty()) message = "errorDetail " + detail->dump();
  return Error::Internal(std::move(message));
}

}  // namespace berth::client
