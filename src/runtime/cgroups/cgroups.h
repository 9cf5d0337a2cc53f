// Cgroup manager: puts one container's processes in a cgroup and applies the
// OCI linux.resources to it, on cgroup v1 (including the "hybrid" layout,
// where some hierarchy is mounted as cgroup2 at <root>/unified) and on v2.
//
// Vocabulary:
//   hierarchy   one mounted cgroup tree. v1 has one per controller set,
//               named by its controllers ("memory", "cpu,cpuacct"); v2 has a
//               single unified tree, named "".
//   cgroup path the container's place inside every hierarchy ("/berth/<id>"),
//               resolved from OCI linux.cgroupsPath by Open().
//   directory   <mount point of a hierarchy> + <cgroup path>.
//
// Invariants:
//   - A Manager only ever creates, writes and removes its own directories and
//     enables controllers in its ancestors' cgroup.subtree_control (v2).
//   - Resources are written in the order the kernel needs (cfs period before
//     quota, memory limit and memsw in whichever order succeeds).
//   - A controller missing on the host is a warning when the setting is absent
//     or zero and an error naming the resource when the user asked for it.
//
// Not thread-safe: one Manager is used by one thread at a time.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "oci/runtime_spec.h"

namespace berth::cgroups {

// kV1 includes the hybrid layout (v1 controllers plus a cgroup2 mount at
// <mount_root>/unified).
enum class Version { kV1, kV2 };

struct Options {
  // Where the cgroup hierarchies are mounted.
  std::string mount_root = "/sys/fs/cgroup";
  // Accept systemd-style "slice:prefix:name" cgroup paths (mapped to cgroupfs
  // paths; berth does not talk to systemd).
  bool systemd = false;
  // Test seam: the directory holding "mountinfo" and "cgroup" of the calling
  // process.
  std::string proc_self = "/proc/self";
};

// Usage figures for `docker stats`. A limit of 0 means "no limit".
struct MemoryStats {
  uint64_t usage = 0;      // bytes, memory.usage_in_bytes / memory.current
  uint64_t max_usage = 0;  // bytes, memory.max_usage_in_bytes / memory.peak (0 if unknown)
  uint64_t limit = 0;      // bytes
  uint64_t cache = 0;      // page cache bytes (v1 total_cache, v2 file)
};
struct CpuStats {
  uint64_t usage_ns = 0;
  uint64_t user_ns = 0;
  uint64_t system_ns = 0;
  std::vector<uint64_t> percpu_ns;  // v1 only
};
struct PidsStats {
  uint64_t current = 0;
  uint64_t limit = 0;
};
struct Stats {
  MemoryStats memory;
  CpuStats cpu;
  PidsStats pids;
};

// Which cgroup layout is mounted at opts.mount_root.
Result<Version> DetectVersion(const Options& opts);

// One container's cgroup, in every hierarchy.
class Manager {
 public:
  virtual ~Manager() = default;

  // cgroups_path is OCI linux.cgroupsPath:
  //   "/a/b"  relative to each hierarchy's root;
  //   "a/b"   relative to the calling process's own cgroup (/proc/self/cgroup);
  //   ""      "/berth/<id>";
  //   with opts.systemd, "slice:prefix:name" maps to
  //   "/<slice expanded: a-b.slice -> a.slice/a-b.slice>/<prefix>-<name>.scope"
  //   (an empty slice is system.slice; an empty path "system.slice:berth:<id>").
  // Opening touches nothing; Create() makes the directories.
  static Result<std::unique_ptr<Manager>> Open(std::string_view cgroups_path, std::string_view id,
                                               const Options& opts);

  virtual Version version() const = 0;
  // mkdir -p in every hierarchy. v1 cpuset: empty cpuset.cpus/mems of any
  // level are copied from the parent. v2: controllers available at the root are
  // enabled in the ancestors' cgroup.subtree_control (failures only logged).
  virtual Status Create() = 0;
  // Writes the resources; may be called again to update them. An empty device
  // list leaves the device controller untouched.
  virtual Status Apply(const oci::Resources& resources) = 0;
  // Moves pid into the cgroup in every hierarchy.
  virtual Status AddProcess(pid_t pid) = 0;
  // Every process in the cgroup and its descendants.
  virtual Result<std::vector<pid_t>> Pids() = 0;
  // Freeze/Thaw return once the state is reached, or an error after a deadline.
  virtual Status Freeze() = 0;
  virtual Status Thaw() = 0;
  // False when there is no freezer or the cgroup does not exist.
  virtual Result<bool> Frozen() = 0;
  // Signals every process (freezing first when possible, so none escapes by
  // forking; v2 uses cgroup.kill for SIGKILL when present). A cgroup that
  // does not exist has nothing to signal.
  virtual Status KillAll(int sig) = 0;
  // Removes the directories (descendants first) in every hierarchy. Missing
  // directories are fine; EBUSY is retried until a deadline.
  virtual Status Destroy() = 0;
  // (hierarchy name, absolute directory) for every hierarchy; "" names the
  // unified (v2) hierarchy.
  virtual std::vector<std::pair<std::string, std::string>> Paths() const = 0;
  virtual Result<Stats> GetStats() = 0;
};

}  // namespace berth::cgroups
