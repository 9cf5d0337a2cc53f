// Copy-up of image content into a new volume (copy_up.h), with *at calls on
// held directory fds.
#include "volume/copy_up.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "base/fs.h"
#include "base/unique_fd.h"

namespace berth::volume {
namespace {

using Inode = std::pair<dev_t, ino_t>;

struct Copier {
  std::map<Inode, std::string> link_paths;              // inode → path relative to dst root
  int dst_root = -1;

  // xattrs of the entry at fd (O_PATH is not enough for flistxattr: use
  // the /proc path).
  static void CopyXattrs(const std::string& from, const std::string& to) {
    ssize_t n = llistxattr(from.c_str(), nullptr, 0);
    if (n <= 0) return;
    std::vector<char> names(static_cast<size_t>(n));
    n = llistxattr(from.c_str(), names.data(), names.size());
    for (ssize_t i = 0; i < n;) {
      const char* name = names.data() + i;
      i += static_cast<ssize_t>(strlen(name)) + 1;
      ssize_t len = lgetxattr(from.c_str(), name, nullptr, 0);
      if (len < 0) continue;
      std::vector<char> val(static_cast<size_t>(len));
      len = lgetxattr(from.c_str(), name, val.data(), val.size());
      if (len >= 0) (void)lsetxattr(to.c_str(), name, val.data(), static_cast<size_t>(len), 0);
    }
  }

  static std::string FdPath(int fd, const std::string& name) {
    return "/proc/self/fd/" + std::to_string(fd) + "/" + name;
  }

  static void Meta(int dst_dir, const std::string& name, const struct stat& st, bool is_link) {
    (void)fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    if (!is_link) (void)fchmodat(dst_dir, name.c_str(), st.st_mode & 07777, 0);
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    (void)utimensat(dst_dir, name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
  }

  // Makes room for name in dst_dir (left there by an interrupted copy):
  // a directory stays when a directory is wanted, anything else but a
  // directory is removed. *keep says the directory stays.
  static Status Clear(int dst_dir, const std::string& name, bool want_dir, const std::string& rel,
                      bool* keep) {
    *keep = false;
    struct stat st {};
    if (fstatat(dst_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return Ok();
    if (S_ISDIR(st.st_mode)) {
      if (want_dir) {
        *keep = true;
        return Ok();
      }
      return Error::Invalid("copy-up: " + rel + " is a directory in the volume");
    }
    if (unlinkat(dst_dir, name.c_str(), 0) < 0) return Error::Sys("copy-up: replace " + rel);
    return Ok();
  }

  Status CopyFile(int src_dir, int dst_dir, const std::string& name, const struct stat& st) {
    unique_fd in(openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in) return Error::Sys("copy-up: open " + name);
    unique_fd out(openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out) return Error::Sys("copy-up: create " + name);
    off_t left = st.st_size;
    while (left > 0) {
      ssize_t n = sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(std::min<off_t>(left, 1 << 30)));
      if (n < 0) return Error::Sys("copy-up: copy " + name);
      if (n == 0) break;
      left -= n;
    }
    return Ok();
  }

  Status Dir(int src_dir, int dst_dir, const std::string& rel) {
    unique_fd iter(openat(src_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!iter) return Error::Sys("copy-up: open " + rel);
    DIR* d = fdopendir(iter.get());
    if (!d) return Error::Sys("copy-up: read " + rel);
    (void)iter.release();
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
    for (const std::string& n : names) BERTH_TRY(Entry(src_dir, dst_dir, n, rel + "/" + n));
    return Ok();
  }

  Status Entry(int src_dir, int dst_dir, const std::string& name, const std::string& rel) {
    struct stat st {};
    if (fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
      return Error::Sys("copy-up: stat " + rel);
    Inode ino{st.st_dev, st.st_ino};
    bool keep_dir = false;
    BERTH_TRY(Clear(dst_dir, name, S_ISDIR(st.st_mode), rel, &keep_dir));
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
      if (auto it = link_paths.find(ino); it != link_paths.end()) {
        if (linkat(dst_root, it->second.c_str(), dst_dir, name.c_str(), 0) == 0) return Ok();
      }
    }
    bool is_link = false;
    if (S_ISDIR(st.st_mode)) {
      if (!keep_dir && mkdirat(dst_dir, name.c_str(), 0700) < 0)
        return Error::Sys("copy-up: mkdir " + rel);
      unique_fd s(openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      unique_fd t(openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!s || !t) return Error::Sys("copy-up: open " + rel);
      BERTH_TRY(Dir(s.get(), t.get(), rel));
    } else if (S_ISREG(st.st_mode)) {
      BERTH_TRY(CopyFile(src_dir, dst_dir, name, st));
    } else if (S_ISLNK(st.st_mode)) {
      std::vector<char> buf(static_cast<size_t>(st.st_size) + 1);
      ssize_t n = readlinkat(src_dir, name.c_str(), buf.data(), buf.size());
      if (n < 0) return Error::Sys("copy-up: readlink " + rel);
      std::string target(buf.data(), static_cast<size_t>(n));
      if (symlinkat(target.c_str(), dst_dir, name.c_str()) < 0)
        return Error::Sys("copy-up: symlink " + rel);
      is_link = true;
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode) ||
               S_ISSOCK(st.st_mode)) {
      if (mknodat(dst_dir, name.c_str(), st.st_mode, st.st_rdev) < 0)
        return Error::Sys("copy-up: mknod " + rel);
    }
    CopyXattrs(FdPath(src_dir, name), FdPath(dst_dir, name));
    Meta(dst_dir, name, st, is_link);
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) link_paths[ino] = rel.substr(1);
    return Ok();
  }
};

}  // namespace

bool IsEmptyDir(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (!d) return false;
  bool empty = true;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") empty = false;
  }
  closedir(d);
  return empty;
}

Status CopyTree(const std::string& src, const std::string& dst) {
  unique_fd s(open(src.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!s) return Ok();  // nothing at that path in the image (or not a directory)
  unique_fd t(open(dst.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!t) return Error::Sys("copy-up: open " + dst);
  Copier c;
  c.dst_root = t.get();
  BERTH_TRY(c.Dir(s.get(), t.get(), ""));
  struct stat st {};
  if (fstat(s.get(), &st) == 0) {
    (void)fchown(t.get(), st.st_uid, st.st_gid);
    (void)fchmod(t.get(), st.st_mode & 07777);
  }
  return Ok();
}

Status CopyUp(const std::string& src, const std::string& dst) {
  if (!IsEmptyDir(dst)) {
    if (!berth::fs::IsDir(dst)) return Error::Sys("copy-up: open " + dst, ENOENT);
    return Ok();
  }
  return CopyTree(src, dst);
}

}  // namespace berth::volume
