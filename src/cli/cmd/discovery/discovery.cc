// berth kv get|put|rm|ls|watch and berth service ls|inspect: the daemon's
// discovery store (docs/discovery.md) through berthd's own API socket
// (/discovery/v1/..., the Consul-compatible API as the host sees it), so
// they reach whatever -H / BERTH_HOST names with no second address.
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/base64.h"
#include "base/strings.h"
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/common.h"
#include "cli/cmd/inspect_output.h"
#include "cli/format.h"

namespace berth::cli {
namespace {

using client::json;

std::string KvPath(const std::string& key) { return "/discovery/v1/kv/" + key; }

std::string Decode(const json& v) {
  if (!v.is_string()) return "";
  return base64::Decode(v.get<std::string>()).value_or("");
}

// The entries under key (or the key alone); empty when nothing is there.
// index: X-Consul-Index (a 404 carries it too); wait_index > 0 makes it a
// blocking query.
Result<json> ReadKv(client::Client* c, const std::string& key, bool recurse, uint64_t wait_index,
                    uint64_t* index) {
  client::Call call{.path = KvPath(key)};
  if (recurse) call.query.Add("recurse", "true");
  if (wait_index > 0) {
    call.query.Add("index", std::to_string(wait_index));
    call.query.Add("wait", "5m");
  }
  http::ClientResponse head;
  std::string body;
  Status st = c->Stream(call, [&](std::string_view d) -> Status {
    body.append(d);
    return Ok();
  }, &head);
  if (index)
    if (auto h = head.headers.Get("X-Consul-Index")) *index = str::ParseUint(*h).value_or(0);
  if (!st.ok()) {
    if (st.error().code() == Code::kNotFound && head.status == 404) return json::array();
    return std::move(st).error();
  }
  json list = json::parse(body, nullptr, false);
  return list.is_array() ? list : json::array();
}

tmpl::Value KvRow(const json& e, size_t trunc) {
  tmpl::Value r = tmpl::Value::object();
  std::string value = Decode(e.value("Value", json()));
  r["Key"] = e.value("Key", "");
  r["Value"] = value;
  if (trunc > 0 && value.size() > trunc) value = value.substr(0, trunc - 1) + "…";
  for (char& ch : value)
    if (ch == '\n' || ch == '\t') ch = ' ';
  r["ShortValue"] = value;
  r["Flags"] = e.value("Flags", uint64_t{0});
  r["CreateIndex"] = e.value("CreateIndex", uint64_t{0});
  r["ModifyIndex"] = e.value("ModifyIndex", uint64_t{0});
  return r;
}

Rows KvRows(const json& list, bool no_trunc) {
  Rows rows;
  rows.type_name = "*discovery.kvContext";
  rows.header = {{"Key", "KEY"},       {"Value", "VALUE"},         {"ShortValue", "VALUE"},
                 {"Flags", "FLAGS"},   {"CreateIndex", "CREATED"}, {"ModifyIndex", "MODIFIED"}};
  for (const json& e : list) rows.rows.push_back(KvRow(e, no_trunc ? 0 : 40));
  return rows;
}

std::unique_ptr<Command> NewKvGet() {
  struct O {
    bool recurse = false;
    std::string format;
  };
  auto o = std::make_shared<O>();
  auto cmd = std::make_unique<Command>();
  cmd->use = "get [OPTIONS] KEY";
  cmd->short_desc = "Print the value of a key";
  cmd->min_args = 1;
  cmd->max_args = 1;
  cmd->flags.Bool(&o->recurse, "recurse", 'r', false, "Print every key under KEY as KEY:VALUE");
  cmd->flags.String(&o->format, "format", 'f', "", "Format the output using the given Go template");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    json list = BERTH_TRY(ReadKv(c, args[0], o->recurse, 0, nullptr));
    if (list.empty()) return Error(Code::kNotFound, "Error! No key exists at: " + args[0]);
    std::string format = o->format;
    if (format.empty()) format = o->recurse ? "{{.Key}}:{{.Value}}" : "{{.Value}}";
    cli.Out(BERTH_TRY(Render(format, KvRows(list, true))));
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> NewKvPut() {
  struct O {
    int64_t flags = 0;
    int64_t cas = -1;
  };
  auto o = std::make_shared<O>();
  auto cmd = std::make_unique<Command>();
  cmd->use = "put [OPTIONS] KEY [VALUE|-]";
  cmd->short_desc = "Set a key (VALUE \"-\" or none: read standard input)";
  cmd->min_args = 1;
  cmd->max_args = 2;
  cmd->flags.Int(&o->flags, "flags", 0, 0, "Opaque flags stored with the key");
  cmd->flags.Int(&o->cas, "cas", 0, -1,
                 "Write only if the key's modify index is this (0: only if it does not exist)");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    std::string value;
    if (args.size() == 2 && args[1] != "-") {
      value = args[1];
    } else {
      char buf[65536];
      for (;;) {
        ssize_t n = ::read(cli.in_fd(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error::Sys("read standard input");
        if (n == 0) break;
        value.append(buf, static_cast<size_t>(n));
      }
    }
    auto* c = BERTH_TRY(cli.Client());
    client::Call call{.method = "PUT", .path = KvPath(args[0]), .body = value,
                      .content_type = "application/octet-stream"};
    if (o->flags != 0) call.query.Add("flags", std::to_string(o->flags));
    if (o->cas >= 0) call.query.Add("cas", std::to_string(o->cas));
    auto resp = BERTH_TRY(c->Do(call));
    if (str::Trim(resp.body) != "true")
      return Error(Code::kConflict, "Error! Did not write to " + args[0] + ": CAS failed");
    cli.Out("Success! Data written to: " + args[0] + "\n");
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> NewKvRm() {
  auto recurse = std::make_shared<bool>(false);
  auto cmd = std::make_unique<Command>();
  cmd->use = "rm [OPTIONS] KEY";
  cmd->aliases = {"delete"};
  cmd->short_desc = "Remove a key (or, with --recurse, every key under a prefix)";
  cmd->min_args = 1;
  cmd->max_args = 1;
  cmd->flags.Bool(recurse.get(), "recurse", 'r', false, "Remove every key under KEY");
  cmd->run = [recurse](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    client::Call call{.method = "DELETE", .path = KvPath(args[0])};
    if (*recurse) call.query.Add("recurse", "true");
    BERTH_TRY(c->Do(call));
    cli.Out(std::string(*recurse ? "Success! Deleted keys with prefix: " : "Success! Deleted key: ") +
            args[0] + "\n");
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> NewKvLs() {
  struct O {
    bool quiet = false, no_trunc = false;
    std::string format;
  };
  auto o = std::make_shared<O>();
  auto cmd = std::make_unique<Command>();
  cmd->use = "ls [OPTIONS] [PREFIX]";
  cmd->aliases = {"list"};
  cmd->short_desc = "List keys (under PREFIX)";
  cmd->max_args = 1;
  cmd->flags.Bool(&o->quiet, "quiet", 'q', false, "Only display keys");
  cmd->flags.Bool(&o->no_trunc, "no-trunc", 0, false, "Don't truncate values");
  cmd->flags.String(&o->format, "format", 0, "", "Pretty-print keys using a Go template");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    json list = BERTH_TRY(ReadKv(c, args.empty() ? "" : args[0], true, 0, nullptr));
    std::string format = o->format;
    if (o->quiet) format = "{{.Key}}";
    else if (format.empty() || format == "table")
      format = "table {{.Key}}\t{{.ShortValue}}\t{{.Flags}}\t{{.ModifyIndex}}";
    cli.Out(BERTH_TRY(Render(format, KvRows(list, o->no_trunc))));
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> NewKvWatch() {
  struct O {
    bool recurse = false;
    int64_t count = 0;
    std::string format;
  };
  auto o = std::make_shared<O>();
  auto cmd = std::make_unique<Command>();
  cmd->use = "watch [OPTIONS] KEY";
  cmd->short_desc = "Print a key (or a prefix with --recurse) now and after every change";
  cmd->min_args = 1;
  cmd->max_args = 1;
  cmd->flags.Bool(&o->recurse, "recurse", 'r', false, "Watch every key under KEY");
  cmd->flags.Int(&o->count, "count", 'n', 0, "Exit after this many changes (0: never)");
  cmd->flags.String(&o->format, "format", 'f', "", "Format each entry using the given Go template");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    std::string format = o->format.empty() ? "{{.Key}}={{.Value}}" : o->format;
    uint64_t index = 0;
    json last = BERTH_TRY(ReadKv(c, args[0], o->recurse, 0, &index));
    auto show = [&](const json& list) -> Status {
      if (list.empty()) {
        cli.Out("# " + args[0] + ": no key\n");
      } else {
        cli.Out(BERTH_TRY(Render(format, KvRows(list, true))));
      }
      return Ok();
    };
    BERTH_TRY(show(last));
    for (int64_t changes = 0; o->count == 0 || changes < o->count;) {
      uint64_t next = index;
      json now = BERTH_TRY(ReadKv(c, args[0], o->recurse, std::max<uint64_t>(index, 1), &next));
      if (next < index) next = 0;  // the store was reset: start over
      index = next;
      if (now == last) continue;  // the wait ended, or an unrelated index
      last = now;
      BERTH_TRY(show(now));
      ++changes;
    }
    return Ok();
  };
  return cmd;
}

// One service's instances as /v1/health/service/<name> returns them.
Result<json> Health(client::Client* c, const std::string& name) {
  auto resp = BERTH_TRY(c->Do({.path = "/discovery/v1/health/service/" + name}));
  json list = json::parse(resp.body, nullptr, false);
  return list.is_array() ? list : json::array();
}

std::string InstanceStatus(const json& h) {
  std::string st = "passing";
  for (const json& k : h.value("Checks", json::array())) {
    std::string s = k.value("Status", "");
    if (s == "critical") st = "critical";
    else if (s == "warning" && st == "passing") st = "warning";
  }
  return st;
}

json InstanceJson(const json& h) {
  const json& s = h.value("Service", json::object());
  json checks = json::array();
  for (const json& k : h.value("Checks", json::array()))
    if (k.value("ServiceID", "") != "")
      checks.push_back({{"CheckID", k.value("CheckID", "")},
                        {"Status", k.value("Status", "")},
                        {"Output", k.value("Output", "")}});
  return {{"ID", s.value("ID", "")},
          {"Address", s.value("Address", "")},
          {"Port", s.value("Port", 0)},
          {"Tags", s.value("Tags", json::array())},
          {"Meta", s.value("Meta", json::object())},
          {"Node", h.value("Node", json::object()).value("Node", "")},
          {"Status", InstanceStatus(h)},
          {"Checks", checks}};
}

std::unique_ptr<Command> NewServiceLs() {
  struct O {
    bool quiet = false;
    std::string format;
  };
  auto o = std::make_shared<O>();
  auto cmd = std::make_unique<Command>();
  cmd->use = "ls [OPTIONS]";
  cmd->aliases = {"list"};
  cmd->short_desc = "List services in the catalog";
  cmd->max_args = 0;
  cmd->flags.Bool(&o->quiet, "quiet", 'q', false, "Only display service names");
  cmd->flags.String(&o->format, "format", 0, "", "Pretty-print services using a Go template");
  cmd->run = [o](Cli& cli, const std::vector<std::string>&) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    auto resp = BERTH_TRY(c->Do({.path = "/discovery/v1/catalog/services"}));
    json services = json::parse(resp.body, nullptr, false);
    Rows rows;
    rows.type_name = "*discovery.serviceContext";
    rows.header = {{"Name", "NAME"},       {"Instances", "INSTANCES"}, {"Passing", "PASSING"},
                   {"Tags", "TAGS"},       {"Addresses", "ADDRESSES"}};
    if (services.is_object())
      for (const auto& [name, tags] : services.items()) {
        json health = o->quiet ? json::array() : BERTH_TRY(Health(c, name));
        int passing = 0;
        std::vector<std::string> addrs;
        for (const json& h : health) {
          if (InstanceStatus(h) == "passing") ++passing;
          const json& s = h.value("Service", json::object());
          addrs.push_back(s.value("Address", "") + ":" + std::to_string(s.value("Port", 0)));
        }
        std::vector<std::string> t;
        if (tags.is_array())
          for (const json& x : tags)
            if (x.is_string()) t.push_back(x.get<std::string>());
        tmpl::Value r = tmpl::Value::object();
        r["Name"] = name;
        r["Instances"] = health.size();
        r["Passing"] = passing;
        r["Tags"] = str::Join(t, ",");
        r["Addresses"] = str::Join(addrs, ",");
        rows.rows.push_back(r);
      }
    std::string format = o->format;
    if (o->quiet) format = "{{.Name}}";
    else if (format.empty() || format == "table")
      format = "table {{.Name}}\t{{.Instances}}\t{{.Passing}}\t{{.Tags}}";
    cli.Out(BERTH_TRY(Render(format, rows)));
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> NewServiceInspect() {
  auto format = std::make_shared<std::string>();
  auto cmd = std::make_unique<Command>();
  cmd->use = "inspect [OPTIONS] SERVICE [SERVICE...]";
  cmd->short_desc = "Display the instances of one or more services";
  cmd->min_args = 1;
  cmd->flags.String(format.get(), "format", 'f', "", "Format the output using the given Go template");
  cmd->run = [format](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    return InspectAll(cli, *format, args, [c](const std::string& name) -> Result<std::string> {
      json health = BERTH_TRY(Health(c, name));
      if (health.empty()) return Error(Code::kNotFound, "Error: No such service: " + name);
      json out = {{"Name", name}, {"Instances", json::array()}};
      int passing = 0;
      for (const json& h : health) {
        out["Instances"].push_back(InstanceJson(h));
        if (InstanceStatus(h) == "passing") ++passing;
      }
      out["Passing"] = passing;
      return out.dump();
    });
  };
  return cmd;
}

}  // namespace

std::unique_ptr<Command> NewKvCommand() {
  auto cmd = std::make_unique<Command>();
  cmd->use = "kv COMMAND";
  cmd->short_desc = "Read and write the discovery key/value store";
  cmd->max_args = 0;
  cmd->Add(NewKvGet());
  cmd->Add(NewKvLs());
  cmd->Add(NewKvPut());
  cmd->Add(NewKvRm());
  cmd->Add(NewKvWatch());
  return cmd;
}

std::unique_ptr<Command> NewServiceCommand() {
  auto cmd = std::make_unique<Command>();
  cmd->use = "service COMMAND";
  cmd->short_desc = "List the services in the discovery catalog";
  cmd->max_args = 0;
  cmd->Add(NewServiceInspect());
  cmd->Add(NewServiceLs());
  return cmd;
}

}  // namespace berth::cli
