// berth stop, restart, kill, rm, pause, unpause, wait, rename: the
// commands that act on containers one by one.
#include <unistd.h>

#include <fmt/format.h>

#include "base/strings.h"
#include "cli/cmd/container/manage_commands.h"

namespace berth::cli {

Status ForEachContainer(Cli& cli, const std::vector<std::string>& names, bool print_name,
                        const std::function<Status(const std::string& name)>& fn) {
  std::vector<std::string> errs;
  for (const auto& name : names) {
    Status st = fn(name);
    if (!st.ok()) {
      Code code = st.error().code();
      if (code == Code::kUnavailable || code == Code::kPermissionDenied) return st;
      errs.push_back(st.error().message());
      continue;
    }
    if (print_name) cli.Out(name + "\n");
  }
  if (errs.empty()) return Ok();
  return Error::Internal(str::Join(errs, "\n"));
}

Status WriteAllFd(int fd, std::string_view d) {
  while (!d.empty()) {
    ssize_t n = ::write(fd, d.data(), d.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("write");
    }
    d.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

namespace {

struct TimeoutOptions {
  int64_t time = 10;
};

std::unique_ptr<Command> NewStopLike(bool restart) {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<TimeoutOptions>();
  cmd->use = restart ? "restart [OPTIONS] CONTAINER [CONTAINER...]" : "stop [OPTIONS] CONTAINER [CONTAINER...]";
  cmd->short_desc = restart ? "Restart one or more containers" : "Stop one or more running containers";
  cmd->min_args = 1;
  cmd->flags.Int(&o->time, "time", 't', 10,
                 restart ? "Seconds to wait for stop before killing the container"
                         : "Seconds to wait for stop before killing it");
  Command* self = cmd.get();
  cmd->run = [o, restart, self](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    int64_t t = self->flags.Changed("time") ? o->time : -1;
    return ForEachContainer(cli, args, true, [&](const std::string& name) {
      return restart ? client::ContainerRestart(*c, name, t) : client::ContainerStop(*c, name, t);
    });
  };
  return cmd;
}

struct KillOptions {
  std::string signal;
};

struct RmOptions {
  bool force = false, volumes = false, link = false;
};

}  // namespace

std::unique_ptr<Command> NewStopCommand() { return NewStopLike(false); }
std::unique_ptr<Command> NewRestartCommand() { return NewStopLike(true); }

std::unique_ptr<Command> NewKillCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<KillOptions>();
  cmd->use = "kill [OPTIONS] CONTAINER [CONTAINER...]";
  cmd->short_desc = "Kill one or more running containers";
  cmd->min_args = 1;
  cmd->flags.String(&o->signal, "signal", 's', "KILL", "Signal to send to the container");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    return ForEachContainer(cli, args, true,
                            [&](const std::string& name) { return client::ContainerKill(*c, name, o->signal); });
  };
  return cmd;
}

std::unique_ptr<Command> NewRmCommand(bool top_level) {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<RmOptions>();
  cmd->use = top_level ? "rm [OPTIONS] CONTAINER [CONTAINER...]" : "rm [OPTIONS] CONTAINER [CONTAINER...]";
  if (!top_level) cmd->aliases = {"remove"};
  cmd->short_desc = "Remove one or more containers";
  cmd->min_args = 1;
  auto& f = cmd->flags;
  f.Bool(&o->force, "force", 'f', false, "Force the removal of a running container (uses SIGKILL)");
  f.Bool(&o->link, "link", 'l', false, "Remove the specified link");
  f.Bool(&o->volumes, "volumes", 'v', false, "Remove anonymous volumes associated with the container");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    for (const auto& name : args)
      if (name.empty()) return Error::Invalid("Container name cannot be empty");
    auto* c = BERTH_TRY(cli.Client());
    std::vector<std::string> errs;
    for (const auto& arg : args) {
      std::string name = arg;
      while (!name.empty() && name.front() == '/') name.erase(0, 1);
      while (!name.empty() && name.back() == '/') name.pop_back();
      Status st = client::ContainerRemove(*c, name, o->force, o->volumes, o->link);
      if (st.ok()) {
        cli.Out(name + "\n");
        continue;
      }
      Code code = st.error().code();
      if (code == Code::kUnavailable || code == Code::kPermissionDenied) return st;
      // As docker 20.10: -f on a container that is not there is a notice.
      if (o->force && code == Code::kNotFound) {
        cli.Err(st.error().message() + "\n");
        continue;
      }
      errs.push_back(st.error().message());
    }
    if (errs.empty()) return Ok();
    return Error::Internal(str::Join(errs, "\n"));
  };
  return cmd;
}

namespace {

std::unique_ptr<Command> NewPauseLike(bool pause) {
  auto cmd = std::make_unique<Command>();
  cmd->use = pause ? "pause CONTAINER [CONTAINER...]" : "unpause CONTAINER [CONTAINER...]";
  cmd->short_desc = pause ? "Pause all processes within one or more containers"
                          : "Unpause all processes within one or more containers";
  cmd->min_args = 1;
  cmd->run = [pause](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    return ForEachContainer(cli, args, true, [&](const std::string& name) {
      return pause ? client::ContainerPause(*c, name) : client::ContainerUnpause(*c, name);
    });
  };
  return cmd;
}

}  // namespace

std::unique_ptr<Command> NewPauseCommand() { return NewPauseLike(true); }
std::unique_ptr<Command> NewUnpauseCommand() { return NewPauseLike(false); }

std::unique_ptr<Command> NewWaitCommand() {
  auto cmd = std::make_unique<Command>();
  cmd->use = "wait CONTAINER [CONTAINER...]";
  cmd->short_desc = "Block until one or more containers stop, then print their exit codes";
  cmd->min_args = 1;
  cmd->run = [](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    return ForEachContainer(cli, args, false, [&](const std::string& name) -> Status {
      auto r = BERTH_TRY(client::ContainerWait(*c, name, ""));
      if (auto e = r.find("Error"); e != r.end() && e->is_object()) {
        std::string msg = e->value("Message", "");
        if (!msg.empty()) return Error::Internal(msg);
      }
      cli.Out(std::to_string(r.value("StatusCode", int64_t{0})) + "\n");
      return Ok();
    });
  };
  return cmd;
}

std::unique_ptr<Command> NewRenameCommand() {
  auto cmd = std::make_unique<Command>();
  cmd->use = "rename CONTAINER NEW_NAME";
  cmd->short_desc = "Rename a container";
  cmd->min_args = 2;
  cmd->max_args = 2;
  cmd->run = [](Cli& cli, const std::vector<std::string>& args) -> Status {
    std::string old_name(str::Trim(args[0])), new_name(str::Trim(args[1]));
    if (old_name.empty() || new_name.empty())
      return Error::Invalid("Error: Neither old nor new names may be empty");
    auto* c = BERTH_TRY(cli.Client());
    Status st = client::ContainerRename(*c, old_name, new_name);
    if (!st.ok()) {
      cli.Err(st.error().message() + "\n");
      return Error::Internal("Error: failed to rename container named " + old_name);
    }
    return Ok();
  };
  return cmd;
}

}  // namespace berth::cli
