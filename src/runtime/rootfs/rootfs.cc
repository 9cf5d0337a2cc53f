#include "runtime/rootfs/rootfs.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "runtime/rootfs/devices.h"
#include "runtime/rootfs/mount_entry.h"
#include "runtime/rootfs/mount_options.h"
#include "runtime/rootfs/mount_util.h"
#include "runtime/rootfs/mountinfo.h"
#include "runtime/rootfs/safe_path.h"

namespace berth::rootfs {
namespace {

const oci::Mount* FindMount(const oci::Spec& spec, const std::string& dest) {
  const oci::Mount* found = nullptr;
  for (const oci::Mount& m : spec.mounts)
    if (fs::Clean("/" + m.destination) == dest) found = &m;
  return found;
}

// /dev is ours to fill when it is a tmpfs or not mounted at all (a bind of
// the host's /dev, or devtmpfs, already has its nodes).
bool NeedsDevSetup(const oci::Spec& spec) {
  const oci::Mount* dev = FindMount(spec, "/dev");
  return dev == nullptr || dev->type == "tmpfs";
}

Result<std::string> CheckRootfs(const std::string& rootfs) {
  if (rootfs.empty() || rootfs[0] != '/')
    return Error::Invalid("rootfs \"" + rootfs + "\" is not an absolute path");
  struct stat st;
  if (::stat(rootfs.c_str(), &st) != 0) return Error::Sys("stat rootfs " + rootfs);
  if (!S_ISDIR(st.st_mode)) return Error::Invalid("rootfs " + rootfs + " is not a directory");
  char real[PATH_MAX];
  if (::realpath(rootfs.c_str(), real) == nullptr) return Error::Sys("realpath " + rootfs);
  return std::string(real);
}

// pivot_root refuses a new root whose parent mount is shared, and mounts
// made under a shared parent would propagate out: make that parent private
// (in our mount namespace only).
Status MakeParentPrivate(const std::string& rootfs) {
  std::vector<MountInfo> mounts = BERTH_TRY(ReadMountInfo());
  const MountInfo* parent = MountOf(mounts, rootfs);
  if (parent == nullptr || !parent->shared()) return Ok();
  return SetPropagation(parent->mount_point, MS_PRIVATE);
}

Status SetupDev(const oci::Spec& spec, const RootDir& root, const Options& opts) {
  for (const oci::Device& d : MergeDevices(spec.linux.devices))
    BERTH_TRY(CreateDevice(root, d, opts.in_user_namespace));
  return CreateDevSymlinks(root, FindMount(spec, "/proc") != nullptr);
}

// A path of the new root to bind on itself read-only (after PivotRoot).
Status ReadonlyPath(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Ok();
    return Error::Sys("stat " + path);
  }
  Status bound = Mount(path, path, "", MS_BIND | MS_REC, "");
  if (!bound.ok()) return bound.error().err() == ENOENT ? Ok() : bound;
  unsigned long flags = BERTH_TRY(CurrentMountFlags(path));
  return RemountBind(path, flags | MS_RDONLY);
}

// Files get /dev/null bound over them, directories an empty read-only tmpfs.
Status MaskPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Ok();
    return Error::Sys("open " + path);
  }
  unique_fd guard(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Error::Sys("stat " + path);
  if (S_ISDIR(st.st_mode)) return Mount("tmpfs", FdPath(fd), "tmpfs", MS_RDONLY, "", path);
  return Mount("/dev/null", FdPath(fd), "", MS_BIND, "", path);
}

Status PivotInto(int newroot) {
  int oldroot = ::open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0) return Error::Sys("open /");
  unique_fd old_guard(oldroot);
  if (::fchdir(newroot) != 0) return Error::Sys("fchdir to the new root");
  // pivot_root(".", "."): the old root ends up mounted on top of the new
  // one, where it can be detached without a put_old directory.
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return Error::Sys("pivot_root");
  if (::fchdir(oldroot) != 0) return Error::Sys("fchdir to the old root");
  // Slave first, so the detach below cannot propagate to the host's mounts.
  BERTH_TRY(SetPropagation(".", MS_SLAVE | MS_REC, "the old root"));
  if (::umount2(".", MNT_DETACH) != 0) return Error::Sys("umount2 the old root (MNT_DETACH)");
  return Ok();
}

Status MoveInto(const std::string& rootfs, int newroot) {
  if (::fchdir(newroot) != 0) return Error::Sys("fchdir " + rootfs);
  if (::mount(rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0)
    return Error::Sys("mount " + rootfs + " on / (flags move)");
  if (::chroot(".") != 0) return Error::Sys("chroot " + rootfs);
  return Ok();
}

}  // namespace

Status Prepare(const oci::Spec& spec, const std::string& rootfs, const Options& opts) {
  std::string real = BERTH_TRY(CheckRootfs(rootfs));
  unsigned long propagation = BERTH_TRY(RootfsPropagation(spec.linux.rootfs_propagation));
  BERTH_TRY(SetPropagation("/", propagation));
  BERTH_TRY(MakeParentPrivate(real));
  BERTH_TRY(Mount(real, real, "", MS_BIND | MS_REC, ""));
  RootDir root = BERTH_TRY(RootDir::Open(real));
  for (const oci::Mount& m : spec.mounts) BERTH_TRY(MountEntry(root, m, opts));
  if (NeedsDevSetup(spec)) BERTH_TRY_CTX(SetupDev(spec, root, opts), "set up /dev");
  return Ok();
}

Status PivotRoot(const std::string& rootfs, const Options& opts) {
  int fd = ::open(rootfs.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open rootfs " + rootfs);
  unique_fd newroot(fd);
  if (opts.no_pivot) {
    BERTH_TRY(MoveInto(rootfs, fd));
  } else {
    BERTH_TRY_CTX(PivotInto(fd), "pivot_root to " + rootfs);
  }
  if (::chdir("/") != 0) return Error::Sys("chdir /");
  return Ok();
}

Status Finish(const oci::Spec& spec, const Options&) {
  // Read-only paths before masks: a mask inside a read-only path stays on top.
  for (const std::string& path : spec.linux.readonly_paths)
    BERTH_TRY_CTX(ReadonlyPath(path), "readonly path " + path);
  for (const std::string& path : spec.linux.masked_paths)
    BERTH_TRY_CTX(MaskPath(path), "masked path " + path);
  if (spec.root.readonly) {
    unsigned long flags = BERTH_TRY(CurrentMountFlags("/"));
    BERTH_TRY_CTX(RemountBind("/", flags | MS_RDONLY), "read-only root");
  }
  if (!spec.linux.rootfs_propagation.empty()) {
    unsigned long propagation = BERTH_TRY(RootfsPropagation(spec.linux.rootfs_propagation));
    BERTH_TRY(SetPropagation("/", propagation));
  }
  return Ok();
}

}  // namespace berth::rootfs
