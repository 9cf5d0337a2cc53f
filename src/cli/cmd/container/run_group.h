// The run group's command factories (run, create, start, attach, exec);
// run_group.cc registers them (AddContainerRunCommands in cmd/commands.h).
#pragma once

#include <memory>

#include "cli/command.h"

namespace berth::cli {

std::unique_ptr<Command> NewRunCommand();
std::unique_ptr<Command> NewCreateCommand();
std::unique_ptr<Command> NewStartCommand();
std::unique_ptr<Command> NewAttachCommand();
std::unique_ptr<Command> NewExecCommand();

}  // namespace berth::cli
