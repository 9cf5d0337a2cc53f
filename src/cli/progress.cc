#include "cli/progress.h"

#include <fmt/format.h>

#include "base/units.h"
#include "cli/units.h"
#include "client/json_message.h"

namespace berth::cli {

using nlohmann::json;

Status ProgressDisplay::Show(const json& m) {
  auto get = [&](const char* k) {
    auto it = m.find(k);
    return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  BERTH_TRY(client::JsonMessageError(m));
  std::string id = get("id"), status = get("status"), stream = get("stream");
  bool has_progress = m.contains("progressDetail") && m["progressDetail"].is_object();
  int64_t current = 0, total = 0;
  if (has_progress) {
    current = m["progressDetail"].value("current", int64_t{0});
    total = m["progressDetail"].value("total", int64_t{0});
  }
  std::string bar = has_progress ? units::ProgressBar(current, total, terminal_ ? width_ : 200) : "";
  if (m.contains("aux") && status.empty() && id.empty()) return Ok();
  if (!terminal_) {
    if (has_progress && !bar.empty()) return Ok();  // no bars without a terminal
    if (!stream.empty()) {
      out_(stream);
      return Ok();
    }
    if (status.empty() && id.empty()) return Ok();
    out_((id.empty() ? "" : id + ": ") + status + "\n");
    return Ok();
  }
  int diff = 0;
  if (!id.empty() && has_progress) {
    auto it = lines_.find(id);
    int line;
    if (it == lines_.end()) {
      line = static_cast<int>(lines_.size());
      lines_[id] = line;
      out_("\n");
    } else {
      line = it->second;
    }
    diff = static_cast<int>(lines_.size()) - line;
    if (diff > 0) out_(fmt::format("\x1b[{}A", diff));
  } else {
    lines_.clear();
  }
  std::string text;
  if (!stream.empty()) {
    text = stream;
  } else {
    if (has_progress) text += "\x1b[2K\r";
    if (!id.empty()) text += id + ": ";
    text += status;
    if (has_progress && !bar.empty()) text += " " + bar;
    text += has_progress ? "\r" : "\n";
  }
  out_(text);
  if (!id.empty() && has_progress && diff > 0) out_(fmt::format("\x1b[{}B", diff));
  return Ok();
}

}  // namespace berth::cli
