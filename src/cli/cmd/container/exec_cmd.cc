// berth exec: run a command in a running container, as docker's runExec
// (inspect first so a missing container wins, then exec create, start —
// detached or hijacked — and the status from GET /exec/{id}/json).
#include "cli/cli.h"
#include "cli/cmd/container/attach_session.h"
#include "cli/cmd/container/create_parse.h"
#include "cli/cmd/container/run_group.h"

namespace berth::cli {
namespace {

struct ExecOptions {
  bool detach = false, interactive = false, tty = false, privileged = false;
  std::string detach_keys, user, workdir;
  std::vector<std::string> env, env_file;
};

// types.ExecConfig as docker 20.10 sends it.
Result<ojson> ExecBody(const ExecOptions& o, const std::vector<std::string>& cmd) {
  std::vector<std::string> env;
  for (const auto& f : o.env_file)
    for (auto& line : BERTH_TRY(ReadKvFile(f, ProcessEnv()))) env.push_back(std::move(line));
  env.insert(env.end(), o.env.begin(), o.env.end());
  ojson b = ojson::object();
  b["User"] = o.user;
  b["Privileged"] = o.privileged;
  b["Tty"] = o.tty;
  b["AttachStdin"] = !o.detach && o.interactive;
  b["AttachStderr"] = !o.detach;
  b["AttachStdout"] = !o.detach;
  b["Detach"] = o.detach;
  b["DetachKeys"] = o.detach_keys;
  b["Env"] = env.empty() ? ojson(nullptr) : ojson(env);
  b["WorkingDir"] = o.workdir;
  b["Cmd"] = cmd;
  return b;
}

Result<int> Exec(Cli& cli, const ExecOptions& o, const std::vector<std::string>& args) {
  std::vector<std::string> cmd(args.begin() + 1, args.end());
  auto body = BERTH_TRY(ExecBody(o, cmd));
  auto* c = BERTH_TRY(cli.Client());
  BERTH_TRY(InspectContainer(*c, args[0]));
  if (!o.detach && o.interactive && o.tty && !cli.InIsTerminal())
    return Error::Invalid("the input device is not a TTY");
  std::string exec_id = BERTH_TRY(client::ExecCreate(*c, args[0], body.dump()));
  if (o.detach) {
    BERTH_TRY(client::ExecStartDetached(*c, exec_id, o.tty));
    return 0;
  }
  auto conn = BERTH_TRY(client::ExecStartAttached(*c, exec_id, o.tty));
  SessionOptions so;
  so.exec_id = exec_id;
  so.tty = o.tty;
  so.in = o.interactive;
  so.detach_keys = o.detach_keys;
  auto session = BERTH_TRY(AttachSession::Make(cli, *c, so, std::move(conn)));
  auto end = BERTH_TRY(session->Run());
  session.reset();
  if (end == IoEnd::kDetached) return Error::Internal("read escape sequence");
  auto info = BERTH_TRY(client::ExecInspect(*c, exec_id));
  auto code = info.find("ExitCode");
  if (code != info.end() && code->is_number()) return code->get<int>();
  return 0;
}

}  // namespace

std::unique_ptr<Command> NewExecCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<ExecOptions>();
  cmd->use = "exec [OPTIONS] CONTAINER COMMAND [ARG...]";
  cmd->interspersed = false;
  cmd->short_desc = "Run a command in a running container";
  cmd->min_args = 2;
  auto& f = cmd->flags;
  f.Bool(&o->detach, "detach", 'd', false, "Detached mode: run command in the background");
  f.String(&o->detach_keys, "detach-keys", 0, "", "Override the key sequence for detaching a container");
  f.List(&o->env, "env", 'e', "Set environment variables").validate = [](std::string& v) {
    return ValidateEnv(v, ProcessEnv());
  };
  f.List(&o->env_file, "env-file", 0, "Read in a file of environment variables");
  f.Bool(&o->interactive, "interactive", 'i', false, "Keep STDIN open even if not attached");
  f.Bool(&o->privileged, "privileged", 0, false, "Give extended privileges to the command");
  f.Bool(&o->tty, "tty", 't', false, "Allocate a pseudo-TTY");
  f.String(&o->user, "user", 'u', "", "Username or UID (format: <name|uid>[:<group|gid>])");
  f.String(&o->workdir, "workdir", 'w', "", "Working directory inside the container");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    return FinishWith(cli, Exec(cli, *o, args));
  };
  return cmd;
}

}  // namespace berth::cli
