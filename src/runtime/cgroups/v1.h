// The cgroup v1 manager (also used in the hybrid layout, where the cgroup2
// mount only gets the container's processes, best effort, for tracking).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/cgroups/cgroups.h"
#include "runtime/cgroups/layout.h"

namespace berth::cgroups {

struct V1Dir {
  Hierarchy hierarchy;
  std::string dir;  // absolute directory of the container's cgroup
};

std::unique_ptr<Manager> NewV1Manager(std::vector<V1Dir> dirs, std::optional<std::string> unified);

}  // namespace berth::cgroups
