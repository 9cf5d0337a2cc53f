// berth attach: attach the CLI's streams to a running container, as
// docker's runAttach; the status is the container's (through wait).
#include "cli/cli.h"
#include "cli/cmd/container/attach_session.h"
#include "cli/cmd/container/run_group.h"

namespace berth::cli {
namespace {

struct AttachCmdOptions {
  bool no_stdin = false, sig_proxy = true;
  std::string detach_keys;
};

bool StateFlag(const client::json& j, const char* obj, const char* key) {
  auto o = j.find(obj);
  if (o == j.end() || !o->is_object()) return false;
  auto v = o->find(key);
  return v != o->end() && v->is_boolean() && v->get<bool>();
}

Result<int> Attach(Cli& cli, const AttachCmdOptions& o, const std::string& name) {
  auto* c = BERTH_TRY(cli.Client());
  auto info = BERTH_TRY(InspectContainer(*c, name));
  if (!StateFlag(info, "State", "Running"))
    return Error::Invalid("You cannot attach to a stopped container, start it first");
  if (StateFlag(info, "State", "Paused"))
    return Error::Invalid("You cannot attach to a paused container, unpause it first");
  if (StateFlag(info, "State", "Restarting"))
    return Error::Invalid("You cannot attach to a restarting container, wait until it is running");
  bool tty = StateFlag(info, "Config", "Tty");
  if (tty && !o.no_stdin && !cli.InIsTerminal()) return Error::Invalid("the input device is not a TTY");
  std::string id = info.value("Id", name);
  auto waiter = BERTH_TRY(client::ContainerWaiter::Start(*c, id, ""));
  client::AttachOptions ao;
  ao.stdin_ = !o.no_stdin && StateFlag(info, "Config", "OpenStdin");
  ao.detach_keys = o.detach_keys;
  auto conn = BERTH_TRY(client::ContainerAttach(*c, id, ao));
  SessionOptions so;
  so.container_id = id;
  so.tty = tty;
  so.in = ao.stdin_;
  so.detach_keys = o.detach_keys;
  so.sig_proxy = o.sig_proxy && !tty;
  so.nudge_size = true;
  auto session = BERTH_TRY(AttachSession::Make(cli, *c, so, std::move(conn)));
  auto end = BERTH_TRY(session->Run());
  session.reset();
  // docker attach reports the detach as its error.
  if (end == IoEnd::kDetached) return Error::Internal("read escape sequence");
  auto outcome = waiter->Get();
  if (!outcome.error.empty()) return Error::Internal(outcome.error);
  return static_cast<int>(outcome.status_code);
}

}  // namespace

std::unique_ptr<Command> NewAttachCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<AttachCmdOptions>();
  cmd->use = "attach [OPTIONS] CONTAINER";
  cmd->short_desc = "Attach local standard input, output, and error streams to a running container";
  cmd->min_args = 1;
  cmd->max_args = 1;
  cmd->flags.String(&o->detach_keys, "detach-keys", 0, "",
                    "Override the key sequence for detaching a container");
  cmd->flags.Bool(&o->no_stdin, "no-stdin", 0, false, "Do not attach STDIN");
  cmd->flags.Bool(&o->sig_proxy, "sig-proxy", 0, true, "Proxy all received signals to the process");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    return FinishWith(cli, Attach(cli, *o, args[0]));
  };
  return cmd;
}

}  // namespace berth::cli
