// berth volume create|ls|inspect|rm|prune, as docker's volume commands.
#include <algorithm>

#include "base/strings.h"
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/common.h"
#include "cli/cmd/inspect_output.h"
#include "cli/format.h"
#include "cli/units.h"

namespace berth::cli {
namespace {

using client::json;

std::string Str(const json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "k=v" list → object; docker's "bad format" errors are the flags' business.
json KeyValues(const std::vector<std::string>& items) {
  json out = json::object();
  for (const std::string& kv : items) {
    auto [k, v] = str::Cut(kv, '=');
    out[k] = v;
  }
  return out;
}

Error NoSuchVolume(Error e, const std::string& name) {
  return client::WrapNotFound(std::move(e), "volume", name);
}

struct CreateOptions {
  std::string driver = "local", name;
  std::vector<std::string> labels, opts;
};

std::unique_ptr<Command> NewCreate() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<CreateOptions>();
  cmd->use = "create [OPTIONS] [VOLUME]";
  cmd->short_desc = "Create a volume";
  cmd->max_args = 1;
  auto& f = cmd->flags;
  f.String(&o->driver, "driver", 'd', "local", "Specify volume driver name");
  f.String(&o->name, "name", 0, "", "Specify volume name").hidden = true;
  f.List(&o->labels, "label", 0, "Set metadata for a volume");
  f.List(&o->opts, "opt", 'o', "Set driver specific options", "map");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    std::string name = o->name;
    if (!args.empty()) {
      if (!name.empty() && name != args[0])
        return Error::Invalid(
            "Conflicting options: either specify --name or provide positional arg, not both");
      name = args[0];
    }
    auto* c = BERTH_TRY(cli.Client());
    json body = {{"Name", name}, {"Driver", o->driver}, {"DriverOpts", KeyValues(o->opts)},
                 {"Labels", KeyValues(o->labels)}};
    auto resp = BERTH_TRY(c->Do({.method = "POST", .path = "/volumes/create", .body = body.dump(),
                                 .content_type = "application/json"}));
    json v = json::parse(resp.body, nullptr, false);
    cli.Out(Str(v, "Name") + "\n");
    return Ok();
  };
  return cmd;
}

std::string LabelsText(const json& v) {
  std::vector<std::string> out;
  auto it = v.find("Labels");
  if (it != v.end() && it->is_object())
    for (auto& [k, val] : it->items()) out.push_back(k + "=" + (val.is_string() ? val.get<std::string>() : ""));
  return str::Join(out, ",");
}

Rows VolumeRows(const json& list) {
  Rows rows;
  rows.type_name = "*formatter.volumeContext";
  rows.header = {{"Driver", "DRIVER"},         {"Name", "VOLUME NAME"}, {"Scope", "SCOPE"},
                 {"Mountpoint", "MOUNTPOINT"}, {"Labels", "LABELS"},    {"Links", "LINKS"},
                 {"Size", "SIZE"}};
  std::vector<json> vols;
  auto it = list.find("Volumes");
  if (it != list.end() && it->is_array()) vols.assign(it->begin(), it->end());
  std::sort(vols.begin(), vols.end(),
            [](const json& a, const json& b) { return Str(a, "Name") < Str(b, "Name"); });
  for (const json& v : vols) {
    tmpl::Value r = tmpl::Value::object();
    r["Driver"] = Str(v, "Driver");
    r["Name"] = Str(v, "Name");
    r["Scope"] = Str(v, "Scope");
    r["Mountpoint"] = Str(v, "Mountpoint");
    r["Labels"] = LabelsText(v);
    r["Links"] = "N/A";
    r["Size"] = "N/A";
    rows.rows.push_back(r);
  }
  return rows;
}

struct ListOptions {
  bool quiet = false;
  std::string format;
  std::vector<std::string> filters;
};

std::unique_ptr<Command> NewList() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<ListOptions>();
  cmd->use = "ls [OPTIONS]";
  cmd->aliases = {"list"};
  cmd->short_desc = "List volumes";
  cmd->max_args = 0;
  auto& f = cmd->flags;
  f.Bool(&o->quiet, "quiet", 'q', false, "Only display volume names");
  f.String(&o->format, "format", 0, "", "Pretty-print volumes using a Go template");
  AddFilterFlag(f, &o->filters, "Provide filter values (e.g. 'dangling=true')");
  cmd->run = [o](Cli& cli, const std::vector<std::string>&) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    client::Call call{.path = "/volumes"};
    auto filters = ParseFilters(o->filters);
    if (!filters.empty()) call.query.Add("filters", filters.ToJson());
    auto resp = BERTH_TRY(c->Do(call));
    json list = json::parse(resp.body, nullptr, false);
    std::string format = o->format;
    if (o->quiet) format = "{{.Name}}";
    else if (format.empty() || format == "table") format = "table {{.Driver}}\t{{.Name}}";
    cli.Out(BERTH_TRY(Render(format, VolumeRows(list))));
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> NewInspect() {
  auto cmd = std::make_unique<Command>();
  auto format = std::make_shared<std::string>();
  cmd->use = "inspect [OPTIONS] VOLUME [VOLUME...]";
  cmd->short_desc = "Display detailed information on one or more volumes";
  cmd->min_args = 1;
  cmd->flags.String(format.get(), "format", 'f', "", "Format the output using the given Go template");
  cmd->run = [format](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    return InspectAll(cli, *format, args, [c](const std::string& name) -> Result<std::string> {
      if (name.empty()) return Error(Code::kNotFound, "Error: No such volume: ");
      auto resp = c->Do({.path = "/volumes/" + name});
      if (!resp.ok()) return NoSuchVolume(std::move(resp).error(), name);
      return std::move(resp->body);
    });
  };
  return cmd;
}

std::unique_ptr<Command> NewRemove() {
  auto cmd = std::make_unique<Command>();
  auto force = std::make_shared<bool>(false);
  cmd->use = "rm [OPTIONS] VOLUME [VOLUME...]";
  cmd->aliases = {"remove"};
  cmd->short_desc = "Remove one or more volumes";
  cmd->min_args = 1;
  cmd->flags.Bool(force.get(), "force", 'f', false, "Force the removal of one or more volumes");
  cmd->run = [force](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    std::vector<std::string> errs;
    for (const std::string& name : args) {
      client::Call call{.method = "DELETE", .path = "/volumes/" + name};
      if (*force) call.query.Add("force", "1");
      auto resp = c->Do(call);
      if (!resp.ok()) {
        Error e = NoSuchVolume(std::move(resp).error(), name);
        if (e.code() == Code::kUnavailable || e.code() == Code::kPermissionDenied) return e;
        errs.push_back(e.message());
        continue;
      }
      cli.Out(name + "\n");
    }
    if (!errs.empty()) return Error::Internal(str::Join(errs, "\n"));
    return Ok();
  };
  return cmd;
}

struct PruneOptions {
  bool force = false;
  std::vector<std::string> filters;
};

std::unique_ptr<Command> NewPrune() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<PruneOptions>();
  cmd->use = "prune [OPTIONS]";
  cmd->short_desc = "Remove all unused local volumes";
  cmd->max_args = 0;
  cmd->flags.Bool(&o->force, "force", 'f', false, "Do not prompt for confirmation");
  AddFilterFlag(cmd->flags, &o->filters, "Provide filter values (e.g. 'label=<label>')");
  cmd->run = [o](Cli& cli, const std::vector<std::string>&) -> Status {
    const std::string warning =
        "WARNING! This will remove all local volumes not used by at least one container.\n"
        "Are you sure you want to continue?";
    if (!o->force && !Confirm(cli, warning)) return Ok();
    auto* c = BERTH_TRY(cli.Client());
    client::Call call{.method = "POST", .path = "/volumes/prune"};
    auto filters = ParseFilters(o->filters);
    if (!filters.empty()) call.query.Add("filters", filters.ToJson());
    auto resp = BERTH_TRY(c->Do(call));
    json report = json::parse(resp.body, nullptr, false);
    int64_t reclaimed = 0;
    if (report.is_object() && report.contains("SpaceReclaimed") && report["SpaceReclaimed"].is_number())
      reclaimed = report["SpaceReclaimed"].get<int64_t>();
    std::string out;
    if (report.is_object() && report.contains("VolumesDeleted") &&
        report["VolumesDeleted"].is_array() && !report["VolumesDeleted"].empty()) {
      out = "Deleted Volumes:\n";
      for (const json& n : report["VolumesDeleted"])
        if (n.is_string()) out += n.get<std::string>() + "\n";
      out += "\n";
    }
    cli.Out(out + "Total reclaimed space: " + HumanSize(static_cast<double>(reclaimed)) + "\n");
    return Ok();
  };
  return cmd;
}

}  // namespace

std::unique_ptr<Command> NewVolumeCommand() {
  auto cmd = std::make_unique<Command>();
  cmd->use = "volume COMMAND";
  cmd->short_desc = "Manage volumes";
  cmd->max_args = 0;
  cmd->Add(NewCreate());
  cmd->Add(NewInspect());
  cmd->Add(NewList());
  cmd->Add(NewPrune());
  cmd->Add(NewRemove());
  return cmd;
}

}  // namespace berth::cli
