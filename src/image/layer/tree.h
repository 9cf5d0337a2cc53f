// Path safety for extraction: every name from a tar is cleaned, and every
// directory is opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
// from the held fd of the layer root, so nothing a tar contains can make us
// touch a file outside the layer.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::layer {

// Cleans a tar entry name into a path relative to the layer root: leading
// '/' dropped (absolute names stay inside), "." and empty parts removed, ".."
// applied. "" is the root itself. A ".." that climbs above the root is an
// error (Code::kInvalidArgument) naming the entry.
Result<std::string> CleanEntryName(std::string_view name);

// Splits a cleaned path into its parent ("" for the root) and last part.
std::pair<std::string, std::string> SplitParent(const std::string& path);

// "/proc/self/fd/<dirfd>/<name>": a path for calls that have no *at() form
// (lsetxattr, llistxattr); dirfd is already resolved, name is not followed
// by the l* calls.
std::string FdPath(int dirfd, const std::string& name);

// Removes name in dirfd and, when it is a directory, everything below it;
// never follows symlinks. A missing name is not an error.
Status RemoveTree(int dirfd, const std::string& name);

// fsync of every regular file and directory below dirfd/name (openat,
// symlinks never followed), and of itself: a small layer made durable
// without syncfs(2), which would also wait for everything else written on
// the filesystem. Returns the number of objects synced.
Result<size_t> SyncTree(int dirfd, const std::string& name);

// The layer root during extraction.
class LayerRoot {
 public:
  explicit LayerRoot(int root_fd) : root_(root_fd) {}

  // Opens directory rel (cleaned, "" for the root) O_RDONLY, creating missing
  // directories (0755, owned by the caller) when create is set. Symlinks on
  // the way are followed only while they stay inside the layer.
  // extra_flags: e.g. O_NOFOLLOW to refuse a symlink as the last component.
  Result<unique_fd> OpenDir(const std::string& rel, bool create, int extra_flags = 0);
  // As OpenDir(rel, true) but remembers the last directory, as tars list
  // siblings together; Forget() after anything that could replace a dir.
  // The fd stays open (and valid for the caller) until the next ParentDir.
  Result<int> ParentDir(const std::string& rel);
  void Forget() { cached_valid_ = false; }
  int fd() const { return root_; }

 private:
  int root_;
  unique_fd cached_;
  std::string cached_path_;
  bool cached_valid_ = false;
};

}  // namespace berth::layer
