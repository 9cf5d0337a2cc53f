// Path resolution inside a container's root filesystem: every lookup goes
// through openat2(RESOLVE_IN_ROOT), so symlinks (absolute ones too) and ".."
// are resolved as the container sees them and never lead outside the root.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::engine::fs {

// Opens path (container-absolute or relative to the root) under root_fd,
// following symlinks inside the root. flags as open(2) (O_CLOEXEC added).
// ENOENT is kNotFound; errors name the container path.
Result<unique_fd> OpenInRoot(int root_fd, std::string_view path, int flags);

// Opens merged_dir itself (O_PATH | O_DIRECTORY).
Result<unique_fd> OpenRoot(const std::string& merged_dir);

// The container path ("/etc") of an fd opened under the root at root_fd.
Result<std::string> ContainerPathOf(int root_fd, int fd);

// "/proc/self/fd/<fd>": reopens an fd by path for calls that take one.
std::string ProcFdPath(int fd);

// Docker's view of a requested path: cleaned, absolute, keeping a trailing
// "/" or "/." (archive.PreserveTrailingDotOrSeparator).
std::string AbsPreserving(std::string_view path);
// filepath.Base of such a path: trailing slashes ignored, "/" for the root.
std::string BaseOf(std::string_view abs);

// An entry located as `docker cp` locates it: the directory part fully
// resolved in the root, the last element not followed (unless the path ends
// in "/" or "/.", which resolves it too).
struct Located {
  unique_fd parent;  // O_PATH directory holding the entry
  std::string name;  // the entry's name in parent; "" when it is the root
  unique_fd root_dir;  // the resolved root itself when name is ""
};
Result<Located> Locate(int root_fd, const std::string& abs);

}  // namespace berth::engine::fs
