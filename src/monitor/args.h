// berth-monitor's command line (docs/containers.md), parsed by the monitor
// and built by its client.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "monitor/monitor_client.h"

namespace berth::monitor {

struct Options {
  SpawnOptions spawn;  // monitor_path unused
  int ready_fd = -1;
};

// argv[1] is the mode ("container" or "exec"). Paths must be absolute.
Result<Options> ParseArgs(const std::vector<std::string>& args);
// The arguments after argv[0] for o (with --ready-fd when ready_fd >= 0).
std::vector<std::string> BuildArgs(const SpawnOptions& o, int ready_fd);

}  // namespace berth::monitor
