// The archive API's GET and HEAD sides: StatPath, EncodeStatHeader,
// ArchivePath.
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "base/base64.h"
#include "base/fs.h"
#include "engine/fs/container_fs.h"
#include "engine/fs/in_root.h"
#include "image/layer/layer.h"

namespace berth::engine::fs {
namespace {

// Go's os.FileMode bits.
constexpr uint32_t kModeDir = 1u << 31;
constexpr uint32_t kModeSymlink = 1u << 27;
constexpr uint32_t kModeDevice = 1u << 26;
constexpr uint32_t kModeNamedPipe = 1u << 25;
constexpr uint32_t kModeSocket = 1u << 24;
constexpr uint32_t kModeSetuid = 1u << 23;
constexpr uint32_t kModeSetgid = 1u << 22;
constexpr uint32_t kModeCharDevice = 1u << 21;
constexpr uint32_t kModeSticky = 1u << 20;

uint32_t GoFileMode(mode_t m) {
  uint32_t out = m & 0777;
  switch (m & S_IFMT) {
    case S_IFDIR: out |= kModeDir; break;
    case S_IFLNK: out |= kModeSymlink; break;
    case S_IFBLK: out |= kModeDevice; break;
    case S_IFCHR: out |= kModeDevice | kModeCharDevice; break;
    case S_IFIFO: out |= kModeNamedPipe; break;
    case S_IFSOCK: out |= kModeSocket; break;
    default: break;
  }
  if (m & S_ISUID) out |= kModeSetuid;
  if (m & S_ISGID) out |= kModeSetgid;
  if (m & S_ISVTX) out |= kModeSticky;
  return out;
}

// Go's time.RFC3339Nano in UTC: fraction without trailing zeros.
std::string Rfc3339Nano(const struct timespec& ts) {
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (ts.tv_nsec != 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09ld", ts.tv_nsec);
    std::string f(frac);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

Error NotFoundIn(const std::string& path, const std::string& id) {
  return Error(Code::kNotFound, "Could not find the file " + path + " in container " + id, ENOENT);
}

// Where a symlink leads, resolved in the root; "" when it cannot be.
std::string LinkTarget(int root_fd, const std::string& abs, int parent, const std::string& name) {
  auto fd = OpenInRoot(root_fd, abs, O_PATH);
  if (fd.ok()) {
    auto p = ContainerPathOf(root_fd, fd->get());
    if (p.ok()) return *p;
  }
  // Dangling: resolve the one link lexically, as moby's FollowSymlinkInScope
  // does for a missing target.
  char buf[4096];
  ssize_t n = ::readlinkat(parent, name.c_str(), buf, sizeof buf);
  if (n < 0) return "";
  std::string target(buf, static_cast<size_t>(n));
  if (!target.empty() && target[0] == '/') return berth::fs::Clean(target);
  return berth::fs::Clean(berth::fs::Dirname(berth::fs::Clean(abs)) + "/" + target);
}

}  // namespace

Result<PathStat> StatPath(const std::string& merged_dir, const std::string& path,
                          const std::string& container_id) {
  unique_fd root = BERTH_TRY(OpenRoot(merged_dir));
  std::string abs = AbsPreserving(path);
  auto loc = Locate(root.get(), abs);
  if (!loc.ok()) {
    if (loc.error().code() == Code::kNotFound || loc.error().err() == ENOTDIR)
      return NotFoundIn(path, container_id);
    return std::move(loc).error().Context("stat " + path);
  }
  struct stat st;
  int r = loc->name.empty() ? ::fstatat(loc->root_dir.get(), "", &st, AT_EMPTY_PATH)
                            : ::fstatat(loc->parent.get(), loc->name.c_str(), &st,
                                        AT_SYMLINK_NOFOLLOW);
  if (r < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return NotFoundIn(path, container_id);
    return Error::Sys("stat " + path);
  }
  PathStat out;
  out.name = BaseOf(abs);
  out.size = st.st_size;
  out.mode = GoFileMode(st.st_mode);
  out.mtime = Rfc3339Nano(st.st_mtim);
  if (S_ISLNK(st.st_mode)) out.link_target = LinkTarget(root.get(), abs, loc->parent.get(), loc->name);
  return out;
}

std::string EncodeStatHeader(const PathStat& st) {
  nlohmann::json j = {{"name", st.name},
                      {"size", st.size},
                      {"mode", st.mode},
                      {"mtime", st.mtime},
                      {"linkTarget", st.link_target}};
  return base64::Encode(j.dump());
}

Status ArchivePath(const std::string& merged_dir, const std::string& path, int out_fd,
                   const std::string& container_id) {
  unique_fd root = BERTH_TRY(OpenRoot(merged_dir));
  std::string abs = AbsPreserving(path);
  auto loc = Locate(root.get(), abs);
  if (!loc.ok()) {
    if (loc.error().code() == Code::kNotFound || loc.error().err() == ENOTDIR)
      return NotFoundIn(path, container_id);
    return std::move(loc).error().Context("archive " + path);
  }
  layer::PackOptions opts;
  std::string dir;
  if (loc->name.empty()) {
    dir = ProcFdPath(loc->root_dir.get());
  } else {
    struct stat st;
    if (::fstatat(loc->parent.get(), loc->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) return NotFoundIn(path, container_id);
      return Error::Sys("archive " + path + ": stat");
    }
    dir = ProcFdPath(loc->parent.get());
    opts.single = loc->name;
    opts.rename = BaseOf(abs);
  }
  auto r = layer::Pack(dir, out_fd, opts);
  if (!r.ok()) return std::move(r).error().Context("archive " + path);
  return Ok();
}

Result<PathStat> StatPath(const std::string& merged_dir, const std::string& path) {
  return StatPath(merged_dir, path, "");
}

Status ArchivePath(const std::string& merged_dir, const std::string& path, int out_fd) {
  return ArchivePath(merged_dir, path, out_fd, "");
}

}  // namespace berth::engine::fs
