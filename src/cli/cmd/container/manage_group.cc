#include "cli/cmd/commands.h"

namespace berth::cli {

void AddContainerManageCommands(Command& root, Command& container) {
  (void)root;
  (void)container;
}

}  // namespace berth::cli
