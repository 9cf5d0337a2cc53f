// Pack: directory walk (sorted, depth first) → libarchive's PAX writer →
// Compressor (hashes the tar, compresses, hashes again) → out_fd.
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "base/log.h"
#include "base/unique_fd.h"
#include "image/layer/extract.h"
#include "image/layer/layer.h"
#include "image/layer/stream.h"
#include "image/layer/tree.h"

namespace berth::layer {
namespace {

constexpr size_t kReadBufSize = 1024 * 1024;

struct Sink {
  Compressor* out = nullptr;
  std::optional<Error> error;
};

la_ssize_t WriteCallback(struct archive* a, void* opaque, const void* buf, size_t n) {
  auto* sink = static_cast<Sink*>(opaque);
  if (auto st = sink->out->Write(buf, n); !st.ok()) {
    sink->error = std::move(st).error();
    archive_set_error(a, EIO, "%s", sink->error->message().c_str());
    return -1;
  }
  return static_cast<la_ssize_t>(n);
}

struct WriterDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<struct archive_entry, EntryDeleter>;

using Xattr = std::pair<std::string, std::string>;

// The xattrs of name in dirfd (not following symlinks), sorted by name.
Result<std::vector<Xattr>> ReadXattrs(int dirfd, const std::string& name, const std::string& rel) {
  std::string p = FdPath(dirfd, name);
  std::vector<Xattr> out;
  ssize_t len = ::llistxattr(p.c_str(), nullptr, 0);
  if (len < 0) {
    if (errno == ENOTSUP) return out;
    return Error::Sys("listxattr " + rel);
  }
  std::string names(static_cast<size_t>(len), '\0');
  len = ::llistxattr(p.c_str(), names.data(), names.size());
  if (len < 0) return Error::Sys("listxattr " + rel);
  names.resize(static_cast<size_t>(len));
  for (size_t i = 0; i < names.size();) {
    std::string key(names.c_str() + i);
    i += key.size() + 1;
    if (key.empty()) continue;
    ssize_t vlen = ::lgetxattr(p.c_str(), key.c_str(), nullptr, 0);
    if (vlen < 0) {
      if (errno == ENODATA) continue;  // removed meanwhile
      return Error::Sys("getxattr " + key + " of " + rel);
    }
    std::string value(static_cast<size_t>(vlen), '\0');
    vlen = ::lgetxattr(p.c_str(), key.c_str(), value.data(), value.size());
    if (vlen < 0) return Error::Sys("getxattr " + key + " of " + rel);
    value.resize(static_cast<size_t>(vlen));
    out.emplace_back(std::move(key), std::move(value));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<std::string>> SortedNames(int dirfd, const std::string& rel) {
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + rel);
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return Error::Sys("fdopendir " + rel);
  }
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* de = ::readdir(dir)) {
    if (!std::strcmp(de->d_name, ".") || !std::strcmp(de->d_name, "..")) continue;
    names.emplace_back(de->d_name);
  }
  int err = errno;
  ::closedir(dir);
  if (err) return Error::Sys("readdir " + rel, err);
  std::sort(names.begin(), names.end());
  return names;
}

class Packer {
 public:
  Packer(struct archive* a, const Sink& sink, const PackOptions& options)
      : a_(a), sink_(sink), buf_(kReadBufSize) {
    for (const std::string& x : options.exclude) {
      auto clean = CleanEntryName(x);
      if (clean.ok() && !clean->empty()) exclude_.insert(*clean);
    }
  }

  // Writes the entries below dirfd (rel is its path in the tar, "" for the
  // root, which itself is not written).
  Status Walk(int dirfd, const std::string& rel) {
    std::vector<std::string> names = BERTH_TRY(SortedNames(dirfd, rel.empty() ? "." : rel));
    for (const std::string& name : names) {
      std::string child = rel.empty() ? name : rel + "/" + name;
      if (exclude_.count(child)) continue;
      BERTH_TRY(Entry(dirfd, name, child));
    }
    return Ok();
  }

  // Writes the entry name of dirfd (and what is below it) as rel.
  Status One(int dirfd, const std::string& name, const std::string& rel) {
    return Entry(dirfd, name, rel);
  }

 private:
  Status Entry(int dirfd, const std::string& name, const std::string& rel) {
    struct stat st;
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
      return Error::Sys("stat " + rel);
    if (S_ISSOCK(st.st_mode)) {
      log::Debug("layer: skipping socket {}", rel);
      return Ok();
    }
    EntryPtr e(archive_entry_new());
    archive_entry_set_uid(e.get(), st.st_uid);
    archive_entry_set_gid(e.get(), st.st_gid);
    archive_entry_set_mtime(e.get(), st.st_mtim.tv_sec, 0);
    archive_entry_set_perm(e.get(), st.st_mode & 07777);

    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
      // Overlay whiteout → `.wh.NAME`, an empty regular file, as Docker.
      auto [dir, base] = SplitParent(rel);
      archive_entry_set_pathname(
          e.get(), ((dir.empty() ? dir : dir + "/") + kWhiteoutPrefix + base).c_str());
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_perm(e.get(), 0600);
      archive_entry_set_size(e.get(), 0);
      return WriteHeader(e.get(), rel);
    }

    bool opaque = false;
    for (auto& [key, value] : BERTH_TRY(ReadXattrs(dirfd, name, rel))) {
      if (key.rfind(kOverlayXattrPrefix, 0) == 0) {
        if (key == kOpaqueXattr && value == "y" && S_ISDIR(st.st_mode)) opaque = true;
        continue;  // overlay's own bookkeeping is not content
      }
      if (key == "security.selinux") continue;  // the host's label, not the image's
      archive_entry_xattr_add_entry(e.get(), key.c_str(), value.data(), value.size());
    }

    if (S_ISDIR(st.st_mode)) {
      archive_entry_set_pathname(e.get(), (rel + "/").c_str());
      archive_entry_set_filetype(e.get(), AE_IFDIR);
      BERTH_TRY(WriteHeader(e.get(), rel));
      if (opaque) {
        EntryPtr wo(archive_entry_new());
        archive_entry_set_pathname(wo.get(), (rel + "/" + kWhiteoutOpaque).c_str());
        archive_entry_set_filetype(wo.get(), AE_IFREG);
        archive_entry_set_perm(wo.get(), st.st_mode & 0777);
        archive_entry_set_uid(wo.get(), st.st_uid);
        archive_entry_set_gid(wo.get(), st.st_gid);
        archive_entry_set_mtime(wo.get(), st.st_mtim.tv_sec, 0);
        archive_entry_set_size(wo.get(), 0);
        BERTH_TRY(WriteHeader(wo.get(), rel + "/" + kWhiteoutOpaque));
      }
      int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return Error::Sys("open " + rel);
      unique_fd guard(fd);
      return Walk(fd, rel);
    }

    archive_entry_set_pathname(e.get(), rel.c_str());
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(dirfd, name.c_str(), target.data(), target.size());
      if (n < 0) return Error::Sys("readlink " + rel);
      target.resize(static_cast<size_t>(n));
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      archive_entry_set_symlink(e.get(), target.c_str());
      return WriteHeader(e.get(), rel);
    }
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
      archive_entry_set_filetype(e.get(), st.st_mode & S_IFMT);
      archive_entry_set_rdevmajor(e.get(), major(st.st_rdev));
      archive_entry_set_rdevminor(e.get(), minor(st.st_rdev));
      return WriteHeader(e.get(), rel);
    }
    if (!S_ISREG(st.st_mode)) return Error::Invalid(rel + ": unsupported file type");

    archive_entry_set_filetype(e.get(), AE_IFREG);
    if (st.st_nlink > 1) {
      auto [it, first] = links_.emplace(std::make_pair(st.st_dev, st.st_ino), rel);
      if (!first) {
        archive_entry_set_hardlink(e.get(), it->second.c_str());
        archive_entry_set_size(e.get(), 0);
        return WriteHeader(e.get(), rel);
      }
    }
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Error::Sys("open " + rel);
    unique_fd guard(fd);
    archive_entry_set_size(e.get(), st.st_size);
    BERTH_TRY(WriteHeader(e.get(), rel));
    // A file that shrinks meanwhile is padded with zeros by libarchive, one
    // that grows is cut at the size in the header: the tar stays well formed.
    int64_t left = st.st_size;
    while (left > 0) {
      ssize_t n = ::read(fd, buf_.data(), std::min<int64_t>(left, buf_.size()));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error::Sys("read " + rel);
      }
      if (n == 0) break;
      if (archive_write_data(a_, buf_.data(), static_cast<size_t>(n)) < 0)
        return Failure("write data of " + rel);
      left -= n;
    }
    return Ok();
  }

  Status WriteHeader(struct archive_entry* e, const std::string& rel) {
    int r = archive_write_header(a_, e);
    if (r == ARCHIVE_WARN) {
      log::Warn("layer: tar header of {}: {}", rel, archive_error_string(a_));
    } else if (r != ARCHIVE_OK) {
      return Failure("write tar header of " + rel);
    }
    return Ok();
  }

  Error Failure(const std::string& what) {
    if (sink_.error) return Error(*sink_.error).Context(what);
    const char* msg = archive_error_string(a_);
    return Error::Internal(what + ": " + (msg ? msg : "libarchive error"));
  }

  struct archive* a_;
  const Sink& sink_;
  std::vector<char> buf_;
  std::set<std::string> exclude_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

}  // namespace

Result<PackResult> Pack(const std::string& dir, int out_fd, const PackOptions& options) {
  std::string what = "pack layer from " + dir;
  int root = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return Error::Sys(what + ": open " + dir);
  unique_fd root_fd(root);

  Compressor out(out_fd, options.compression, options.level);
  BERTH_TRY_CTX(out.Init(), what);
  Sink sink{&out, std::nullopt};
  std::unique_ptr<struct archive, WriterDeleter> a(archive_write_new());
  if (!a) return Error::Internal(what + ": archive_write_new failed");
  // PAX restricted: plain ustar headers, extended records only when a field
  // does not fit (long names, big ids, xattrs), as Go's archive/tar does.
  // No blocking: the stream ends right after the two zero blocks, as Docker's.
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(a.get(), 0) != ARCHIVE_OK)
    return Error::Internal(what + ": " + archive_error_string(a.get()));
  // Xattrs as SCHILY.xattr.* only, as Docker writes them. A libarchive that
  // lacks this option writes LIBARCHIVE.xattr.* records as well, which Go's
  // archive/tar ignores and GNU tar warns about.
  (void)archive_write_set_options(a.get(), "pax:xattrheader=SCHILY");
  if (archive_write_open(a.get(), &sink, nullptr, WriteCallback, nullptr) != ARCHIVE_OK)
    return Error::Internal(what + ": " + archive_error_string(a.get()));

  Packer packer(a.get(), sink, options);
  if (options.single.empty()) {
    BERTH_TRY_CTX(packer.Walk(root, ""), what);
  } else {
    const std::string& as = options.rename.empty() ? options.single : options.rename;
    BERTH_TRY_CTX(packer.One(root, options.single, as), what);
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    if (sink.error) return Error(*sink.error).Context(what);
    return Error::Internal(what + ": close tar: " + archive_error_string(a.get()));
  }
  BERTH_TRY_CTX(out.Finish(), what);

  PackResult r;
  r.uncompressed_size = out.plain().size();
  r.diff_id = out.plain().Final();
  r.size = out.raw().size();
  r.digest = out.raw().Final();
  return r;
}

}  // namespace berth::layer
