// mount(2) wrappers whose errors name the source, the target as the user
// knows it (not "/proc/self/fd/N"), the type and the flags:
//   "mount proc on /run/x/rootfs/proc (type proc, flags nosuid,nodev,noexec): Operation not permitted"
#pragma once

#include <string>

#include "base/error.h"

namespace berth::rootfs {

// target is what the kernel sees (often FdPath(fd)); display names it in
// errors (target itself when empty).
Status Mount(const std::string& source, const std::string& target, const std::string& type,
             unsigned long flags, const std::string& data, const std::string& display = "");

// MS_REMOUNT|MS_BIND|flags. A mount whose nosuid/nodev/noexec/ro/atime flags
// are locked (inherited from a more privileged user namespace) refuses to
// drop them with EPERM: then the flags the mount has (statvfs) are ORed in and
// the remount is tried again.
Status RemountBind(const std::string& target, unsigned long flags,
                   const std::string& display = "");

// One propagation change (MS_SHARED, MS_SLAVE|MS_REC, ...).
Status SetPropagation(const std::string& target, unsigned long flags,
                      const std::string& display = "");

// The MS_* flags of the mount holding path, from statvfs(3).
Result<unsigned long> CurrentMountFlags(const std::string& path, const std::string& display = "");

}  // namespace berth::rootfs
