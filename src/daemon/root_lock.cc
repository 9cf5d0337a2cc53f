#include "daemon/root_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/strings.h"

namespace berth::daemon {

Result<RootLock> RootLock::Acquire(const std::string& root, std::string_view what) {
  BERTH_TRY_CTX(fs::MkdirAll(root, 0711), fmt::format("create {} {}", what, root));
  std::string path = fs::Join(root, "berthd.lock");
  unique_fd fd = BERTH_TRY(fs::Open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return Error::Sys("flock " + path);
    std::string pid = "unknown";
    if (auto text = fs::ReadFd(fd.get()); text.ok() && !str::Trim(*text).empty())
      pid = std::string(str::Trim(*text));
    return Error(Code::kConflict,
                 fmt::format("berthd is already running with {} {} (pid {})", what, root, pid));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) != 0) return Error::Sys("truncate " + path);
  if (::pwrite(fd.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
    return Error::Sys("write " + path);
  return RootLock(std::move(fd));
}

Status WritePidfile(const std::string& path) {
  BERTH_TRY(fs::MkdirAll(fs::Dirname(path), 0755));
  return fs::AtomicWrite(path, std::to_string(::getpid()) + "\n", 0644, /*sync=*/false)
      .Context("write pidfile");
}

void RemovePidfile(const std::string& path) { (void)::unlink(path.c_str()); }

}  // namespace berth::daemon
