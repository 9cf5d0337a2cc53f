#include "build/context.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <optional>

#include "base/digest.h"
#include "base/fs.h"
#include "build/digest_cache.h"

namespace berth::build {
namespace {

struct ReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};

Error Fail(archive* a, const std::string& what) {
  const char* m = archive_error_string(a);
  return Error::Invalid("build context: " + what + ": " + (m ? m : "unknown error"));
}

// The host path a by-reference entry names (kSourceXattr), if it has one.
std::optional<std::string> SourceOf(archive_entry* e) {
  const char* name;
  const void* value;
  size_t size;
  archive_entry_xattr_reset(e);
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
    if (name && std::strcmp(name, kSourceXattr) == 0)
      return std::string(static_cast<const char*>(value), size);
  return std::nullopt;
}

// Copies src (open) to a new file dst_name in parent, with src's mode and times.
Status CopyInto(int src, const struct stat& st, int parent, const std::string& dst_name,
                const std::string& what) {
  unique_fd dst(::openat(parent, dst_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                         st.st_mode & 07777));
  if (!dst) return Error::Sys("create " + what);
  for (off_t left = st.st_size; left > 0;) {
    ssize_t n = ::copy_file_range(src, nullptr, dst.get(), nullptr, static_cast<size_t>(left), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Sys("copy " + what);
    if (n == 0) break;  // the source shrank meanwhile
    left -= n;
  }
  if (::fchmod(dst.get(), st.st_mode & 07777) != 0) return Error::Sys("chmod " + what);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::futimens(dst.get(), times) != 0) return Error::Sys("set the times of " + what);
  return Ok();
}

// A by-reference entry: name (relative, clean) in root_fd becomes the host
// file source, linked or copied; its digest comes from cache.
Result<std::string> PlaceSource(int root_fd, const std::string& name, const std::string& source,
                                DigestCache& cache) {
  const std::string what = "build context: " + name;
  if (source.empty() || source[0] != '/')
    return Error::Invalid(what + ": the source path \"" + source + "\" is not absolute");
  struct stat st;
  if (::lstat(source.c_str(), &st) != 0) return Error::Sys(what + ": stat " + source);
  if (!S_ISREG(st.st_mode)) return Error::Invalid(what + ": " + source + " is not a regular file");
  std::string parent_rel = fs::Dirname(name), base = fs::Basename(name);
  if (parent_rel == ".") parent_rel.clear();
  unique_fd parent = BERTH_TRY(fs::OpenBeneath(root_fd, parent_rel, O_PATH | O_DIRECTORY, "the build context"));
  // An entry may replace an earlier one of the same name, as tar does.
  if (::unlinkat(parent.get(), base.c_str(), 0) != 0 && errno != ENOENT)
    return Error::Sys(what + ": remove the earlier entry");
  if (::linkat(AT_FDCWD, source.c_str(), parent.get(), base.c_str(), 0) != 0) {
    if (errno != EXDEV && errno != EPERM && errno != EMLINK) return Error::Sys(what + ": link " + source);
    unique_fd src = BERTH_TRY(fs::Open(source, O_RDONLY | O_NOFOLLOW));
    BERTH_TRY(CopyInto(src.get(), st, parent.get(), base, what));
  }
  return cache.Digest(source, st);
}

}  // namespace

Status UnpackContext(int fd, const std::string& dir, std::map<std::string, std::string>* digests,
                     const UnpackOptions& options) {
  unique_fd root;  // dir, for by-reference entries (opened on the first)
  std::unique_ptr<archive, ReadFree> r(archive_read_new());
  archive_read_support_filter_all(r.get());
  archive_read_support_format_tar(r.get());
  archive_read_support_format_gnutar(r.get());
  archive_read_support_format_empty(r.get());
  if (archive_read_open_fd(r.get(), fd, 1 << 20) != ARCHIVE_OK) return Fail(r.get(), "open");
  std::unique_ptr<archive, WriteFree> w(archive_write_disk_new());
  archive_write_disk_set_options(w.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                              ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                              ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                              ARCHIVE_EXTRACT_UNLINK);
  archive_entry* e = nullptr;
  int rc;
  while ((rc = archive_read_next_header(r.get(), &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    std::string name = fs::Clean(archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
    while (!name.empty() && name[0] == '/') name.erase(0, 1);
    if (name == "." || name.empty()) continue;
    if (name == ".." || name.rfind("../", 0) == 0)
      return Error::Invalid("build context: entry leaves the context: " + name);
    archive_entry_set_pathname(e, (dir + "/" + name).c_str());
    if (const char* hl = archive_entry_hardlink(e)) {
      std::string target = fs::Clean(hl);
      while (!target.empty() && target[0] == '/') target.erase(0, 1);
      archive_entry_set_hardlink(e, (dir + "/" + target).c_str());
    }
    const bool regular = archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e);
    if (std::optional<std::string> source = regular ? SourceOf(e) : std::nullopt) {
      if (!options.allow_sources || !options.cache)
        return Error::Invalid("build context: " + name +
                              ": files sent by reference are accepted only on the local unix socket");
      if (!root) root = BERTH_TRY(fs::Open(dir, O_PATH | O_DIRECTORY));
      std::string digest = BERTH_TRY(PlaceSource(root.get(), name, *source, *options.cache));
      if (digests) (*digests)[name] = std::move(digest);
      continue;
    }
    if (archive_write_header(w.get(), e) != ARCHIVE_OK) return Fail(w.get(), name);
    Sha256 h;
    const void* block;
    size_t size;
    la_int64_t offset;
    int d;
    while ((d = archive_read_data_block(r.get(), &block, &size, &offset)) == ARCHIVE_OK) {
      if (regular) h.Update(std::string_view(static_cast<const char*>(block), size));
      if (archive_write_data_block(w.get(), block, size, offset) != ARCHIVE_OK)
        return Fail(w.get(), name);
    }
    if (d != ARCHIVE_EOF) return Fail(r.get(), name);
    if (archive_write_finish_entry(w.get()) != ARCHIVE_OK) return Fail(w.get(), name);
    if (regular && digests) (*digests)[name] = h.Final().str();
  }
  if (rc != ARCHIVE_EOF) return Fail(r.get(), "read");
  if (archive_write_close(w.get()) != ARCHIVE_OK) return Fail(w.get(), "close");
  return Ok();
}

}  // namespace berth::build
