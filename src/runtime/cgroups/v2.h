// The cgroup v2 (unified hierarchy) manager.
#pragma once

#include <memory>
#include <string>

#include "runtime/cgroups/cgroups.h"

namespace berth::cgroups {

// mount_point: the cgroup2 mount; dir: the container's cgroup below it.
std::unique_ptr<Manager> NewV2Manager(std::string mount_point, std::string dir);

}  // namespace berth::cgroups
