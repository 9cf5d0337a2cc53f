// berth network ls|inspect|create|rm|prune|connect|disconnect: thin calls
// of the /networks API (berthd has the predefined bridge, host and none
// networks; it refuses user-defined ones for now, with its own message).
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
        r["Labels"] = "";
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

}  // namespace

std::unique_ptr<Command> NewNetworkCommand() {
  auto net = std::make_unique<Command>();
  net->use = "network";
  net->short_desc = "Manage networks";
  net->Add(Ls());
  net->Add(Inspect());
  net->Add(Simple("create [OPTIONS] NETWORK", "Create a network", 1, 1,
                         [](Cli& cli, const std::vector<std::string>& a) -> Status {
                           json r = BERTH_TRY(Call(cli, "POST", "/networks/create",
                                                   json{{"Name", a[0]}, {"CheckDuplicate", true}}));
                           cli.Out(r.value("Id", "") + "\n");
                           return Ok();
                         }));
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
  auto prune = Simple("prune [OPTIONS]", "Remove all unused networks", 0, 0,
                      [](Cli& cli, const std::vector<std::string>&) -> Status {
                        json r = BERTH_TRY(Call(cli, "POST", "/networks/prune"));
                        json del = r.value("NetworksDeleted", json());
                        if (del.is_array() && !del.empty()) {
                          cli.Out("Deleted Networks:\n");
                          for (const auto& n : del) cli.Out(n.get<std::string>() + "\n");
                        }
                        return Ok();
                      });
  auto force = std::make_shared<bool>(false);
  prune->flags.Bool(force.get(), "force", 'f', false, "Do not prompt for confirmation");
  net->Add(std::move(prune));
  for (const char* verb : {"connect", "disconnect"})
    net->Add(Simple(std::string(verb) + " [OPTIONS] NETWORK CONTAINER",
                           std::string(verb) == "connect" ? "Connect a container to a network"
                                                          : "Disconnect a container from a network",
                           2, 2, [verb](Cli& cli, const std::vector<std::string>& a) -> Status {
                             BERTH_TRY(Call(cli, "POST", "/networks/" + a[0] + "/" + verb,
                                            json{{"Container", a[1]}}));
                             return Ok();
                           }));
  return net;
}

}  // namespace berth::cli
