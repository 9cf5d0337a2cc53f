// /proc/self/mountinfo, parsed (only what the rootfs code needs).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::rootfs {

struct MountInfo {
  int id = 0;
  int parent = 0;
  std::string mount_point;  // unescaped (\040 -> ' ')
  std::vector<std::string> optional;  // "shared:5", "master:1"
  std::string fs_type;

  bool shared() const;
};

Result<std::vector<MountInfo>> ParseMountInfo(std::string_view text);
Result<std::vector<MountInfo>> ReadMountInfo();  // /proc/self/mountinfo

// The mount that holds path (absolute, symlink-free): the longest mount point
// that is path or one of its parents; of stacked mounts the last (top) one.
// Null when there is none.
const MountInfo* MountOf(const std::vector<MountInfo>& mounts, std::string_view path);

}  // namespace berth::rootfs
