#include "runtime/rootfs/copy_up.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/unique_fd.h"

namespace berth::rootfs {
namespace {

Status CopyFile(int from_dir, int to_dir, const char* name, const struct stat& st,
                const std::string& display) {
  int in = ::openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0) return Error::Sys("open " + display + " (source)");
  unique_fd in_guard(in);
  int out = ::openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     st.st_mode & 07777);
  if (out < 0) return Error::Sys("create " + display);
  unique_fd out_guard(out);
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Sys("read " + display + " (source)");
    if (n == 0) return Ok();
    BERTH_TRY_CTX(fs::WriteAll(out, std::string_view(buf, static_cast<size_t>(n))), display);
  }
}

Status CopyEntry(int from_dir, int to_dir, const char* name, const std::string& display) {
  struct stat st;
  if (::fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return Error::Sys("stat " + display + " (source)");
  if (S_ISDIR(st.st_mode)) {
    if (::mkdirat(to_dir, name, 0700) != 0) return Error::Sys("mkdir " + display);
    int from = ::openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (from < 0) return Error::Sys("open " + display + " (source)");
    unique_fd from_guard(from);
    int to = ::openat(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (to < 0) return Error::Sys("open " + display);
    unique_fd to_guard(to);
    BERTH_TRY(CopyTree(from, to, display));
  } else if (S_ISREG(st.st_mode)) {
    BERTH_TRY(CopyFile(from_dir, to_dir, name, st, display));
  } else if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = ::readlinkat(from_dir, name, target, sizeof target - 1);
    if (n < 0) return Error::Sys("readlink " + display + " (source)");
    target[n] = '\0';
    if (::symlinkat(target, to_dir, name) != 0) return Error::Sys("symlink " + display);
  } else if (::mknodat(to_dir, name, st.st_mode, st.st_rdev) != 0) {
    return Error::Sys("mknod " + display);
  }
  if (::fchownat(to_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
    return Error::Sys("chown " + display);
  if (!S_ISLNK(st.st_mode) && ::fchmodat(to_dir, name, st.st_mode & 07777, 0) != 0)
    return Error::Sys("chmod " + display);
  return Ok();
}

}  // namespace

Status CopyTree(int from_dir, int to_dir, const std::string& display) {
  int dup = ::fcntl(from_dir, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return Error::Sys("dup");
  DIR* dir = ::fdopendir(dup);
  if (dir == nullptr) {
    ::close(dup);
    return Error::Sys("opendir " + display + " (source)");
  }
  ::rewinddir(dir);
  Status status;
  while (struct dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    status = CopyEntry(from_dir, to_dir, e->d_name, display + "/" + name);
    if (!status.ok()) break;
  }
  ::closedir(dir);
  return status;
}

Status CopyOwnerAndMode(int from_dir, int to_dir, const std::string& display) {
  struct stat st;
  if (::fstat(from_dir, &st) != 0) return Error::Sys("stat " + display + " (source)");
  if (::fchown(to_dir, st.st_uid, st.st_gid) != 0) return Error::Sys("chown " + display);
  if (::fchmod(to_dir, st.st_mode & 07777) != 0) return Error::Sys("chmod " + display);
  return Ok();
}

}  // namespace berth::rootfs
