#include "build/layer_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "base/fs.h"
#include "base/unique_fd.h"

namespace berth::build {
namespace {

// Copies exactly size bytes of src into dst: in the kernel (a reflink where
// the filesystem shares extents), read/write where copy_file_range cannot.
Status CopyBytes(int src, int dst, int64_t size, const std::string& what) {
  bool kernel = true;
  std::vector<char> buf;
  for (int64_t left = size; left > 0;) {
    ssize_t n;
    if (kernel) {
      n = ::copy_file_range(src, nullptr, dst, nullptr, static_cast<size_t>(left), 0);
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
        kernel = false;
        continue;
      }
    } else {
      if (buf.empty()) buf.resize(1 << 20);
      n = ::read(src, buf.data(), static_cast<size_t>(std::min<int64_t>(left, buf.size())));
      if (n > 0) BERTH_TRY_CTX(fs::WriteAll(dst, std::string_view(buf.data(), n)), "write " + what);
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Sys("copy " + what);
    if (n == 0) return Error::Internal("read " + what + ": file shrank while copying");
    left -= n;
  }
  // Start writing the data back now: the store syncs the layer before it
  // commits, and most of the writeback then overlaps the hashing.
  (void)::sync_file_range(dst, 0, 0, SYNC_FILE_RANGE_WRITE);
  return Ok();
}

struct timespec Seconds(int64_t s) { return {static_cast<time_t>(s), 0}; }

// One entry, created as name in parent (an open directory).
Status Create(int parent, const std::string& base, const TarEntry& e, const std::string& what) {
  const struct timespec times[2] = {Seconds(e.mtime), Seconds(e.mtime)};
  switch (e.kind) {
    case TarEntry::kDir:
      if (::mkdirat(parent, base.c_str(), 0700) != 0) return Error::Sys("mkdir " + what);
      // Owner first: chown may clear set-id bits that chmod then sets.
      if (::fchownat(parent, base.c_str(), e.uid, e.gid, AT_SYMLINK_NOFOLLOW) != 0)
        return Error::Sys("chown " + what);
      if (::fchmodat(parent, base.c_str(), e.perm & 07777, 0) != 0) return Error::Sys("chmod " + what);
      return Ok();  // times: after its contents (WriteLayerDir)
    case TarEntry::kSymlink:
      if (::symlinkat(e.link.c_str(), parent, base.c_str()) != 0) return Error::Sys("symlink " + what);
      if (::fchownat(parent, base.c_str(), e.uid, e.gid, AT_SYMLINK_NOFOLLOW) != 0)
        return Error::Sys("chown " + what);
      if (::utimensat(parent, base.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
        return Error::Sys("set the times of " + what);
      return Ok();
    case TarEntry::kFile:
    case TarEntry::kData:
      break;
  }
  unique_fd dst(::openat(parent, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!dst) return Error::Sys("create " + what);
  if (e.kind == TarEntry::kData) {
    BERTH_TRY_CTX(fs::WriteAll(dst.get(), e.data), "write " + what);
  } else {
    unique_fd src = BERTH_TRY(fs::Open(e.source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    struct stat st;
    if (::fstat(src.get(), &st) != 0) return Error::Sys("stat " + e.source);
    BERTH_TRY(CopyBytes(src.get(), dst.get(), st.st_size, e.source));
  }
  if (::fchown(dst.get(), e.uid, e.gid) != 0) return Error::Sys("chown " + what);
  if (::fchmod(dst.get(), e.perm & 07777) != 0) return Error::Sys("chmod " + what);
  if (::futimens(dst.get(), times) != 0) return Error::Sys("set the times of " + what);
  return Ok();
}

Status Collect(const std::string& root, const std::string& rel, TarEntries* out) {
  for (const std::string& name : BERTH_TRY(fs::ListDir(rel.empty() ? root : root + "/" + rel))) {
    std::string r = rel.empty() ? name : rel + "/" + name;
    std::string path = root + "/" + r;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return Error::Sys("lstat " + path);
    TarEntry e;
    e.perm = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    e.mtime = st.st_mtim.tv_sec;
    if (S_ISDIR(st.st_mode)) {
      e.kind = TarEntry::kDir;
    } else if (S_ISREG(st.st_mode)) {
      e.kind = TarEntry::kFile;
      e.source = path;
    } else if (S_ISLNK(st.st_mode)) {
      e.kind = TarEntry::kSymlink;
      std::vector<char> buf(static_cast<size_t>(st.st_size) + 1 > 4096 ? st.st_size + 1 : 4096);
      ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
      if (n < 0) return Error::Sys("readlink " + path);
      e.link.assign(buf.data(), static_cast<size_t>(n));
    } else {
      return Error::Internal("pack layer: " + path + " is neither a directory, a file nor a symlink");
    }
    (*out)[r] = std::move(e);
    if (S_ISDIR(st.st_mode)) BERTH_TRY(Collect(root, r, out));
  }
  return Ok();
}

}  // namespace

Status WriteLayerDir(const TarEntries& entries, const std::string& dir) {
  unique_fd root = BERTH_TRY(fs::Open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
  unique_fd parent;
  std::string parent_rel = "\x01";  // none open yet
  std::vector<std::pair<std::string, int64_t>> dirs;
  for (const auto& [name, e] : entries) {
    std::string p = fs::Dirname(name);
    if (p == ".") p.clear();
    if (p != parent_rel) {
      if (!p.empty() && !entries.count(p))
        return Error::Internal("layer " + dir + ": " + name + " has no parent entry");
      parent = BERTH_TRY(fs::OpenBeneath(root.get(), p.empty() ? "." : p, O_PATH | O_DIRECTORY, "the layer"));
      parent_rel = p;
    }
    BERTH_TRY(Create(parent.get(), fs::Basename(name), e, name));
    if (e.kind == TarEntry::kDir) dirs.emplace_back(name, e.mtime);
  }
  // Directory times last, children before parents.
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    const struct timespec times[2] = {Seconds(it->second), Seconds(it->second)};
    if (::utimensat(root.get(), it->first.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
      return Error::Sys("set the times of " + it->first);
  }
  return Ok();
}

Result<TarEntries> EntriesOfDir(const std::string& dir) {
  TarEntries entries;
  BERTH_TRY(Collect(dir, "", &entries));
  return entries;
}

Status PackLayerDir(const std::string& dir, const TarWriter::Sink& sink) {
  TarEntries entries = BERTH_TRY(EntriesOfDir(dir));
  TarWriter tar;
  BERTH_TRY(tar.Open(sink));
  BERTH_TRY(WriteLayerTar(entries, tar));
  return tar.Close();
}

}  // namespace berth::build
