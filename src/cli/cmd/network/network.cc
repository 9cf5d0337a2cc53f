// berth network ls|inspect|create|rm|prune|connect|disconnect: thin calls
// of the /networks API (the predefined bridge, host and none networks and
// user-defined bridge networks).
#include <fmt/format.h>

#include "base/strings.h"
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/common.h"
#include "cli/cmd/inspect_output.h"
#include "cli/format.h"
#include "client/client.h"

namespace berth::cli {
namespace {

using client::json;

Result<json> Call(Cli& cli, const std::string& method, const std::string& path,
                  const json& body = nullptr, http::Query q = {}) {
  auto* c = BERTH_TRY(cli.Client());
  client::Call call{.method = method, .path = path, .query = std::move(q)};
  if (!body.is_null()) {
    call.body = body.dump();
    call.content_type = "application/json";
  }
  auto r = BERTH_TRY(c->Do(call));
  if (r.body.empty()) return json();
  json j = json::parse(r.body, nullptr, false);
  return j.is_discarded() ? json() : j;
}

std::unique_ptr<Command> Ls() {
  struct O {
    bool quiet = false, no_trunc = false;
    std::string format;
    std::vector<std::string> filters;
  };
  auto o = std::make_shared<O>();
  auto cmd = std::make_unique<Command>();
  cmd->use = "ls [OPTIONS]";
  cmd->aliases = {"list"};
  cmd->short_desc = "List networks";
  cmd->max_args = 0;
  cmd->flags.Bool(&o->quiet, "quiet", 'q', false, "Only display network IDs");
  cmd->flags.Bool(&o->no_trunc, "no-trunc", 0, false, "Do not truncate the output");
  cmd->flags.String(&o->format, "format", 0, "", "Pretty-print networks using a Go template");
  AddFilterFlag(cmd->flags, &o->filters, "Provide filter values (e.g. 'driver=bridge')");
  cmd->run = [o](Cli& cli, const std::vector<std::string>&) -> Status {
    http::Query q;
    auto f = ParseFilters(o->filters);
    if (!f.empty()) q.Add("filters", f.ToJson());
    json list = BERTH_TRY(Call(cli, "GET", "/networks", nullptr, q));
    Rows rows;
    rows.type_name = "formatter.networkContext";
    rows.header = {{"ID", "NETWORK ID"}, {"Name", "NAME"},        {"Driver", "DRIVER"},
                   {"Scope", "SCOPE"},   {"IPv6", "IPV6"},        {"Internal", "INTERNAL"},
                   {"CreatedAt", "CREATED"}, {"Labels", "LABELS"}};
    if (list.is_array())
      for (const json& n : list) {
        tmpl::Value r = tmpl::Value::object();
        std::string id = n.value("Id", "");
        r["ID"] = o->no_trunc ? id : id.substr(0, 12);
        r["Name"] = n.value("Name", "");
        r["Driver"] = n.value("Driver", "");
        r["Scope"] = n.value("Scope", "");
        r["IPv6"] = n.value("EnableIPv6", false) ? "true" : "false";
        r["Internal"] = n.value("Internal", false) ? "true" : "false";
        r["CreatedAt"] = n.value("Created", "");
        std::vector<std::string> labels;
        const json& l = n.value("Labels", json());
        if (l.is_object())
          for (const auto& [k, v] : l.items())
            labels.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
        r["Labels"] = str::Join(labels, ",");
        rows.rows.push_back(std::move(r));
      }
    std::string format = o->format;
    if (format.empty() || format == "table")
      format = o->quiet ? "{{.ID}}" : "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";
    cli.Out(BERTH_TRY(Render(format, rows)));
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> Inspect() {
  auto format = std::make_shared<std::string>();
  auto cmd = std::make_unique<Command>();
  cmd->use = "inspect [OPTIONS] NETWORK [NETWORK...]";
  cmd->short_desc = "Display detailed information on one or more networks";
  cmd->min_args = 1;
  cmd->flags.String(format.get(), "format", 'f', "", "Format the output using the given Go template");
  cmd->run = [format](Cli& cli, const std::vector<std::string>& args) -> Status {
    return InspectAll(cli, *format, args, [&cli](const std::string& name) -> Result<std::string> {
      auto* c = BERTH_TRY(cli.Client());
      auto r = BERTH_TRY(c->Do(client::Call{.path = "/networks/" + name}));
      return r.body;
    });
  };
  return cmd;
}

// create/rm/prune/connect/disconnect: the daemon answers (and refuses what
// it does not support with its own message).
std::unique_ptr<Command> Simple(const std::string& use, const std::string& desc, int min, int max,
                                std::function<Status(Cli&, const std::vector<std::string>&)> run) {
  auto cmd = std::make_unique<Command>();
  cmd->use = use;
  cmd->short_desc = desc;
  cmd->min_args = min;
  cmd->max_args = max;
  cmd->run = std::move(run);
  return cmd;
}

// KEY=VALUE items (--label, -o) as a JSON object; a bare KEY maps to "".
json KeyValues(const std::vector<std::string>& items) {
  json out = json::object();
  for (const auto& item : items) {
    auto [k, v] = str::Cut(item, '=');
    out[std::string(k)] = std::string(v);
  }
  return out;
}

std::unique_ptr<Command> Create() {
  struct O {
    std::string driver = "bridge";
    std::vector<std::string> subnets, gateways, ranges, labels, opts;
    bool internal = false, attachable = false, ipv6 = false;
  };
  auto o = std::make_shared<O>();
  auto cmd = std::make_unique<Command>();
  cmd->use = "create [OPTIONS] NETWORK";
  cmd->short_desc = "Create a network";
  cmd->min_args = 1;
  cmd->max_args = 1;
  auto& f = cmd->flags;
  f.String(&o->driver, "driver", 'd', "bridge", "Driver to manage the Network");
  f.List(&o->subnets, "subnet", 0, "Subnet in CIDR format that represents a network segment");
  f.List(&o->gateways, "gateway", 0, "IPv4 or IPv6 Gateway for the master subnet");
  f.List(&o->ranges, "ip-range", 0, "Allocate container ip from a sub-range");
  f.Bool(&o->internal, "internal", 0, false, "Restrict external access to the network");
  f.Bool(&o->attachable, "attachable", 0, false, "Enable manual container attachment");
  f.Bool(&o->ipv6, "ipv6", 0, false, "Enable IPv6 networking");
  f.List(&o->labels, "label", 0, "Set metadata on a network");
  f.List(&o->opts, "opt", 'o', "Set driver specific options", "map");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& a) -> Status {
    if (o->gateways.size() > o->subnets.size() || o->ranges.size() > o->subnets.size())
      return Error::Invalid("every ip-range or gateway must have a corresponding subnet");
    json cfgs = json::array();
    for (size_t i = 0; i < o->subnets.size(); ++i) {
      json c = {{"Subnet", o->subnets[i]}};
      if (i < o->gateways.size()) c["Gateway"] = o->gateways[i];
      if (i < o->ranges.size()) c["IPRange"] = o->ranges[i];
      cfgs.push_back(c);
    }
    json body = {{"Name", a[0]},
                 {"CheckDuplicate", true},
                 {"Driver", o->driver},
                 {"Internal", o->internal},
                 {"Attachable", o->attachable},
                 {"EnableIPv6", o->ipv6},
                 {"IPAM", {{"Driver", "default"}, {"Config", cfgs}, {"Options", json::object()}}},
                 {"Options", KeyValues(o->opts)},
                 {"Labels", KeyValues(o->labels)}};
    json r = BERTH_TRY(Call(cli, "POST", "/networks/create", body));
    cli.Out(r.value("Id", "") + "\n");
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> Connect() {
  struct O {
    std::string ip, ip6;
    std::vector<std::string> aliases, links, driver_opts;
  };
  auto o = std::make_shared<O>();
  auto cmd = std::make_unique<Command>();
  cmd->use = "connect [OPTIONS] NETWORK CONTAINER";
  cmd->short_desc = "Connect a container to a network";
  cmd->min_args = 2;
  cmd->max_args = 2;
  cmd->flags.String(&o->ip, "ip", 0, "", "IPv4 address (e.g., 172.30.100.104)");
  cmd->flags.String(&o->ip6, "ip6", 0, "", "IPv6 address (e.g., 2001:db8::33)");
  cmd->flags.List(&o->aliases, "alias", 0, "Add network-scoped alias for the container");
  cmd->flags.List(&o->links, "link", 0, "Add link to another container");
  cmd->flags.List(&o->driver_opts, "driver-opt", 0, "driver options for the network");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& a) -> Status {
    json ep = json::object();
    if (!o->ip.empty() || !o->ip6.empty()) {
      ep["IPAMConfig"] = json::object();
      if (!o->ip.empty()) ep["IPAMConfig"]["IPv4Address"] = o->ip;
      if (!o->ip6.empty()) ep["IPAMConfig"]["IPv6Address"] = o->ip6;
    }
    if (!o->aliases.empty()) ep["Aliases"] = o->aliases;
    if (!o->links.empty()) ep["Links"] = o->links;
    if (!o->driver_opts.empty()) ep["DriverOpts"] = KeyValues(o->driver_opts);
    BERTH_TRY(Call(cli, "POST", "/networks/" + a[0] + "/connect",
                   json{{"Container", a[1]}, {"EndpointConfig", ep}}));
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> Disconnect() {
  auto force = std::make_shared<bool>(false);
  auto cmd = std::make_unique<Command>();
  cmd->use = "disconnect [OPTIONS] NETWORK CONTAINER";
  cmd->short_desc = "Disconnect a container from a network";
  cmd->min_args = 2;
  cmd->max_args = 2;
  cmd->flags.Bool(force.get(), "force", 'f', false, "Force the container to disconnect from a network");
  cmd->run = [force](Cli& cli, const std::vector<std::string>& a) -> Status {
    BERTH_TRY(Call(cli, "POST", "/networks/" + a[0] + "/disconnect",
                   json{{"Container", a[1]}, {"Force", *force}}));
    return Ok();
  };
  return cmd;
}

}  // namespace

std::unique_ptr<Command> NewNetworkCommand() {
  auto net = std::make_unique<Command>();
  net->use = "network";
  net->short_desc = "Manage networks";
  net->Add(Ls());
  net->Add(Inspect());
  net->Add(Create());
  auto rm = Simple("rm NETWORK [NETWORK...]", "Remove one or more networks", 1, -1,
                   [](Cli& cli, const std::vector<std::string>& a) -> Status {
                     std::vector<std::string> errs;
                     for (const auto& n : a) {
                       auto r = Call(cli, "DELETE", "/networks/" + n);
                       if (r.ok())
                         cli.Out(n + "\n");
                       else
                         errs.push_back("Error response from daemon: " + r.error().message());
                     }
                     if (!errs.empty()) return Error::Invalid(str::Join(errs, "\n"));
                     return Ok();
                   });
  rm->aliases = {"remove"};
  net->Add(std::move(rm));
  auto filters = std::make_shared<std::vector<std::string>>();
  auto prune = Simple("prune [OPTIONS]", "Remove all unused networks", 0, 0,
                      [filters](Cli& cli, const std::vector<std::string>&) -> Status {
                        http::Query q;
                        auto f = ParseFilters(*filters);
                        if (!f.empty()) q.Add("filters", f.ToJson());
                        json r = BERTH_TRY(Call(cli, "POST", "/networks/prune", nullptr, q));
                        json del = r.value("NetworksDeleted", json());
                        if (del.is_array() && !del.empty()) {
                          cli.Out("Deleted Networks:\n");
                          for (const auto& n : del) cli.Out(n.get<std::string>() + "\n");
                        }
                        return Ok();
                      });
  auto force = std::make_shared<bool>(false);
  prune->flags.Bool(force.get(), "force", 'f', false, "Do not prompt for confirmation");
  AddFilterFlag(prune->flags, filters.get(), "Provide filter values (e.g. 'until=<timestamp>')");
  net->Add(std::move(prune));
  net->Add(Connect());
  net->Add(Disconnect());
  return net;
}

}  // namespace berth::cli
