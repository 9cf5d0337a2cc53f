// Device nodes and symlinks of the container's /dev.
//
// Every container gets null, zero, full, random, urandom and tty (mode 0666,
// root-owned); linux.devices add to them or replace them by path. Nodes are
// made with mknod, or, in a user namespace where mknod is refused, by
// bind-mounting the host's node of the same path on an empty file.
#pragma once

#include <vector>

#include "base/error.h"
#include "oci/runtime_spec.h"
#include "runtime/rootfs/safe_path.h"

namespace berth::rootfs {

const std::vector<oci::Device>& DefaultDevices();

// The defaults followed by the spec's devices; a spec device replaces a
// default with the same path.
std::vector<oci::Device> MergeDevices(const std::vector<oci::Device>& spec_devices);

// Creates one node inside root (parents created as needed), with its mode,
// uid and gid; an existing non-directory at the path is replaced.
Status CreateDevice(const RootDir& root, const oci::Device& device, bool bind_host);

// /dev/fd -> /proc/self/fd, stdin/stdout/stderr -> /proc/self/fd/0..2,
// ptmx -> pts/ptmx (replacing a node), and core -> /proc/kcore when with_kcore.
Status CreateDevSymlinks(const RootDir& root, bool with_kcore);

}  // namespace berth::rootfs
