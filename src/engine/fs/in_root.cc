#include "engine/fs/in_root.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

#include "base/fs.h"

namespace berth::engine::fs {

Result<unique_fd> OpenInRoot(int root_fd, std::string_view path, int flags) {
  std::string rel(path);
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  if (rel.empty()) rel = ".";
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
    if (fd >= 0) return unique_fd(static_cast<int>(fd));
    if (errno == EINTR || errno == EAGAIN) continue;
    return Error::Sys("open /" + (rel == "." ? std::string() : rel) + " in the container");
  }
}

Result<unique_fd> OpenRoot(const std::string& merged_dir) {
  int fd = ::open(merged_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open container root " + merged_dir);
  return unique_fd(fd);
}

std::string ProcFdPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

namespace {

Result<std::string> FdTarget(int fd) {
  char buf[PATH_MAX + 1];
  ssize_t n = ::readlink(ProcFdPath(fd).c_str(), buf, PATH_MAX);
  if (n < 0) return Error::Sys("readlink " + ProcFdPath(fd));
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

Result<std::string> ContainerPathOf(int root_fd, int fd) {
  std::string root = BERTH_TRY(FdTarget(root_fd));
  std::string p = BERTH_TRY(FdTarget(fd));
  if (root == "/") return p;
  if (p == root) return std::string("/");
  if (p.size() > root.size() && p.compare(0, root.size(), root) == 0 && p[root.size()] == '/')
    return p.substr(root.size());
  return Error::Internal("resolved path " + p + " is outside the container root " + root);
}

std::string AbsPreserving(std::string_view path) {
  std::string abs = berth::fs::Clean("/" + std::string(path));
  auto base_is_dot = [](std::string_view p) {
    return p == "." || (p.size() >= 2 && p.substr(p.size() - 2) == "/.");
  };
  if (!base_is_dot(abs) && base_is_dot(path)) {
    if (abs.back() != '/') abs += '/';
    abs += '.';
  }
  if (abs.back() != '/' && !path.empty() && path.back() == '/') abs += '/';
  return abs;
}

std::string BaseOf(std::string_view abs) {
  std::string p(abs);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p == "/") return p;
  size_t pos = p.rfind('/');
  return pos == std::string::npos ? p : p.substr(pos + 1);
}

Result<Located> Locate(int root_fd, const std::string& abs) {
  size_t slash = abs.rfind('/');
  std::string dir = abs.substr(0, slash + 1);
  std::string base = abs.substr(slash + 1);
  Located out;
  if (!base.empty() && base != ".") {
    out.parent = BERTH_TRY(OpenInRoot(root_fd, dir, O_PATH | O_DIRECTORY));
    out.name = base;
    return out;
  }
  unique_fd self = BERTH_TRY(OpenInRoot(root_fd, dir, O_PATH | O_DIRECTORY));
  std::string real = BERTH_TRY(ContainerPathOf(root_fd, self.get()));
  if (real == "/") {
    out.root_dir = std::move(self);
    return out;
  }
  out.parent = BERTH_TRY(OpenInRoot(root_fd, berth::fs::Dirname(real), O_PATH | O_DIRECTORY));
  out.name = berth::fs::Basename(real);
  return out;
}

}  // namespace berth::engine::fs
