// berth events, and the "system" management command
#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "base/duration.h"
#include "base/strings.h"
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/common.h"
#include "cli/template.h"
#include "cli/units.h"

namespace berth::cli {

// docker's timetypes.GetTimestamp: a Unix time passes through, a duration is
// "that long before now", an RFC 3339 date (or a prefix of one) is converted.
Result<std::string> GetTimestamp(const std::string& value, int64_t now) {
  if (value.empty()) return value;
  bool numeric = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
  if (numeric) return value;
  if (auto ns = duration::Parse(value); ns.ok()) {
    double d = static_cast<double>(*ns) / 1e9;
    double t = static_cast<double>(now) - d;
    int64_t secs = static_cast<int64_t>(std::floor(t));
    int64_t nanos = static_cast<int64_t>((t - static_cast<double>(secs)) * 1e9);
    return fmt::format("{}.{:09}", secs, nanos);
  }
  int64_t secs = 0, nanos = 0;
  if (ParseRfc3339(value, &secs, &nanos)) return fmt::format("{}.{:09}", secs, nanos);
  return Error::Invalid(fmt::format("failed to parse value as time or duration: \"{}\"", value));
}

namespace {

struct Options {
  std::string since, until, format;
  std::vector<std::string> filters;
};

std::string PrettyEvent(const client::json& e) {
  std::string out;
  int64_t tn = e.value("timeNano", int64_t{0}), t = e.value("time", int64_t{0});
  if (tn != 0) out += Rfc3339NanoFixed(tn) + " ";
  else if (t != 0) out += Rfc3339NanoFixed(t * 1000000000) + " ";
  client::json actor = e.value("Actor", client::json::object());
  out += fmt::format("{} {} {}", e.value("Type", ""), e.value("Action", ""), actor.value("ID", ""));
  auto attrs = actor.value("Attributes", client::json::object());
  if (attrs.is_object() && !attrs.empty()) {
    std::vector<std::string> kv;
    for (auto it = attrs.begin(); it != attrs.end(); ++it)
      kv.push_back(it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump()));
    std::sort(kv.begin(), kv.end());
    out += " (" + str::Join(kv, ", ") + ")";
  }
  return out + "\n";
}

}  // namespace

std::unique_ptr<Command> NewEventsCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<Options>();
  cmd->use = "events [OPTIONS]";
  cmd->short_desc = "Get real time events from the server";
  cmd->max_args = 0;
  auto& f = cmd->flags;
  AddFilterFlag(f, &o->filters, "Filter output based on conditions provided");
  f.String(&o->format, "format", 0, "", "Format the output using the given Go template");
  f.String(&o->since, "since", 0, "", "Show all events created since timestamp");
  f.String(&o->until, "until", 0, "", "Stream events until this timestamp");
  cmd->run = [o](Cli& cli, const std::vector<std::string>&) -> Status {
    std::optional<tmpl::Template> t;
    if (!o->format.empty()) {
      auto parsed = tmpl::Template::Parse(o->format == "json" ? "{{json .}}" : o->format);
      if (!parsed.ok()) return Error::Invalid("Template parsing error: " + parsed.error().message());
      t = std::move(parsed).value();
    }
    std::string since = BERTH_TRY(GetTimestamp(o->since, cli.Now()));
    std::string until = BERTH_TRY(GetTimestamp(o->until, cli.Now()));
    auto* c = BERTH_TRY(cli.Client());
    return c->Events(since, until, ParseFilters(o->filters), [&](const client::json& e) -> Status {
      if (!t) {
        cli.Out(PrettyEvent(e));
        return Ok();
      }
      std::string out;
      Status st = t->Execute(tmpl::Value::parse(e.dump()), &out);
      if (!st.ok()) return Error::Invalid("Template parsing error: " + st.error().message());
      cli.Out(out + "\n");
      return Ok();
    });
  };
  return cmd;
}

std::unique_ptr<Command> NewSystemCommand() {
  auto cmd = std::make_unique<Command>();
  cmd->use = "system";
  cmd->short_desc = "Manage berth";
  cmd->max_args = 0;
  cmd->Add(NewDfCommand());
  cmd->Add(NewEventsCommand());
  cmd->Add(NewInfoCommand());
  return cmd;
}

}  // namespace berth::cli
