// Copy-up: a new, empty volume is first filled with what the image has at
// its mount path, as Docker does (modes, owners, times, xattrs, symlinks,
// hard links, device nodes and fifos kept).
#pragma once

#include <string>

#include "base/error.h"

namespace berth::volume {

// Copies the directory at src (a host path: the container's rootfs joined
// with the mount destination, already resolved in the root) into dst when
// dst is empty; does nothing when dst has entries or src is not a
// directory. The top directory's mode and owner are copied to dst too.
// Symlinks are copied as links, never followed.
Status CopyUp(const std::string& src, const std::string& dst);

// Whether path is a directory without entries (false when it cannot be
// read).
bool IsEmptyDir(const std::string& path);
// The copy itself, over what dst already has: directories are merged,
// other entries replaced. Copying again finishes a copy that was
// interrupted. Does nothing when src is not a directory.
Status CopyTree(const std::string& src, const std::string& dst);

}  // namespace berth::volume
