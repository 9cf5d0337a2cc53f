// Paths inside a container's rootfs that cannot escape it.
//
// A RootDir holds an O_PATH fd on the rootfs. Every lookup goes through
// openat2(RESOLVE_IN_ROOT), so absolute symlinks and ".." inside the tree
// resolve as if the rootfs were "/": a destination "/etc/x" that is a symlink
// to "../../../outside" lands on <rootfs>/outside, never on the host. Mounts
// then target "/proc/self/fd/N" of the resolved O_PATH fd (MountTarget), so no
// path is walked a second time between the check and the mount.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::rootfs {

class RootDir {
 public:
  // Opens path (an existing directory) as the root.
  static Result<RootDir> Open(const std::string& path);

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  // The host path of inner, for messages: "/run/x/rootfs" + "/proc".
  std::string Display(std::string_view inner) const;

  // openat2(root, inner, flags, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS).
  Result<unique_fd> OpenIn(std::string_view inner, int flags, mode_t mode = 0) const;
  // mkdir -p inside the root; symlinks met on the way (even dangling ones)
  // are followed inside the root. Returns an O_PATH fd on the directory.
  Result<unique_fd> MkdirAll(std::string_view inner, mode_t mode = 0755) const;
  // Returns an O_PATH fd on inner, creating it as an empty regular file (and
  // its parent directories) when missing. An existing object of any type is
  // returned as it is.
  Result<unique_fd> CreateFile(std::string_view inner, mode_t mode = 0644) const;
  // The O_PATH fd of inner's parent directory (created when missing) and
  // inner's last component, for mknodat/symlinkat/unlinkat.
  Result<std::pair<unique_fd, std::string>> Parent(std::string_view inner) const;

 private:
  RootDir(unique_fd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

  unique_fd fd_;
  std::string path_;
};

// "/proc/self/fd/N": the path mount(2) and chmod(2) accept for an O_PATH fd.
std::string FdPath(int fd);

// Path components, without empty ones and ".": "/a//b/./c" -> {a, b, c}.
std::vector<std::string> Components(std::string_view path);

}  // namespace berth::rootfs
