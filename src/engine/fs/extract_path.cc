// The archive API's PUT side: ExtractToPath, with layer::Extractor doing the
// file work beneath the resolved extraction point.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <optional>

#include "base/fs.h"
#include "base/log.h"
#include "base/strings.h"
#include "engine/fs/container_fs.h"
#include "engine/fs/in_root.h"
#include "image/layer/extract.h"
#include "image/layer/stream.h"
#include "image/layer/tree.h"

namespace berth::engine::fs {
namespace {

struct Owner {
  uid_t uid = 0;
  gid_t gid = 0;
};

// Finds `name` (a name or a number) in an /etc/passwd or /etc/group text:
// returns the fields of its line.
std::optional<std::vector<std::string>> FindEntry(const std::string& text, const std::string& name) {
  for (const std::string& line : str::Split(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = str::Split(line, ':');
    if (f.size() < 4) continue;
    if (f[0] == name || f[2] == name) return f;
  }
  return std::nullopt;
}

std::string ReadInRoot(int root_fd, const std::string& path) {
  auto fd = OpenInRoot(root_fd, path, O_RDONLY);
  if (!fd.ok()) return "";
  auto text = berth::fs::ReadFd(fd->get());
  return text.ok() ? *text : "";
}

// Config.User resolved in the container's /etc/passwd and /etc/group.
Result<Owner> LookupUser(int root_fd, const std::string& user) {
  Owner o;
  if (user.empty()) return o;
  bool has_group = false;
  auto [u, g] = str::Cut(user, ':', &has_group);
  std::string passwd = ReadInRoot(root_fd, "/etc/passwd");
  auto pw = FindEntry(passwd, u);
  if (pw) {
    o.uid = static_cast<uid_t>(str::ParseUint((*pw)[2]).value_or(0));
    o.gid = static_cast<gid_t>(str::ParseUint((*pw)[3]).value_or(0));
  } else if (auto n = str::ParseUint(u)) {
    o.uid = static_cast<uid_t>(*n);
  } else {
    return Error::Invalid("unable to find user " + u + ": no matching entries in passwd file");
  }
  if (has_group && !g.empty()) {
    auto gr = FindEntry(ReadInRoot(root_fd, "/etc/group"), g);
    if (gr) {
      o.gid = static_cast<gid_t>(str::ParseUint((*gr)[2]).value_or(0));
    } else if (auto n = str::ParseUint(g)) {
      o.gid = static_cast<gid_t>(*n);
    } else {
      return Error::Invalid("unable to find group " + g + ": no matching entries in group file");
    }
  }
  return o;
}

la_ssize_t ReadCallback(struct archive* a, void* opaque, const void** buf) {
  auto* source = static_cast<layer::ArchiveSource*>(opaque);
  auto chunk = source->src->Next();
  if (!chunk.ok()) {
    source->error = std::move(chunk).error();
    archive_set_error(a, EIO, "%s", source->error->message().c_str());
    return -1;
  }
  *buf = chunk->data();
  return static_cast<la_ssize_t>(chunk->size());
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

int OpenBeneath(int dirfd, const std::string& rel, int flags) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = ::syscall(SYS_openat2, dirfd, rel.empty() ? "." : rel.c_str(), &how, sizeof how);
    if (fd >= 0 || (errno != EINTR && errno != EAGAIN)) return static_cast<int>(fd);
  }
}

std::string JoinShown(const std::string& dest, const std::string& rel) {
  if (rel.empty()) return dest;
  return dest == "/" ? "/" + rel : dest + "/" + rel;
}

// moby's NoOverwriteDirNonDir: what exists at rel must keep being a
// directory, or a non-directory.
Status CheckOverwrite(int dest_fd, const std::string& dest, const std::string& rel,
                      struct archive_entry* e) {
  auto [dir, base] = layer::SplitParent(rel);
  int pfd = OpenBeneath(dest_fd, dir, O_PATH | O_DIRECTORY);
  if (pfd < 0) return Ok();  // nothing there yet (or the extractor reports it)
  unique_fd parent(pfd);
  struct stat st;
  if (::fstatat(pfd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return Ok();
  bool entry_dir = archive_entry_filetype(e) == AE_IFDIR && !archive_entry_hardlink(e);
  std::string path = JoinShown(dest, rel);
  if (S_ISDIR(st.st_mode) && !entry_dir)
    return Error(Code::kInvalidArgument, "cannot overwrite directory \"" + path +
                                             "\" with non-directory \"" + dest + "\"");
  if (!S_ISDIR(st.st_mode) && entry_dir)
    return Error(Code::kInvalidArgument, "cannot overwrite non-directory \"" + path +
                                             "\" with directory \"" + dest + "\"");
  return Ok();
}

Status Extract(int in_fd, int dest_fd, const std::string& dest, bool no_overwrite,
               const std::optional<Owner>& owner) {
  layer::FdReader reader(in_fd);
  layer::Decompressor src(reader);
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  if (!a) return Error::Internal("archive_read_new failed");
  archive_read_support_format_tar(a.get());
  archive_read_support_format_empty(a.get());
  layer::ArchiveSource source{&src, std::nullopt};
  if (archive_read_open(a.get(), &source, nullptr, ReadCallback, nullptr) != ARCHIVE_OK)
    return layer::ArchiveFailure(a.get(), source, "open tar stream");
  layer::UnpackOptions uo;
  uo.sync = false;
  layer::Extractor extractor(a.get(), source, dest_fd, uo);
  for (;;) {
    struct archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_WARN) {
      log::Warn("cp: tar: {}", archive_error_string(a.get()) ? archive_error_string(a.get()) : "warning");
    } else if (r != ARCHIVE_OK) {
      return layer::ArchiveFailure(a.get(), source, "read tar header");
    }
    const char* raw = archive_entry_pathname(e);
    if (!raw) return Error::Invalid("tar entry without a usable name");
    std::string rel = BERTH_TRY(layer::CleanEntryName(raw));
    std::string base = layer::SplitParent(rel).second;
    if (str::StartsWith(base, layer::kWhiteoutPrefix)) {
      log::Warn("cp: skipping whiteout entry {}", raw);
      continue;
    }
    if (no_overwrite && !rel.empty()) BERTH_TRY(CheckOverwrite(dest_fd, dest, rel, e));
    if (owner) {
      archive_entry_set_uid(e, owner->uid);
      archive_entry_set_gid(e, owner->gid);
    }
    BERTH_TRY(extractor.Apply(e));
  }
  BERTH_TRY_CTX(src.Drain(), "read after the end of the tar");
  return extractor.Finish();
}

}  // namespace

Status ExtractToPath(const std::string& merged_dir, const std::string& path, int in_fd,
                     bool no_overwrite_dir_non_dir, bool copy_uid_gid, const std::string& user,
                     const std::string& container_id) {
  unique_fd root = BERTH_TRY(OpenRoot(merged_dir));
  std::string abs = AbsPreserving(path);
  auto dest = OpenInRoot(root.get(), abs, O_PATH);
  if (!dest.ok()) {
    if (dest.error().code() == Code::kNotFound)
      return Error(Code::kNotFound,
                   "Could not find the file " + path + " in container " + container_id, ENOENT);
    if (dest.error().err() == ENOTDIR)
      return Error(Code::kInvalidArgument, "extraction point is not a directory", ENOTDIR);
    return std::move(dest).error().Context("extract to " + path);
  }
  struct stat st;
  if (::fstat(dest->get(), &st) < 0) return Error::Sys("extract to " + path + ": stat");
  if (!S_ISDIR(st.st_mode))
    return Error(Code::kInvalidArgument, "extraction point is not a directory", ENOTDIR);
  std::string shown = BERTH_TRY_CTX(ContainerPathOf(root.get(), dest->get()), "extract to " + path);
  int fd = ::open(ProcFdPath(dest->get()).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("extract to " + path + ": open " + shown);
  unique_fd dest_fd(fd);
  std::optional<Owner> owner;
  if (copy_uid_gid) owner = BERTH_TRY(LookupUser(root.get(), user));
  // Errors are Docker's texts or name the tar entry and the call.
  return Extract(in_fd, dest_fd.get(), shown, no_overwrite_dir_non_dir, owner);
}

Status ExtractToPath(const std::string& merged_dir, const std::string& path, int in_fd,
                     bool no_overwrite_dir_non_dir, bool copy_uid_gid) {
  return ExtractToPath(merged_dir, path, in_fd, no_overwrite_dir_non_dir, copy_uid_gid, "", "");
}

}  // namespace berth::engine::fs
