// tmpcopyup: what a directory held before a tmpfs was mounted on it is copied
// into the tmpfs (runc/podman extension).
#pragma once

#include <string>

#include "base/error.h"

namespace berth::rootfs {

// Copies the tree under from_dir into to_dir (both open directory fds, not
// O_PATH): directories, regular files, symlinks, fifos and device nodes, with
// modes and owners. display names to_dir in errors.
Status CopyTree(int from_dir, int to_dir, const std::string& display);

// to_dir takes from_dir's owner and mode.
Status CopyOwnerAndMode(int from_dir, int to_dir, const std::string& display);

}  // namespace berth::rootfs
