// Where the cgroup hierarchies are and where a container's cgroup goes in
// each: /proc/self/mountinfo and /proc/self/cgroup parsing, version
// detection, cgroupsPath resolution (including the systemd slice syntax).
// Everything but LoadLayout/OwnCgroups is a pure function over strings.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "runtime/cgroups/cgroups.h"

namespace berth::cgroups {

struct Hierarchy {
  std::string name;                      // "memory", "cpu,cpuacct"; "" for cgroup2
  std::vector<std::string> controllers;  // v1 controllers (empty for cgroup2)
  std::string mount_point;               // "/sys/fs/cgroup/memory"
  std::string root = "/";                // mountinfo root field (cgroup namespaces)
};

struct Layout {
  Version version = Version::kV1;
  std::vector<Hierarchy> v1;          // v1 controller hierarchies (named ones skipped)
  std::optional<Hierarchy> unified;   // the cgroup2 mount (v2 root or hybrid "unified")
};

// Parses mountinfo text and keeps cgroup mounts at or below mount_root.
// v2: a cgroup2 mount at mount_root. v1: any v1 controller mount below it;
// a cgroup2 mount below it is the hybrid "unified" hierarchy.
Result<Layout> ParseLayout(std::string_view mountinfo, std::string_view mount_root);
Result<Layout> LoadLayout(const Options& opts);

// Parses /proc/<pid>/cgroup: hierarchy name ("" for v2, "cpu,cpuacct",
// "name=systemd") -> path.
std::map<std::string, std::string> ParseProcCgroup(std::string_view text);

// The calling process's cgroup in hierarchy h, relative to the mount point
// (strips the mount's root field when the path lies inside it).
std::string OwnPathIn(const Hierarchy& h, const std::map<std::string, std::string>& own);

// Expands a systemd slice name: "a-b.slice" -> "/a.slice/a-b.slice",
// "-.slice" -> "/".
Result<std::string> ExpandSlice(std::string_view slice);
// Maps "slice:prefix:name" to a cgroupfs path.
Result<std::string> SystemdPath(std::string_view spec);

// The container's cgroup path as written in linux.cgroupsPath, normalised:
// absolute paths are cleaned, "" becomes "/berth/<id>", systemd specs are
// mapped. Relative paths stay relative (resolved per hierarchy by Resolve).
Result<std::string> NormalizeCgroupsPath(std::string_view path, std::string_view id, bool systemd);

// Resolves a normalised path in hierarchy h (relative ones below own) to a
// path relative to the mount point, starting with "/".
std::string ResolveIn(const Hierarchy& h, std::string_view normalized,
                      const std::map<std::string, std::string>& own);

}  // namespace berth::cgroups
