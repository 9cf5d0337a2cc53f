// The tar side of `cp` on the local machine (libarchive): packing a local
// file or directory the way docker's TarResource does (entries named from
// the source's base name, directories with a trailing "/", hard links kept,
// symlinks not followed below the top), and unpacking a container's archive
// into a local directory the way docker's CopyTo does (no chown, an
// existing directory is never replaced by a non-directory or the reverse,
// nothing written outside the destination).
#pragma once

#include <string>

#include "base/error.h"

namespace berth::cli::cp {

// Entry renames applied in order: first occurrence of from → to (skipped
// when from is empty).
struct Renames {
  std::string from1, to1, from2, to2;
  std::string Apply(const std::string& name) const;
};

// Writes a tar of src_path (its parent directory is the archive root) to
// fd, then closes fd.
Status WriteTar(const std::string& src_path, const Renames& renames, int fd);

// Extracts the tar read from fd into dst_dir.
Status ExtractTar(int fd, const std::string& dst_dir, const Renames& renames);

}  // namespace berth::cli::cp
