// The container's root filesystem: mounts, /dev, pivot_root, masked and
// read-only paths (runtime-spec "root", "mounts", "linux.devices",
// "linux.maskedPaths", "linux.readonlyPaths", "linux.rootfsPropagation").
//
// Vocabulary:
//   rootfs       absolute host path of the container's root directory
//                (root.path resolved against the bundle by the caller).
//   destination  a path inside the rootfs; it is created (directory, or an
//                empty file when a bind source is a file) and resolved inside
//                the rootfs: symlinks never lead out of it (safe_path.h).
//
// Relative bind sources are taken from the current directory (run in the
// bundle). Mounts target "/proc/self/fd/N", so /proc must be visible (the
// host's is, before PivotRoot). Unknown mount options are passed as data, as
// runc does; the kernel refuses those the filesystem does not know.
// Known limits: "ro" on an rbind makes only the top mount read-only (no
// mount_setattr yet); mounts over /proc/* are not vetted like runc's
// checkProcMount; mount labels (SELinux) are ignored.
//
// Invariants: the caller is the container's init, alone in a NEW mount
// namespace, single-threaded. The three phases run in order; the caller runs
// the createContainer hooks between Prepare and PivotRoot, and binds the
// console on /dev/console itself. Nothing here touches the host's mount
// table: "/" is made rslave (or what rootfsPropagation asks) first.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "oci/runtime_spec.h"

namespace berth::rootfs {

struct Options {
  // mknod is not allowed: bind-mount the host's device nodes instead.
  bool in_user_namespace = false;
  // MS_MOVE + chroot instead of pivot_root (--no-pivot).
  bool no_pivot = false;
  // The container has its own cgroup namespace: "cgroup" mounts are fresh
  // cgroup (v1) / cgroup2 mounts instead of binds of the container's dirs.
  bool cgroup_namespace = false;
  bool cgroup_v2 = false;
  // The container's cgroup directories on the host, keyed by hierarchy mount
  // name ("memory", "cpu,cpuacct", "systemd"; "" for the unified/v2
  // hierarchy). Mounts of type "cgroup": on v1 a tmpfs at the destination and,
  // per hierarchy, a bind of that directory (or a fresh cgroup mount with a
  // cgroup namespace), read-only if the mount says "ro"; on v2 cgroup2 (with a
  // cgroup namespace) or a bind of the "" directory.
  std::vector<std::pair<std::string, std::string>> cgroup_paths;
};

// Phase 1, before the createContainer hooks: propagation of "/", the rootfs
// bind-mounted on itself, every spec.mounts entry in order, then /dev (the
// default nodes, linux.devices, the /dev symlinks) when /dev is a tmpfs or
// not mounted.
Status Prepare(const oci::Spec& spec, const std::string& rootfs, const Options& opts);

// Phase 2: pivot_root into rootfs and detach the old root (or, with
// no_pivot, MS_MOVE it over "/" and chroot). Afterwards cwd is "/".
Status PivotRoot(const std::string& rootfs, const Options& opts);

// Phase 3, inside the new root: readonlyPaths, maskedPaths (missing paths are
// skipped), root.readonly, and the final propagation of "/" when
// linux.rootfsPropagation is set.
Status Finish(const oci::Spec& spec, const Options& opts);

}  // namespace berth::rootfs
