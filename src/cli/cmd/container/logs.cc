// berth logs: the container's log, stdout and stderr apart when it has no
// tty (docker's 8-byte frames, split by StdDemux).
#include "cli/cmd/container/manage_commands.h"
#include "base/stdcopy.h"

namespace berth::cli {
namespace {

struct Options {
  bool follow = false, timestamps = false, details = false;
  std::string since, until, tail = "all";
};

}  // namespace

std::unique_ptr<Command> NewLogsCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<Options>();
  cmd->use = "logs [OPTIONS] CONTAINER";
  cmd->short_desc = "Fetch the logs of a container";
  cmd->min_args = 1;
  cmd->max_args = 1;
  auto& f = cmd->flags;
  f.Bool(&o->follow, "follow", 'f', false, "Follow log output");
  f.String(&o->since, "since", 0, "",
           "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)");
  f.String(&o->until, "until", 0, "",
           "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)");
  f.Bool(&o->timestamps, "timestamps", 't', false, "Show timestamps");
  f.Bool(&o->details, "details", 0, false, "Show extra details provided to logs");
  f.String(&o->tail, "tail", 'n', "all", "Number of lines to show from the end of the logs");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    auto info = BERTH_TRY(client::ContainerInspect(*c, args[0]));
    client::ContainerLogsOptions opts;
    opts.follow = o->follow;
    opts.timestamps = o->timestamps;
    opts.details = o->details;
    opts.tail = o->tail;
    auto since = GetTimestamp(o->since, cli.Now());
    if (!since.ok()) return Error::Invalid("invalid value for \"since\": " + since.error().message());
    auto until = GetTimestamp(o->until, cli.Now());
    if (!until.ok()) return Error::Invalid("invalid value for \"until\": " + until.error().message());
    opts.since = *since;
    opts.until = *until;
    bool tty = false;
    if (auto cfg = info.find("Config"); cfg != info.end() && cfg->is_object())
      tty = cfg->value("Tty", false);
    std::string id = info.value("Id", args[0]);
    if (tty)
      return client::ContainerLogs(*c, id, opts, [&](std::string_view d) { return WriteAllFd(cli.out_fd(), d); });
    // The payloads of one received chunk go out in one write per stream
    // run (stdout and stderr keep their order), not one per line.
    std::string pending;
    bool pending_err = false;
    auto flush = [&]() -> Status {
      if (pending.empty()) return Ok();
      Status st = Ok();
      if (pending_err)
        cli.Err(pending);
      else
        st = WriteAllFd(cli.out_fd(), pending);
      pending.clear();
      return st;
    };
    auto add = [&](bool err, std::string_view d) -> Status {
      if (err != pending_err) BERTH_TRY(flush());
      pending_err = err;
      pending.append(d);
      return Ok();
    };
    StdDemux demux([&](std::string_view d) { return add(false, d); },
                   [&](std::string_view d) { return add(true, d); });
    return client::ContainerLogs(*c, id, opts, [&](std::string_view d) -> Status {
      Status st = demux.Feed(d);
      BERTH_TRY(flush());
      return st;
    });
  };
  return cmd;
}

}  // namespace berth::cli
