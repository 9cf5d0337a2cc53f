// The command factories, one file per command group under cmd/. top_level
// selects the docker shortcut form ("images", "rmi") over the management
// form ("image ls", "image rm").
#pragma once

#include <memory>

#include "cli/command.h"

namespace berth::cli {

// cmd/image/
std::unique_ptr<Command> NewImageListCommand(bool top_level);
std::unique_ptr<Command> NewImageInspectCommand();
std::unique_ptr<Command> NewHistoryCommand();
std::unique_ptr<Command> NewTagCommand();
std::unique_ptr<Command> NewRemoveCommand(bool top_level);
std::unique_ptr<Command> NewImagePruneCommand();
std::unique_ptr<Command> NewSaveCommand();
std::unique_ptr<Command> NewLoadCommand();
std::unique_ptr<Command> NewImportCommand();
std::unique_ptr<Command> NewBuildCommand();
std::unique_ptr<Command> NewImageCommand();  // "image" with the above

// cmd/system/
std::unique_ptr<Command> NewVersionCommand();
std::unique_ptr<Command> NewInfoCommand();
std::unique_ptr<Command> NewDfCommand();
std::unique_ptr<Command> NewEventsCommand();
std::unique_ptr<Command> NewSystemCommand();  // "system df|events|info"

// cmd/container/: each adds the top-level forms ("run", "ps") to root and
// the management forms ("container run", "container ls") to container.
// Run group (run.cmake): run, create, start, attach, exec.
void AddContainerRunCommands(Command& root, Command& container);
// Manage group (manage.cmake): ps/ls, inspect, logs, stop, kill, rm,
// restart, wait, top, rename, pause, unpause, update, commit, export, cp,
// diff, stats, port, prune.
void AddContainerManageCommands(Command& root, Command& container);

// cmd/volume/: "volume create|ls|inspect|rm|prune"
std::unique_ptr<Command> NewVolumeCommand();
// cmd/network/: "network ls|inspect|create|rm|prune|connect|disconnect"
std::unique_ptr<Command> NewNetworkCommand();

// cmd/discovery/: "kv get|put|rm|ls|watch", "service ls|inspect"
std::unique_ptr<Command> NewKvCommand();
std::unique_ptr<Command> NewServiceCommand();

// cmd/registry/: pull, push, search, login, logout
std::unique_ptr<Command> NewPullCommand();
std::unique_ptr<Command> NewPushCommand();
std::unique_ptr<Command> NewSearchCommand();
std::unique_ptr<Command> NewLoginCommand();
std::unique_ptr<Command> NewLogoutCommand();

// cmd/inspect.cc: the generic inspect
std::unique_ptr<Command> NewInspectCommand();

}  // namespace berth::cli
