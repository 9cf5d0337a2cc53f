#include "image/layer/tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace berth::layer {
namespace {

int OpenBeneath(int dirfd, const std::string& path, int flags) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != EINTR && errno != EAGAIN) return -1;
  }
}

Error ResolveError(const std::string& path, int err) {
  if (err == EXDEV)
    return Error(Code::kPermissionDenied,
                 "open " + path + ": a symlink on the way leads outside the layer", err);
  if (err == ELOOP) return Error::Sys("open " + path + " (symlink loop)", err);
  return Error::Sys("open " + path, err);
}

}  // namespace

Result<std::string> CleanEntryName(std::string_view name) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= name.size()) {
    size_t j = name.find('/', i);
    if (j == std::string_view::npos) j = name.size();
    std::string_view part = name.substr(i, j - i);
    if (part == "..") {
      if (parts.empty())
        return Error::Invalid("entry \"" + std::string(name) +
                              "\": path climbs out of the layer with \"..\"");
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

std::pair<std::string, std::string> SplitParent(const std::string& path) {
  size_t pos = path.rfind('/');
  if (pos == std::string::npos) return {"", path};
  return {path.substr(0, pos), path.substr(pos + 1)};
}

std::string FdPath(int dirfd, const std::string& name) {
  return "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
}

Result<size_t> SyncTree(int dirfd, const std::string& name) {
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + name + " to sync it");
  unique_fd owned(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Error::Sys("stat " + name);
  size_t n = 1;
  if (S_ISDIR(st.st_mode)) {
    int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0) return Error::Sys("dup " + name);
    DIR* dir = ::fdopendir(dup);
    if (!dir) {
      ::close(dup);
      return Error::Sys("opendir " + name);
    }
    std::vector<std::string> children;
    while (struct dirent* de = ::readdir(dir)) {
      std::string_view c = de->d_name;
      if (c == "." || c == "..") continue;
      if (de->d_type == DT_DIR || de->d_type == DT_REG || de->d_type == DT_UNKNOWN)
        children.emplace_back(c);
    }
    ::closedir(dir);
    for (const std::string& c : children) {
      struct stat cst;
      if (::fstatat(fd, c.c_str(), &cst, AT_SYMLINK_NOFOLLOW) != 0) return Error::Sys("stat " + c);
      if (!S_ISDIR(cst.st_mode) && !S_ISREG(cst.st_mode)) continue;
      n += BERTH_TRY(SyncTree(fd, c).Context(name));
    }
  }
  if (::fsync(fd) != 0) return Error::Sys("fsync " + name);
  return n;
}

Status RemoveTree(int dirfd, const std::string& name) {
  if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return Ok();
  if (errno != EISDIR && errno != EPERM) return Error::Sys("unlink " + name);
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + name);
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return Error::Sys("fdopendir " + name);
  }
  Status st;
  while (struct dirent* de = ::readdir(dir)) {
    if (!std::strcmp(de->d_name, ".") || !std::strcmp(de->d_name, "..")) continue;
    st = RemoveTree(::dirfd(dir), de->d_name).Context(name);
    if (!st.ok()) break;
  }
  ::closedir(dir);
  if (!st.ok()) return st;
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    return Error::Sys("rmdir " + name);
  return Ok();
}

Result<unique_fd> LayerRoot::OpenDir(const std::string& rel, bool create, int extra_flags) {
  const int kFlags = O_RDONLY | O_DIRECTORY | extra_flags;
  int fd = OpenBeneath(root_, rel.empty() ? "." : rel, kFlags);
  if (fd >= 0) return unique_fd(fd);
  if (errno != ENOENT || !create) return ResolveError(rel, errno);
  // Walk down, creating what is missing. Each prefix is resolved from the
  // root again, so a relative symlink inside the layer still works.
  unique_fd cur(OpenBeneath(root_, ".", O_RDONLY | O_DIRECTORY));
  if (!cur) return ResolveError(".", errno);
  size_t pos = 0;
  while (pos <= rel.size()) {
    size_t end = rel.find('/', pos);
    if (end == std::string::npos) end = rel.size();
    std::string prefix = rel.substr(0, end);
    std::string part = rel.substr(pos, end - pos);
    fd = OpenBeneath(root_, prefix, kFlags);
    if (fd < 0 && errno == ENOENT) {
      bool made = ::mkdirat(cur.get(), part.c_str(), 0755) == 0;
      if (!made && errno != EEXIST) return Error::Sys("mkdir " + prefix);
      fd = OpenBeneath(root_, prefix, kFlags);
      if (made && fd >= 0 && ::fchmod(fd, 0755) < 0) {
        ::close(fd);
        return Error::Sys("chmod " + prefix);
      }
    }
    if (fd < 0) return ResolveError(prefix, errno);
    cur.reset(fd);
    pos = end + 1;
  }
  return cur;
}

Result<int> LayerRoot::ParentDir(const std::string& rel) {
  if (cached_valid_ && cached_path_ == rel) return cached_.get();
  cached_valid_ = false;
  cached_ = BERTH_TRY(OpenDir(rel, true));
  cached_path_ = rel;
  cached_valid_ = true;
  return cached_.get();
}

}  // namespace berth::layer
