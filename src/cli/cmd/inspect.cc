// berth inspect: containers, then images (docker's generic inspect), and
// the inspect output shared with `image inspect`.
#include "cli/cmd/inspect_output.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "cli/cmd/commands.h"
#include "cli/format.h"
#include "cli/template.h"

namespace berth::cli {

Status InspectAll(Cli& cli, const std::string& format, const std::vector<std::string>& names,
                  const RawGetter& get) {
  std::optional<tmpl::Template> t;
  if (!format.empty()) {
    auto parsed = tmpl::Template::Parse(format);
    if (!parsed.ok()) return Error::Invalid("Template parsing error: " + parsed.error().message());
    t = std::move(parsed).value();
  }
  std::vector<std::string> raws, errs;
  std::string out;
  for (const auto& name : names) {
    auto raw = get(name);
    if (!raw.ok()) {
      errs.push_back(raw.error().message());
      continue;
    }
    if (t) {
      auto v = tmpl::Value::parse(*raw, nullptr, false);
      Status st = t->Execute(v, &out);
      if (!st.ok()) {
        cli.Out(out);
        return Error::Invalid("Template parsing error: " + st.error().message());
      }
      out += '\n';
    } else {
      raws.push_back(std::string(str::Trim(*raw)));
    }
  }
  if (!t) out = raws.empty() ? "[]\n" : IndentJson("[" + str::Join(raws, ",") + "]") + "\n";
  cli.Out(out);
  if (!errs.empty()) return Error::NotFound(str::Join(errs, "\n"));
  return Ok();
}

namespace {

struct Options {
  std::string format, type;
  bool size = false;
};

}  // namespace

std::unique_ptr<Command> NewInspectCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<Options>();
  cmd->use = "inspect [OPTIONS] NAME|ID [NAME|ID...]";
  cmd->short_desc = "Return low-level information on berth objects";
  cmd->min_args = 1;
  auto& f = cmd->flags;
  f.String(&o->format, "format", 'f', "", "Format the output using the given Go template");
  f.Bool(&o->size, "size", 's', false, "Display total file sizes if the type is container");
  f.String(&o->type, "type", 0, "", "Return JSON for specified type");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    if (!o->type.empty() && o->type != "container" && o->type != "image" && o->type != "volume")
      return Error::Invalid(fmt::format("\"{}\" is not a valid value for --type", o->type));
    auto* c = BERTH_TRY(cli.Client());
    auto get = [&](const std::string& name) -> Result<std::string> {
      if (o->type.empty() || o->type == "container") {
        client::Call call{.path = "/containers/" + name + "/json"};
        if (o->size) call.query.Add("size", "1");
        auto resp = c->Do(call);
        if (resp.ok()) return std::move(resp->body);
        if (resp.error().code() != Code::kNotFound) return std::move(resp).error();
      }
      if (o->type.empty() || o->type == "image") {
        auto raw = c->ImageInspectRaw(name);
        if (raw.ok() || raw.error().code() != Code::kNotFound) return raw;
      }
      if ((o->type.empty() || o->type == "volume") && !name.empty()) {
        auto resp = c->Do({.path = "/volumes/" + name});
        if (resp.ok()) return std::move(resp->body);
        if (resp.error().code() != Code::kNotFound) return std::move(resp).error();
      }
      std::string what = o->type.empty() ? "object" : o->type;
      return Error(Code::kNotFound, fmt::format("Error: No such {}: {}", what, name));
    };
    return InspectAll(cli, o->format, args, get);
  };
  return cmd;
}

}  // namespace berth::cli
