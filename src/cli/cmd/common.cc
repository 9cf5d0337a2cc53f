#include "cli/cmd/common.h"

#include <unistd.h>

#include "base/strings.h"
#include "client/json_message.h"

namespace berth::cli {

Flag& AddFilterFlag(FlagSet& flags, std::vector<std::string>* p, const std::string& usage) {
  Flag& f = flags.List(p, "filter", 'f', usage, "filter");
  f.validate = [](std::string& v) -> Status {
    if (v.find('=') == std::string::npos)
      return Error::Invalid("bad format of filter (expected name=value)");
    return Ok();
  };
  return f;
}

client::Filters ParseFilters(const std::vector<std::string>& values) {
  client::Filters f;
  for (const auto& v : values) {
    auto [k, val] = str::Cut(v, '=');
    f.Add(str::ToLower(str::Trim(k)), std::string(str::Trim(val)));
  }
  return f;
}

Status DisplayJsonMessage(Cli& cli, const client::json& m) {
  auto get = [&](const char* k) -> std::string {
    auto it = m.find(k);
    return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  BERTH_TRY(client::JsonMessageError(m));
  std::string s = get("stream");
  if (!s.empty()) {
    cli.Out(s);
    return Ok();
  }
  std::string status = get("status");
  if (status.empty() && get("id").empty()) return Ok();
  std::string line;
  if (!get("id").empty()) line += get("id") + ": ";
  line += status;
  cli.Out(line + "\n");
  return Ok();
}

bool Confirm(Cli& cli, const std::string& message) {
  cli.Out(message + " [y/N] ");
  std::string answer;
  char c;
  while (::read(cli.in_fd(), &c, 1) == 1 && c != '\n') answer += c;
  answer = std::string(str::Trim(answer));
  return answer == "y" || answer == "Y";
}

}  // namespace berth::cli
