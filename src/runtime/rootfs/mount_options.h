// OCI mount option strings ("ro", "nosuid", "rbind", "rprivate", "size=64m")
// turned into what mount(2) takes: MS_* flags, the propagation changes to
// apply after the mount, and the filesystem data string.
//
// Pure functions: no system calls, unit-tested in mount_options_test.cc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::rootfs {

struct MountOptions {
  // MS_* flags to pass to mount(2), including MS_BIND and MS_REC for
  // bind/rbind. Later options win ("ro,rw" is read-write).
  unsigned long flags = 0;
  // Propagation changes (MS_SHARED, MS_SLAVE|MS_REC, ...), applied in order
  // with separate mount(2) calls once the mount exists.
  std::vector<unsigned long> propagation;
  // Filesystem options ("size=64m,mode=755"), passed through as data. Like
  // runc and crun, options that are not mount flags land here; the kernel
  // rejects those the filesystem does not know.
  std::string data;
  // "tmpcopyup" (runc/podman extension for tmpfs): copy the content of the
  // destination into the new tmpfs.
  bool tmpcopyup = false;

  bool bind() const;
  bool recursive() const;
  // Flags that need a MS_REMOUNT|MS_BIND after a bind mount (ro, nosuid,
  // nodev, noexec, atime...).
  unsigned long RemountFlags() const;
};

MountOptions ParseMountOptions(const std::vector<std::string>& options);

// "rprivate" -> MS_PRIVATE|MS_REC; nullopt-like error when not a
// propagation keyword.
Result<unsigned long> ParsePropagation(std::string_view name);
// linux.rootfsPropagation; "" -> MS_SLAVE|MS_REC (runc's default).
Result<unsigned long> RootfsPropagation(std::string_view name);

// "nosuid,noexec,nodev" for messages; "none" when flags is 0.
std::string FlagsString(unsigned long flags);
// "rprivate", "shared", ... for messages.
std::string PropagationString(unsigned long flags);

// statvfs(3) f_flag bits -> MS_* flags (ro, nosuid, nodev, noexec, atime).
unsigned long StatvfsToMountFlags(unsigned long f_flag);

}  // namespace berth::rootfs
