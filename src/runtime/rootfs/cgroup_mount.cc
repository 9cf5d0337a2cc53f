// Mounts of type "cgroup"/"cgroup2" (see Options::cgroup_paths).
//
// v1 layout made at the destination (e.g. /sys/fs/cgroup):
//   tmpfs (mode 755)
//   ├── memory/        bind of the container's memory dir, or cgroup -o memory
//   ├── cpu,cpuacct/   same for a co-mounted hierarchy
//   ├── cpu -> cpu,cpuacct, cpuacct -> cpu,cpuacct
//   ├── systemd/       cgroup -o none,name=systemd
//   └── unified/       the v2 hierarchy of a hybrid host ("" key)
// The tmpfs is remounted read-only at the end when the mount says "ro".
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/log.h"
#include "base/strings.h"
#include "runtime/rootfs/mount_entry.h"
#include "runtime/rootfs/mount_util.h"

namespace berth::rootfs {
namespace {

constexpr unsigned long kPerMount = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
                                    MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;

// Directory name of a hierarchy key: "name=systemd" -> "systemd", "" -> "unified".
std::string HierarchyDir(const std::string& key) {
  if (key.empty()) return "unified";
  if (str::StartsWith(key, "name=")) return key.substr(5);
  return key;
}

// cgroup v1 mount data for a hierarchy key.
std::string V1Data(const std::string& key) {
  if (str::StartsWith(key, "name=")) return "none," + key;
  if (key == "systemd") return "none,name=systemd";
  return key;
}

// Binds host onto dest (already created) and applies the per-mount flags.
Status BindCgroupDir(const RootDir& root, const std::string& host, const std::string& dest,
                     int target_fd, unsigned long flags) {
  const std::string display = root.Display(dest);
  BERTH_TRY(Mount(host, FdPath(target_fd), "", MS_BIND | MS_REC, "", display));
  if ((flags & kPerMount) == 0) return Ok();
  unique_fd mounted = BERTH_TRY(root.OpenIn(dest, O_PATH));
  return RemountBind(FdPath(mounted.get()), flags & kPerMount, display);
}

const std::string* FindPath(const Options& opts, const std::string& key) {
  for (const auto& [k, v] : opts.cgroup_paths)
    if (k == key) return &v;
  return nullptr;
}

Status MountCgroup2(const RootDir& root, const std::string& dest, const MountOptions& mo,
                    const Options& opts) {
  unique_fd target = BERTH_TRY(root.MkdirAll(dest));
  const std::string* host = FindPath(opts, "");
  if (host == nullptr && opts.cgroup_paths.size() == 1) host = &opts.cgroup_paths[0].second;
  if (opts.cgroup_namespace || host == nullptr) {
    Status st = Mount("cgroup2", FdPath(target.get()), "cgroup2", mo.flags & ~MS_BIND & ~MS_REC,
                      mo.data, root.Display(dest));
    if (st.ok() || host == nullptr) return st;
    log::Debug("{}; binding {} instead", st.error().message(), *host);
  }
  return BindCgroupDir(root, *host, dest, target.get(), mo.flags);
}

// "cpu,cpuacct" -> symlinks cpu and cpuacct next to it.
Status ComountLinks(const RootDir& root, const std::string& dest, const std::string& dir) {
  std::vector<std::string> parts = str::Split(dir, ',');
  if (parts.size() < 2) return Ok();
  unique_fd parent = BERTH_TRY(root.OpenIn(dest, O_PATH | O_DIRECTORY));
  for (const std::string& part : parts) {
    if (part.empty() || part.find('=') != std::string::npos) continue;
    if (::symlinkat(dir.c_str(), parent.get(), part.c_str()) != 0 && errno != EEXIST)
      return Error::Sys("symlink " + root.Display(dest + "/" + part) + " -> " + dir);
  }
  return Ok();
}

Status MountCgroupV1(const RootDir& root, const std::string& dest, const MountOptions& mo,
                     const Options& opts) {
  const std::string display = root.Display(dest);
  unique_fd target = BERTH_TRY(root.MkdirAll(dest));
  unsigned long tmpfs_flags = (mo.flags & kPerMount & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  BERTH_TRY(Mount("tmpfs", FdPath(target.get()), "tmpfs", tmpfs_flags, "mode=755", display));
  for (const auto& [key, host] : opts.cgroup_paths) {
    const std::string dir = HierarchyDir(key);
    const std::string sub = dest + "/" + dir;
    unique_fd subfd = BERTH_TRY(root.MkdirAll(sub));
    if (!opts.cgroup_namespace) {
      BERTH_TRY(BindCgroupDir(root, host, sub, subfd.get(), mo.flags));
    } else if (key.empty()) {
      BERTH_TRY(Mount("cgroup2", FdPath(subfd.get()), "cgroup2", mo.flags & kPerMount, "",
                      root.Display(sub)));
    } else {
      BERTH_TRY(Mount("cgroup", FdPath(subfd.get()), "cgroup", mo.flags & kPerMount, V1Data(key),
                      root.Display(sub)));
    }
    BERTH_TRY(ComountLinks(root, dest, dir));
  }
  if ((mo.flags & MS_RDONLY) == 0) return Ok();
  unique_fd mounted = BERTH_TRY(root.OpenIn(dest, O_PATH));
  return RemountBind(FdPath(mounted.get()), tmpfs_flags | MS_RDONLY, display);
}

}  // namespace

Status MountCgroup(const RootDir& root, const std::string& dest, const oci::Mount& mount,
                   const MountOptions& mo, const Options& opts) {
  if (mount.type == "cgroup2" || opts.cgroup_v2) return MountCgroup2(root, dest, mo, opts);
  return MountCgroupV1(root, dest, mo, opts);
}

}  // namespace berth::rootfs
