#include "base/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

namespace berth::fs {

Result<unique_fd> Open(const std::string& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return Error::Sys("open " + path);
  return unique_fd(fd);
}

Result<std::string> ReadFd(int fd) {
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("read");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + path);
  unique_fd guard(fd);
  return ReadFd(fd).Context("read " + path);
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("write");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

Status SyncFs(const std::string& path) {
  unique_fd fd = BERTH_TRY(Open(path, O_RDONLY | O_DIRECTORY));
  if (::syncfs(fd.get()) < 0) return Error::Sys("syncfs " + path);
  return Ok();
}

void StartWriteback(int fd, off_t off, off_t len) {
  (void)::sync_file_range(fd, off, len, SYNC_FILE_RANGE_WRITE);
}

Status WriteFile(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + path);
  unique_fd guard(fd);
  // cgroupfs and procfs want one write() per value.
  ssize_t n;
  do {
    n = ::write(fd, data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::Sys("write " + path);
  if (static_cast<size_t>(n) != data.size())
    return Error(Code::kInternal, "write " + path + ": short write");
  return Ok();
}

Status AtomicWrite(const std::string& path, std::string_view data, mode_t mode, bool sync) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Error::Sys("create " + tmp);
  unique_fd guard(fd);
  if (auto st = WriteAll(fd, data); !st.ok()) {
    ::unlink(tmp.c_str());
    return std::move(st).error().Context("write " + tmp);
  }
  if (sync && ::fsync(fd) < 0) {
    Error e = Error::Sys("fsync " + tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  guard.reset();
  if (::rename(tmp.c_str(), path.c_str()) < 0) {
    Error e = Error::Sys("rename " + tmp + " to " + path);
    ::unlink(tmp.c_str());
    return e;
  }
  if (sync) {
    int dfd = ::open(Dirname(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  return Ok();
}

Status MkdirAll(const std::string& path, mode_t mode) {
  if (path.empty()) return Ok();
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Ok();
    return Error(Code::kAlreadyExists, "mkdir " + path + ": exists and is not a directory",
                 ENOTDIR);
  }
  std::string parent = Dirname(path);
  if (parent != path) BERTH_TRY(MkdirAll(parent, mode));
  if (::mkdir(path.c_str(), mode) < 0 && errno != EEXIST) return Error::Sys("mkdir " + path);
  return Ok();
}

static Status RemoveAt(int dirfd, const char* name, const std::string& shown) {
  if (::unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return Ok();
  if (errno != EISDIR && errno != EPERM) return Error::Sys("unlink " + shown);
  int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + shown);
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return Error::Sys("fdopendir " + shown);
  }
  Status st;
  while (struct dirent* de = ::readdir(dir)) {
    if (!std::strcmp(de->d_name, ".") || !std::strcmp(de->d_name, "..")) continue;
    st = RemoveAt(::dirfd(dir), de->d_name, shown + "/" + de->d_name);
    if (!st.ok()) break;
  }
  ::closedir(dir);
  if (!st.ok()) return st;
  if (::unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return Error::Sys("rmdir " + shown);
  return Ok();
}

Status RemoveAll(const std::string& path) { return RemoveAt(AT_FDCWD, path.c_str(), path); }

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Sorted bytewise, so walks (build contexts, COPY layers) are deterministic.
Result<std::vector<std::string>> ListDir(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return Error::Sys("opendir " + path);
  std::vector<std::string> names;
  while (struct dirent* de = ::readdir(dir)) {
    if (!std::strcmp(de->d_name, ".") || !std::strcmp(de->d_name, "..")) continue;
    names.emplace_back(de->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

int64_t DirSize(const std::string& path) {
  int64_t total = 0;
  std::set<std::pair<dev_t, ino_t>> linked;  // hard-linked inodes counted
  std::vector<std::string> stack{path};
  while (!stack.empty()) {
    std::string d = std::move(stack.back());
    stack.pop_back();
    DIR* dir = ::opendir(d.c_str());
    if (!dir) continue;
    while (struct dirent* de = ::readdir(dir)) {
      if (!std::strcmp(de->d_name, ".") || !std::strcmp(de->d_name, "..")) continue;
      struct stat st {};
      if (::fstatat(::dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
      if (S_ISDIR(st.st_mode)) {
        stack.push_back(Join(d, de->d_name));
        continue;
      }
      if (st.st_nlink > 1 && !linked.insert({st.st_dev, st.st_ino}).second) continue;
      total += st.st_size;
    }
    ::closedir(dir);
  }
  return total;
}

std::string Join(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out(a);
  if (out.back() != '/') out += '/';
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  out += b;
  return out;
}

std::string Dirname(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t pos = path.rfind('/');
  if (pos == std::string_view::npos) return ".";
  if (pos == 0) return "/";
  return std::string(path.substr(0, pos));
}

std::string Basename(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t pos = path.rfind('/');
  if (pos == std::string_view::npos) return std::string(path);
  return std::string(path.substr(pos + 1));
}

std::string Clean(std::string_view path) {
  bool abs = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part.empty() || part == ".") {
    } else if (part == "..") {
      if (!parts.empty() && parts.back() != "..") parts.pop_back();
      else if (!abs) parts.push_back(part);
    } else {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out = abs ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out += '/';
    out += parts[k];
  }
  if (out.empty()) out = ".";
  return out;
}

Result<unique_fd> OpenBeneath(int dirfd, const std::string& rel, int flags,
                              const std::string& what, mode_t mode) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const std::string path = rel.empty() ? "." : rel;
  for (;;) {
    long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    if (fd >= 0) return unique_fd(static_cast<int>(fd));
    if (errno != EINTR && errno != EAGAIN) return Error::Sys("open " + path + " in " + what);
  }
}

Result<std::string> Absolute(const std::string& path) {
  if (!path.empty() && path.front() == '/') return Clean(path);
  char buf[PATH_MAX];
  if (!::getcwd(buf, sizeof buf)) return Error::Sys("getcwd");
  return Clean(Join(buf, path));
}

}  // namespace berth::fs
