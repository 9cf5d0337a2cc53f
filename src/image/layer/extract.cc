#include "image/layer/extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>

#include "base/fs.h"
#include "base/log.h"
#include "base/unique_fd.h"

namespace berth::layer {
namespace {

// Early writeback (UnpackOptions::writeback): in steps of this many bytes,
// and for the rest of any file at least kWritebackMin long (smaller ones
// are left to the final sync).
constexpr int64_t kWritebackChunk = 8 << 20;
constexpr int64_t kWritebackMin = 256 << 10;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Result<uint32_t> MapId(int64_t id, const std::vector<IdMapping>& map, const char* what) {
  if (id < 0 || id > 0xfffffffeLL) return Error::Invalid(std::string("bad ") + what + " " + std::to_string(id));
  if (map.empty()) return static_cast<uint32_t>(id);
  for (const IdMapping& m : map) {
    if (id >= m.container_id && id - m.container_id < m.size)
      return static_cast<uint32_t>(m.host_id + (id - m.container_id));
  }
  return Error::Invalid(std::string(what) + " " + std::to_string(id) + " is not in the id mapping");
}

Status PwriteAll(int fd, const char* p, size_t n, off_t off, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("write " + path);
    }
    p += w;
    n -= static_cast<size_t>(w);
    off += w;
  }
  return Ok();
}

}  // namespace

Error ArchiveFailure(struct archive* a, const ArchiveSource& source, const std::string& what) {
  if (source.error) return Error(*source.error).Context(what);
  const char* msg = archive_error_string(a);
  int err = archive_errno(a);
  return Error(Code::kInvalidArgument,
               what + ": " + (msg ? msg : "malformed tar") +
                   (err > 0 && !msg ? std::string(": ") + std::strerror(err) : ""),
               err > 0 ? err : 0);
}

Result<Extractor::Meta> Extractor::ReadMeta(struct archive_entry* e) {
  Meta m;
  m.uid = BERTH_TRY(MapId(archive_entry_uid(e), options_.uid_map, "uid"));
  m.gid = BERTH_TRY(MapId(archive_entry_gid(e), options_.gid_map, "gid"));
  m.perm = archive_entry_perm(e) & 07777;
  m.times[1] = {archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
  if (archive_entry_atime_is_set(e))
    m.times[0] = {archive_entry_atime(e), archive_entry_atime_nsec(e)};
  else
    m.times[0] = m.times[1];
  return m;
}

Status Extractor::Apply(struct archive_entry* e) {
  const char* raw = archive_entry_pathname(e);
  if (!raw) return Error::Invalid("tar entry without a usable name");
  std::string shown = std::string("entry \"") + raw + "\"";
  std::string path = BERTH_TRY(CleanEntryName(raw));
  return ApplyAt(e, path).Context(shown);
}

Status Extractor::ApplyAt(struct archive_entry* e, const std::string& path) {
  Meta m = BERTH_TRY(ReadMeta(e));
  mode_t type = archive_entry_filetype(e);
  const char* hardlink = archive_entry_hardlink(e);
  if (path.empty()) {
    // "./": the layer root's own metadata.
    if (hardlink || type != AE_IFDIR) return Error::Invalid("a non-directory cannot replace the layer root");
    BERTH_TRY(FdMeta(root_.fd(), ".", e, m, false));
    dir_times_.push_back({"", {m.times[0], m.times[1]}});
    return Ok();
  }
  auto [dir, base] = SplitParent(path);
  int pfd = BERTH_TRY(root_.ParentDir(dir));
  if (StartsWith(base, kWhiteoutPrefix)) return Whiteout(pfd, dir, base, m);
  if (hardlink) return HardLink(pfd, base, path, hardlink);
  switch (type) {
    case AE_IFDIR: return Directory(pfd, base, path, e, m);
    case AE_IFREG: return RegularFile(pfd, base, path, e, m);
    case AE_IFLNK:
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO: return Special(pfd, base, path, e, m);
    case AE_IFSOCK:
      log::Debug("layer: skipping socket {}", path);
      return Ok();
    default:
      return Error::Invalid("unsupported entry type " + std::to_string(type));
  }
}

Status Extractor::Whiteout(int pfd, const std::string& dir, const std::string& base,
                           const Meta& m) {
  std::string shown = dir.empty() ? "." : dir;
  if (base == kWhiteoutOpaque) {
    if (::fsetxattr(pfd, kOpaqueXattr, "y", 1, 0) < 0)
      return Error::Sys(std::string("setxattr ") + kOpaqueXattr + " on " + shown);
    return Ok();
  }
  if (StartsWith(base, kWhiteoutMetaPrefix)) {
    log::Debug("layer: skipping whiteout metadata {}/{}", shown, base);
    return Ok();
  }
  std::string name = base.substr(std::strlen(kWhiteoutPrefix));
  std::string path = dir.empty() ? name : dir + "/" + name;
  if (name.empty() || name == "." || name == "..")
    return Error::Invalid("whiteout without a name");
  BERTH_TRY(Prepare(pfd, name, path, false));
  if (::mknodat(pfd, name.c_str(), S_IFCHR, makedev(0, 0)) < 0)
    return Error::Sys("mknod whiteout " + path);
  if (::fchownat(pfd, name.c_str(), m.uid, m.gid, AT_SYMLINK_NOFOLLOW) < 0)
    return Error::Sys("chown " + path);
  if (::fchmodat(pfd, name.c_str(), 0, 0) < 0) return Error::Sys("chmod " + path);
  return Ok();
}

Result<bool> Extractor::Prepare(int pfd, const std::string& base, const std::string& path,
                                bool is_dir) {
  struct stat st;
  if (::fstatat(pfd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return false;
    return Error::Sys("stat " + path);
  }
  if (is_dir && S_ISDIR(st.st_mode)) return true;
  // A later entry replaces an earlier one with the same name, as tar does.
  root_.Forget();
  BERTH_TRY_CTX(RemoveTree(pfd, base), "replace " + path);
  return false;
}

Status Extractor::Directory(int pfd, const std::string& base, const std::string& path,
                            struct archive_entry* e, const Meta& m) {
  bool kept = BERTH_TRY(Prepare(pfd, base, path, true));
  if (!kept && ::mkdirat(pfd, base.c_str(), 0700) < 0) return Error::Sys("mkdir " + path);
  int fd = ::openat(pfd, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + path);
  unique_fd guard(fd);
  BERTH_TRY(FdMeta(fd, path, e, m, false));
  dir_times_.push_back({path, {m.times[0], m.times[1]}});
  return Ok();
}

Status Extractor::RegularFile(int pfd, const std::string& base, const std::string& path,
                              struct archive_entry* e, const Meta& m) {
  BERTH_TRY(Prepare(pfd, base, path, false));
  int fd = ::openat(pfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Error::Sys("create " + path);
  unique_fd guard(fd);
  const void* buf;
  size_t size;
  la_int64_t offset;
  int64_t end = 0, written_back = 0;
  const bool writeback = options_.sync || options_.writeback;
  for (;;) {
    int r = archive_read_data_block(a_, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return ArchiveFailure(a_, source_, "read data of " + path);
    BERTH_TRY(PwriteAll(fd, static_cast<const char*>(buf), size, offset, path));
    end = offset + static_cast<int64_t>(size);
    if (writeback && end - written_back >= kWritebackChunk) {
      fs::StartWriteback(fd, written_back, end - written_back);
      written_back = end;
    }
  }
  if (writeback && end >= kWritebackMin && end > written_back)
    fs::StartWriteback(fd, written_back, end - written_back);
  // Sparse files end in a hole.
  if (archive_entry_size_is_set(e) && archive_entry_size(e) > end &&
      ::ftruncate(fd, archive_entry_size(e)) < 0)
    return Error::Sys("truncate " + path);
  return FdMeta(fd, path, e, m, true);
}

Status Extractor::HardLink(int pfd, const std::string& base, const std::string& path,
                           const char* target) {
  std::string clean = BERTH_TRY_CTX(CleanEntryName(target),
                                    std::string("hard link target \"") + target + "\"");
  if (clean.empty()) return Error::Invalid("hard link to the layer root");
  if (clean == path) return Ok();
  auto [tdir, tbase] = SplitParent(clean);
  unique_fd tfd = BERTH_TRY_CTX(root_.OpenDir(tdir, false), "hard link target " + clean);
  struct stat st;
  if (::fstatat(tfd.get(), tbase.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
    return Error::Sys("hard link target " + clean);
  if (S_ISDIR(st.st_mode)) return Error::Invalid("hard link target " + clean + " is a directory");
  BERTH_TRY(Prepare(pfd, base, path, false));
  // Flags 0: the target itself is linked, never what a symlink points to.
  if (::linkat(tfd.get(), tbase.c_str(), pfd, base.c_str(), 0) < 0)
    return Error::Sys("link " + path + " to " + clean);
  return Ok();
}

Status Extractor::Special(int pfd, const std::string& base, const std::string& path,
                          struct archive_entry* e, const Meta& m) {
  mode_t type = archive_entry_filetype(e);
  BERTH_TRY(Prepare(pfd, base, path, false));
  if (type == AE_IFLNK) {
    const char* target = archive_entry_symlink(e);
    if (!target) return Error::Invalid("symlink without a target");
    // The target is stored as it is: it is only followed inside a container,
    // or by our own resolution, which refuses to leave the layer.
    if (::symlinkat(target, pfd, base.c_str()) < 0) return Error::Sys("symlink " + path);
  } else {
    dev_t dev = 0;
    if (type == AE_IFCHR || type == AE_IFBLK)
      dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
    if (::mknodat(pfd, base.c_str(), type | 0600, dev) < 0) return Error::Sys("mknod " + path);
  }
  if (::fchownat(pfd, base.c_str(), m.uid, m.gid, AT_SYMLINK_NOFOLLOW) < 0)
    return Error::Sys("chown " + path);
  if (type != AE_IFLNK && ::fchmodat(pfd, base.c_str(), m.perm, 0) < 0)
    return Error::Sys("chmod " + path);
  BERTH_TRY(Xattrs(-1, pfd, base, path, e));
  if (::utimensat(pfd, base.c_str(), m.times, AT_SYMLINK_NOFOLLOW) < 0)
    return Error::Sys("set times of " + path);
  return Ok();
}

Status Extractor::FdMeta(int fd, const std::string& path, struct archive_entry* e, const Meta& m,
                         bool times) {
  // Order matters: chown clears setuid bits and security.capability.
  if (::fchown(fd, m.uid, m.gid) < 0) return Error::Sys("chown " + path);
  if (::fchmod(fd, m.perm) < 0) return Error::Sys("chmod " + path);
  BERTH_TRY(Xattrs(fd, -1, "", path, e));
  if (times && ::futimens(fd, m.times) < 0) return Error::Sys("set times of " + path);
  return Ok();
}

Status Extractor::Xattrs(int fd, int pfd, const std::string& base, const std::string& path,
                         struct archive_entry* e) {
  if (archive_entry_xattr_reset(e) == 0) return Ok();
  const char* name;
  const void* value;
  size_t size;
  std::string proc_path;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    if (StartsWith(name, kOverlayXattrPrefix)) {
      log::Debug("layer: ignoring xattr {} on {}", name, path);
      continue;
    }
    int r;
    if (fd >= 0) {
      r = ::fsetxattr(fd, name, value, size, 0);
    } else {
      if (proc_path.empty()) proc_path = FdPath(pfd, base);
      r = ::lsetxattr(proc_path.c_str(), name, value, size, 0);
    }
    if (r == 0) continue;
    // Docker skips what the file system cannot hold; so do we, and say so.
    if (errno == ENOTSUP || (errno == EPERM && StartsWith(name, "user."))) {
      log::Warn("layer: cannot set xattr {} on {}: {}", name, path, std::strerror(errno));
      continue;
    }
    return Error::Sys(std::string("setxattr ") + name + " on " + path);
  }
  return Ok();
}

Status Extractor::Finish() {
  for (const DirTime& d : dir_times_) {
    auto fd = root_.OpenDir(d.path, false, O_NOFOLLOW);
    if (!fd.ok()) {
      int err = fd.error().err();
      if (err == ENOENT || err == ENOTDIR || err == ELOOP || err == EXDEV) continue;  // replaced later
      return std::move(fd).error().Context("set times");
    }
    if (::futimens(fd->get(), d.times) < 0)
      return Error::Sys("set times of " + (d.path.empty() ? std::string(".") : d.path));
  }
  return Ok();
}

}  // namespace berth::layer
