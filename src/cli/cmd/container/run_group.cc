#include "cli/cmd/commands.h"
#include "cli/cmd/container/run_group.h"

namespace berth::cli {

void AddContainerRunCommands(Command& root, Command& container) {
  for (auto* make : {&NewRunCommand, &NewCreateCommand, &NewStartCommand, &NewAttachCommand,
                     &NewExecCommand}) {
    root.Add(make());
    container.Add(make());
  }
}

}  // namespace berth::cli
