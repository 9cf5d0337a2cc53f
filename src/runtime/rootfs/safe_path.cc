#include "runtime/rootfs/safe_path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/strings.h"

namespace berth::rootfs {
namespace {

constexpr int kMaxSymlinks = 40;  // as the kernel's MAXSYMLINKS

int OpenAt2(int dirfd, const std::string& path, int flags, mode_t mode, uint64_t resolve) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = resolve;
  for (;;) {
    long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != EINTR && errno != EAGAIN) return -1;
  }
}

std::string Relative(const std::vector<std::string>& parts) {
  return parts.empty() ? std::string(".") : str::Join(parts, "/");
}

}  // namespace

std::vector<std::string> Components(std::string_view path) {
  std::vector<std::string> out;
  for (std::string& part : str::Split(path, '/'))
    if (!part.empty() && part != ".") out.push_back(std::move(part));
  return out;
}

std::string FdPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Result<RootDir> RootDir::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open rootfs " + path);
  return RootDir(unique_fd(fd), path);
}

std::string RootDir::Display(std::string_view inner) const {
  std::string clean = fs::Clean("/" + std::string(inner));
  return clean == "/" ? path_ : fs::Clean(path_ + clean);
}

Result<unique_fd> RootDir::OpenIn(std::string_view inner, int flags, mode_t mode) const {
  int fd = OpenAt2(fd_.get(), Relative(Components(inner)), flags, mode,
                   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (fd < 0) return Error::Sys("openat2 " + Display(inner));
  return unique_fd(fd);
}

Result<unique_fd> RootDir::MkdirAll(std::string_view inner, mode_t mode) const {
  std::vector<std::string> todo = Components(inner);
  std::vector<std::string> done;
  unique_fd cur = BERTH_TRY(OpenIn(".", O_PATH | O_DIRECTORY));
  int links = 0;
  int retries = 0;
  size_t i = 0;
  while (i < todo.size()) {
    done.push_back(todo[i]);
    int fd = OpenAt2(fd_.get(), Relative(done), O_PATH | O_DIRECTORY, 0,
                     RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (fd >= 0) {
      cur.reset(fd);
      ++i;
      continue;
    }
    done.pop_back();
    if (errno != ENOENT) return Error::Sys("openat2 " + Display(Relative(todo)));
    // todo[i] is missing in cur, or a symlink whose target is missing.
    const std::string& name = todo[i];
    if (::mkdirat(cur.get(), name.c_str(), mode) == 0) continue;
    if (errno != EEXIST)
      return Error::Sys("mkdir " + Display(Relative(done) + "/" + name));
    char target[4096];
    ssize_t n = ::readlinkat(cur.get(), name.c_str(), target, sizeof target - 1);
    if (n < 0) {
      // Created by someone else in between: look again, a few times.
      if (++retries > 8) return Error::Sys("mkdir " + Display(Relative(done) + "/" + name));
      continue;
    }
    if (++links > kMaxSymlinks)
      return Error::Sys("mkdir " + Display(Relative(todo)), ELOOP);
    // Dangling symlink: splice its target into the path and start over from
    // the root, which RESOLVE_IN_ROOT treats as "/".
    std::string_view link(target, static_cast<size_t>(n));
    std::vector<std::string> next = str::StartsWith(link, "/") ? std::vector<std::string>{} : done;
    for (std::string& part : Components(link)) next.push_back(std::move(part));
    next.insert(next.end(), todo.begin() + static_cast<long>(i) + 1, todo.end());
    todo = std::move(next);
    done.clear();
    cur = BERTH_TRY(OpenIn(".", O_PATH | O_DIRECTORY));
    i = 0;
  }
  return cur;
}

Result<unique_fd> RootDir::CreateFile(std::string_view inner, mode_t mode) const {
  std::string path = fs::Clean("/" + std::string(inner));
  for (int links = 0; links <= kMaxSymlinks; ++links) {
    auto existing = OpenIn(path, O_PATH);
    if (existing.ok() || existing.error().err() != ENOENT) return existing;
    auto [dir, name] = BERTH_TRY(Parent(path));
    int fd = ::openat(dir.get(), name.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      mode);
    if (fd >= 0) {
      ::close(fd);
      return OpenIn(path, O_PATH);
    }
    if (errno != EEXIST) return Error::Sys("create " + Display(path));
    // A dangling symlink: create its target instead, inside the root.
    char target[4096];
    ssize_t n = ::readlinkat(dir.get(), name.c_str(), target, sizeof target - 1);
    if (n < 0) continue;  // created by someone else in between: look again
    std::string_view link(target, static_cast<size_t>(n));
    // Not cleaned lexically: ".." after a symlinked directory is for
    // openat2 to resolve.
    path = str::StartsWith(link, "/") ? std::string(link)
                                      : fs::Dirname(path) + "/" + std::string(link);
  }
  return Error::Sys("create " + Display(inner), ELOOP);
}

Result<std::pair<unique_fd, std::string>> RootDir::Parent(std::string_view inner) const {
  std::vector<std::string> parts = Components(inner);
  if (parts.empty()) return Error::Invalid("no parent for " + Display(inner));
  std::string name = parts.back();
  parts.pop_back();
  unique_fd dir = BERTH_TRY(MkdirAll(Relative(parts)));
  return std::make_pair(std::move(dir), std::move(name));
}

}  // namespace berth::rootfs
