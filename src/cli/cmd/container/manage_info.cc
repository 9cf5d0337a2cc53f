// berth container inspect, top, port, diff, container prune
#include <algorithm>

#include <fmt/format.h>

#include "base/strings.h"
#include "cli/cmd/common.h"
#include "cli/cmd/container/manage_commands.h"
#include "cli/cmd/inspect_output.h"
#include "cli/tabwriter.h"
#include "cli/units.h"

namespace berth::cli {
namespace {

struct InspectOptions {
  std::string format;
  bool size = false;
};

std::string JoinHostPort(const std::string& host, const std::string& port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

}  // namespace

std::unique_ptr<Command> NewContainerInspectCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<InspectOptions>();
  cmd->use = "inspect [OPTIONS] CONTAINER [CONTAINER...]";
  cmd->short_desc = "Display detailed information on one or more containers";
  cmd->min_args = 1;
  cmd->flags.String(&o->format, "format", 'f', "", "Format the output using the given Go template");
  cmd->flags.Bool(&o->size, "size", 's', false, "Display total file sizes");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    return InspectAll(cli, o->format, args,
                      [&](const std::string& name) { return client::ContainerInspectRaw(*c, name, o->size); });
  };
  return cmd;
}

std::unique_ptr<Command> NewTopCommand() {
  auto cmd = std::make_unique<Command>();
  cmd->use = "top CONTAINER [ps OPTIONS]";
  cmd->interspersed = false;
  cmd->short_desc = "Display the running processes of a container";
  cmd->min_args = 1;
  cmd->run = [](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    std::vector<std::string> ps(args.begin() + 1, args.end());
    auto top = BERTH_TRY(client::ContainerTop(*c, args[0], str::Join(ps, " ")));
    std::string text;
    auto line = [&](const client::json& cells) {
      std::vector<std::string> v;
      if (cells.is_array())
        for (const auto& s : cells) v.push_back(s.is_string() ? s.get<std::string>() : s.dump());
      text += str::Join(v, "\t") + "\n";
    };
    line(top.value("Titles", client::json::array()));
    if (auto p = top.find("Processes"); p != top.end() && p->is_array())
      for (const auto& row : *p) line(row);
    cli.Out(TabFormat(text, 20, 3));
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> NewPortCommand() {
  auto cmd = std::make_unique<Command>();
  cmd->use = "port CONTAINER [PRIVATE_PORT[/PROTO]]";
  cmd->short_desc = "List port mappings or a specific mapping for the container";
  cmd->min_args = 1;
  cmd->max_args = 2;
  cmd->run = [](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    auto info = BERTH_TRY(client::ContainerInspect(*c, args[0]));
    client::json ports = client::json::object();
    if (auto ns = info.find("NetworkSettings"); ns != info.end() && ns->is_object())
      if (auto p = ns->find("Ports"); p != ns->end() && p->is_object()) ports = *p;
    auto frontends = [](const client::json& list) {
      std::vector<std::string> out;
      if (list.is_array())
        for (const auto& f : list) out.push_back(JoinHostPort(f.value("HostIp", ""), f.value("HostPort", "")));
      return out;
    };
    if (args.size() == 2) {
      auto [port, proto] = str::Cut(args[1], '/');
      if (proto.empty()) proto = "tcp";
      auto n = str::ParseUint(port);
      if (!n || *n > 65535)
        return Error::Invalid(fmt::format("strconv.ParseUint: parsing \"{}\": {}", port,
                                          n ? "value out of range" : "invalid syntax"));
      std::string key = port + "/" + proto;
      if (auto it = ports.find(key); it != ports.end() && it->is_array()) {
        for (const auto& f : frontends(*it)) cli.Out(f + "\n");
        return Ok();
      }
      return Error::NotFound(fmt::format("Error: No public port '{}' published for {}", key, args[0]));
    }
    std::vector<std::pair<std::string, client::json>> sorted;
    for (auto& [k, v] : ports.items()) sorted.emplace_back(k, v);
    auto num = [](const std::string& k) { return str::ParseInt(str::Cut(k, '/').first).value_or(0); };
    std::sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
      if (num(a.first) != num(b.first)) return num(a.first) < num(b.first);
      return a.first < b.first;
    });
    for (const auto& [from, list] : sorted)
      for (const auto& f : frontends(list)) cli.Out(from + " -> " + f + "\n");
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> NewDiffCommand() {
  auto cmd = std::make_unique<Command>();
  cmd->use = "diff CONTAINER";
  cmd->short_desc = "Inspect changes to files or directories on a container's filesystem";
  cmd->min_args = 1;
  cmd->max_args = 1;
  cmd->run = [](Cli& cli, const std::vector<std::string>& args) -> Status {
    if (args[0].empty()) return Error::Invalid("Container name cannot be empty");
    auto* c = BERTH_TRY(cli.Client());
    auto changes = BERTH_TRY(client::ContainerChanges(*c, args[0]));
    std::string out;
    if (changes.is_array()) {
      for (const auto& ch : changes) {
        int64_t kind = ch.value("Kind", int64_t{0});
        const char* k = kind == 1 ? "A" : kind == 2 ? "D" : "C";
        out += fmt::format("{} {}\n", k, ch.value("Path", ""));
      }
    }
    cli.Out(out);
    return Ok();
  };
  return cmd;
}

namespace {

struct PruneOptions {
  bool force = false;
  std::vector<std::string> filters;
};

}  // namespace

std::unique_ptr<Command> NewContainerPruneCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<PruneOptions>();
  cmd->use = "prune [OPTIONS]";
  cmd->short_desc = "Remove all stopped containers";
  cmd->max_args = 0;
  cmd->flags.Bool(&o->force, "force", 'f', false, "Do not prompt for confirmation");
  Flag& ff = cmd->flags.List(&o->filters, "filter", 0, "Provide filter values (e.g. 'until=<timestamp>')", "filter");
  ff.validate = [](std::string& v) -> Status {
    if (v.find('=') == std::string::npos) return Error::Invalid("bad format of filter (expected name=value)");
    return Ok();
  };
  cmd->run = [o](Cli& cli, const std::vector<std::string>&) -> Status {
    int64_t reclaimed = 0;
    std::string output;
    if (o->force ||
        Confirm(cli, "WARNING! This will remove all stopped containers.\nAre you sure you want to continue?")) {
      auto* c = BERTH_TRY(cli.Client());
      auto report = BERTH_TRY(client::ContainersPrune(*c, ParseFilters(o->filters)));
      auto it = report.find("ContainersDeleted");
      if (it != report.end() && it->is_array() && !it->empty()) {
        output = "Deleted Containers:\n";
        for (const auto& id : *it) output += (id.is_string() ? id.get<std::string>() : "") + "\n";
        if (report.contains("SpaceReclaimed") && report["SpaceReclaimed"].is_number())
          reclaimed = report["SpaceReclaimed"].get<int64_t>();
      }
    }
    if (!output.empty()) cli.Out(output + "\n");
    cli.Out("Total reclaimed space: " + HumanSize(static_cast<double>(reclaimed)) + "\n");
    return Ok();
  };
  return cmd;
}

}  // namespace berth::cli
