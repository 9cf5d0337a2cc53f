// The manage group's commands (ps, inspect, logs, stop, …) and what they
// share. Each factory builds the top-level form ("ps", "rm") or, with
// top_level false, the "container" sub-command ("ls", "rm").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "cli/cli.h"
#include "cli/command.h"

namespace berth::cli {

std::unique_ptr<Command> NewPsCommand(bool top_level);
std::unique_ptr<Command> NewContainerInspectCommand();
std::unique_ptr<Command> NewLogsCommand();
std::unique_ptr<Command> NewStopCommand();
std::unique_ptr<Command> NewRestartCommand();
std::unique_ptr<Command> NewKillCommand();
std::unique_ptr<Command> NewRmCommand(bool top_level);
std::unique_ptr<Command> NewWaitCommand();
std::unique_ptr<Command> NewPauseCommand();
std::unique_ptr<Command> NewUnpauseCommand();
std::unique_ptr<Command> NewRenameCommand();
std::unique_ptr<Command> NewTopCommand();
std::unique_ptr<Command> NewPortCommand();
std::unique_ptr<Command> NewDiffCommand();
std::unique_ptr<Command> NewContainerPruneCommand();
std::unique_ptr<Command> NewUpdateCommand();
std::unique_ptr<Command> NewCommitCommand();
std::unique_ptr<Command> NewExportCommand();
std::unique_ptr<Command> NewCpCommand();
std::unique_ptr<Command> NewStatsCommand();

// Runs fn for each name, as docker's multi-container commands do: on
// success prints the name (when print_name), on failure collects the
// error and goes on; the errors come back joined by newlines (exit 1).
// A daemon that cannot be reached stops the loop at once.
Status ForEachContainer(Cli& cli, const std::vector<std::string>& names, bool print_name,
                        const std::function<Status(const std::string& name)>& fn);

// docker's command.ValidateOutputPath: the directory of path must exist;
// an existing path must be a directory or a regular file.
Status ValidateOutputPath(const std::string& path);

// Writes all of d to fd.
Status WriteAllFd(int fd, std::string_view d);

// docker's timetypes.GetTimestamp (defined with `events`): a Unix time
// passes, a Go duration ("10m") is that long before now, an RFC 3339 time
// (or a prefix of one) becomes "secs.nanos".
Result<std::string> GetTimestamp(const std::string& value, int64_t now);

}  // namespace berth::cli
