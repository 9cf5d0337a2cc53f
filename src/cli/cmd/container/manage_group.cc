// The manage group: ps/ls, inspect, logs, stop, restart, kill, rm, wait,
// top, rename, pause, unpause, update, commit, export, cp, diff, stats,
// port, container prune.
#include "cli/cmd/commands.h"
#include "cli/cmd/container/manage_commands.h"

namespace berth::cli {

void AddContainerManageCommands(Command& root, Command& container) {
  using Factory = std::unique_ptr<Command> (*)();
  // The same command at the top level and under "container".
  static const Factory kBoth[] = {
      NewLogsCommand,  NewStopCommand,    NewRestartCommand, NewKillCommand,    NewWaitCommand,
      NewTopCommand,   NewRenameCommand,  NewPauseCommand,   NewUnpauseCommand, NewUpdateCommand,
      NewCommitCommand, NewExportCommand, NewCpCommand,      NewDiffCommand,    NewStatsCommand,
      NewPortCommand};
  for (Factory f : kBoth) {
    root.Add(f());
    container.Add(f());
  }
  root.Add(NewPsCommand(true));
  container.Add(NewPsCommand(false));
  root.Add(NewRmCommand(true));
  container.Add(NewRmCommand(false));
  // The top-level inspect is the generic one (cmd/inspect.cc).
  container.Add(NewContainerInspectCommand());
  container.Add(NewContainerPruneCommand());
}

}  // namespace berth::cli
