// Small file-system helpers with errors that name the path and the call.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::fs {

Result<std::string> ReadFile(const std::string& path);
Result<std::string> ReadFd(int fd);
// Writes data to an existing file (O_WRONLY|O_TRUNC), e.g. cgroupfs and /proc.
Status WriteFile(const std::string& path, std::string_view data);
// Writes data to a new file: tmp file + fsync + rename, so readers see either
// the old content or the new, never a part.
Status AtomicWrite(const std::string& path, std::string_view data, mode_t mode = 0644,
                   bool sync = true);
Status WriteAll(int fd, std::string_view data);

// syncfs(2) of the filesystem that holds path: every file and directory
// written there so far is on disk when it returns.
Status SyncFs(const std::string& path);
// Starts writing [off, off+len) of fd to disk without waiting for it
// (sync_file_range SYNC_FILE_RANGE_WRITE), so a later fsync or syncfs has
// little left to do; best effort, errors are ignored.
void StartWriteback(int fd, off_t off, off_t len);

Status MkdirAll(const std::string& path, mode_t mode = 0755);
// Removes path and everything under it; a missing path is not an error.
Status RemoveAll(const std::string& path);
bool Exists(const std::string& path);
bool IsDir(const std::string& path);

Result<unique_fd> Open(const std::string& path, int flags, mode_t mode = 0);
// openat2(2) of rel below dirfd with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS: no "..", absolute path or symlink may take it out
// of (or around inside) the directory. O_CLOEXEC is added; errors name what
// (the caller's description of dirfd) and rel.
Result<unique_fd> OpenBeneath(int dirfd, const std::string& rel, int flags,
                              const std::string& what, mode_t mode = 0);
Result<std::vector<std::string>> ListDir(const std::string& path);
// Bytes under path, as `docker system df` counts them: the sizes of every
// entry that is not a directory (files, symlinks), a hard-linked inode
// once; symlinks are not followed. Best effort: what cannot be read counts
// 0 (a missing path is 0).
int64_t DirSize(const std::string& path);

// Path helpers (lexical only).
std::string Join(std::string_view a, std::string_view b);
std::string Dirname(std::string_view path);
std::string Basename(std::string_view path);
// Lexically cleans a path: collapses //, removes . and resolves .. without
// going above the root ("/../a" -> "/a").
std::string Clean(std::string_view path);
Result<std::string> Absolute(const std::string& path);

}  // namespace berth::fs
