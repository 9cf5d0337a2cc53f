// One spec.mounts entry made inside the rootfs (internal to rootfs.cc).
#pragma once

#include "base/error.h"
#include "oci/runtime_spec.h"
#include "runtime/rootfs/mount_options.h"
#include "runtime/rootfs/rootfs.h"
#include "runtime/rootfs/safe_path.h"

namespace berth::rootfs {

// Creates the destination inside root and mounts the entry on it: bind/rbind
// (with a remount for ro/nosuid/... ), cgroup/cgroup2 (see Options), or any
// filesystem type with its flags and data; then its propagation options.
Status MountEntry(const RootDir& root, const oci::Mount& mount, const Options& opts);

// Mounts of type "cgroup" and "cgroup2" (cgroup_mount.cc). dest is clean and
// absolute.
Status MountCgroup(const RootDir& root, const std::string& dest, const oci::Mount& mount,
                   const MountOptions& mo, const Options& opts);

}  // namespace berth::rootfs
