// Linux capabilities by name, and applying the five sets to this process.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::sys {

// "CAP_SYS_ADMIN" (case-insensitive, "CAP_" optional) -> 21.
Result<int> CapFromName(std::string_view name);
std::string CapName(int cap);
// Highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap).
int LastCap();
// Every capability name the kernel knows, CAP_CHOWN first.
std::vector<std::string> AllCapNames();

struct CapSets {
  uint64_t bounding = 0, effective = 0, inheritable = 0, permitted = 0, ambient = 0;
};

// Turns name lists into bit masks. Names the kernel does not know are
// skipped (and reported in *unknown) rather than failing, as runc does, so a
// config written for a newer kernel still runs.
Result<uint64_t> CapMask(const std::vector<std::string>& names,
                         std::vector<std::string>* unknown = nullptr);

// Drops every capability not in `keep` from the bounding set (needs
// CAP_SETPCAP, so call before changing user).
Status DropBounding(uint64_t keep);
// capset(2) of effective/permitted/inheritable, then the ambient set (only
// capabilities also permitted and inheritable can be ambient; others are
// skipped).
Status SetCapabilities(const CapSets& sets);

}  // namespace berth::sys
