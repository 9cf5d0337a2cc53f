// OCI linux.resources -> the cgroupfs writes that apply them, as pure
// functions. A plan is an ordered list of Writes; the v1/v2 managers carry it
// out against the directories they own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "oci/runtime_spec.h"

namespace berth::cgroups {

// What to do when the controller or every candidate file is missing.
enum class IfMissing {
  kError,  // the user asked for it: fail, naming the resource
  kWarn,   // a default/unlimited value or a best-effort setting: log and skip
};

struct Write {
  struct Choice {
    std::string file;   // "memory.limit_in_bytes"
    std::string value;  // "1048576"
    bool operator==(const Choice&) const = default;
  };
  std::string controller;       // "memory", "cpu", "io"...; "" for cgroup core files
  std::vector<Choice> choices;  // the first whose file exists is written
  std::string resource;         // OCI name for messages: "memory.limit"
  IfMissing if_missing = IfMissing::kError;

  bool operator==(const Write&) const = default;
};

// A device rule with defaults filled in and types checked.
struct DeviceRule {
  bool allow = false;
  char type = 'a';         // 'a', 'c', 'b'
  int64_t major = -1;      // -1: any
  int64_t minor = -1;      // -1: any
  std::string access;      // non-empty subset of "rwm", in that order
};
Result<DeviceRule> NormalizeDeviceRule(const oci::DeviceCgroup& rule);

// v1 devices.allow/deny lines for one rule: "c 1:3 rwm", "b *:* r", "a".
// A type-"a" rule that is not "everything, rwm" becomes a c and a b line.
std::vector<std::string> DeviceRuleLines(const DeviceRule& rule);

// Hugepage size names as the kernel spells them in file names ("2MB", "1GB").
Status ValidatePageSize(const std::string& page_size);

// cgroup v1 plan. Order matters: cfs period before quota, rt period before
// runtime, devices "a" deny before the rules. memory.limit_in_bytes is
// immediately followed by memory.memsw.limit_in_bytes when both are set.
Result<std::vector<Write>> PlanV1(const oci::Resources& r);

// cgroup v2 conversions.
uint64_t SharesToWeight(uint64_t shares);            // cpu.shares -> cpu.weight
uint64_t BlkioWeightToIoWeight(uint64_t weight);     // 10..1000 -> 1..10000
// OCI swap (memory+swap) -> memory.swap.max. nullopt: leave unset.
Result<std::optional<std::string>> SwapMaxV2(std::optional<int64_t> limit,
                                             std::optional<int64_t> swap);
// Rejects unified keys that are not plain file names of the cgroup directory.
Status ValidateUnifiedKey(const std::string& key);

// cgroup v2 plan (without devices, which are an eBPF program). The unified
// map comes last so its values win.
Result<std::vector<Write>> PlanV2(const oci::Resources& r);

}  // namespace berth::cgroups
