// berth start: start containers; with -a/-i attach to one, as docker's
// runStart (attach → wait → start → stream → the container's status).
#include <fmt/format.h>

#include "base/strings.h"
#include "cli/cli.h"
#include "cli/cmd/container/attach_session.h"
#include "cli/cmd/container/run_group.h"

namespace berth::cli {
namespace {

struct StartOptions {
  bool attach = false, interactive = false;
  std::string detach_keys;
};

bool JsonBool(const client::json& j, const char* obj, const char* key) {
  auto o = j.find(obj);
  if (o == j.end() || !o->is_object()) return false;
  auto v = o->find(key);
  return v != o->end() && v->is_boolean() && v->get<bool>();
}

std::string JsonString(const client::json& j, const char* key) {
  auto v = j.find(key);
  return v != j.end() && v->is_string() ? v->get<std::string>() : std::string();
}

Result<int> StartAttached(Cli& cli, const StartOptions& o, const std::string& name) {
  auto* c = BERTH_TRY(cli.Client());
  auto info = BERTH_TRY(InspectContainer(*c, name));
  std::string id = JsonString(info, "Id");
  bool tty = JsonBool(info, "Config", "Tty");
  bool auto_remove = JsonBool(info, "HostConfig", "AutoRemove");
  client::AttachOptions ao;
  ao.stdin_ = o.interactive && JsonBool(info, "Config", "OpenStdin");
  ao.detach_keys = o.detach_keys;
  auto conn = BERTH_TRY(client::ContainerAttach(*c, id, ao));
  SessionOptions so;
  so.container_id = id;
  so.tty = tty;
  so.in = ao.stdin_;
  so.detach_keys = o.detach_keys;
  so.sig_proxy = !tty;
  auto session = BERTH_TRY(AttachSession::Make(cli, *c, so, std::move(conn)));
  auto waiter = BERTH_TRY(client::ContainerWaiter::Start(*c, id, auto_remove ? "removed" : "next-exit"));
  if (Status st = client::ContainerStart(*c, id); !st.ok()) {
    session->Abort();
    if (auto_remove) (void)waiter->Get();
    return std::move(st).error();
  }
  auto end = BERTH_TRY(session->Run());
  session.reset();
  if (end == IoEnd::kDetached) return 0;
  auto outcome = waiter->Get();
  if (!outcome.error.empty()) {
    cli.Err("Error waiting for container: " + outcome.error + "\n");
    return 125;
  }
  return static_cast<int>(outcome.status_code);
}

Status StartAll(Cli& cli, const std::vector<std::string>& names) {
  auto* c = BERTH_TRY(cli.Client());
  std::vector<std::string> failed;
  for (const auto& name : names) {
    Status st = client::ContainerStart(*c, name);
    if (!st.ok()) {
      if (st.error().code() == Code::kUnavailable || st.error().code() == Code::kPermissionDenied)
        return std::move(st).error();
      cli.Err(st.error().message() + "\n");
      failed.push_back(name);
      continue;
    }
    cli.Out(name + "\n");
  }
  if (failed.empty()) return Ok();
  return Error::Internal("Error: failed to start containers: " + str::Join(failed, ", "));
}

}  // namespace

std::unique_ptr<Command> NewStartCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<StartOptions>();
  cmd->use = "start [OPTIONS] CONTAINER [CONTAINER...]";
  cmd->short_desc = "Start one or more stopped containers";
  cmd->min_args = 1;
  cmd->flags.Bool(&o->attach, "attach", 'a', false, "Attach STDOUT/STDERR and forward signals");
  cmd->flags.String(&o->detach_keys, "detach-keys", 0, "",
                    "Override the key sequence for detaching a container");
  cmd->flags.Bool(&o->interactive, "interactive", 'i', false, "Attach container's STDIN");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    if (!o->attach && !o->interactive) return StartAll(cli, args);
    if (args.size() > 1) return Error::Invalid("you cannot start and attach multiple containers at once");
    return FinishWith(cli, StartAttached(cli, *o, args[0]));
  };
  return cmd;
}

}  // namespace berth::cli
