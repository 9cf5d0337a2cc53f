// cgroup v2 device control: an eBPF program of type
// BPF_PROG_TYPE_CGROUP_DEVICE built from the OCI rule list and attached to
// the container's cgroup with BPF_F_ALLOW_MULTI.
//
// Semantics (as runc): rules are matched last-to-first, the last matching rule
// decides; an access no rule matches is denied. A request matches a rule when
// the type agrees (or the rule type is 'a'), major/minor agree (or the rule
// has a wildcard) and, for an allow rule, every requested access bit is in the
// rule's access; for a deny rule, any of them is (so "deny w" refuses an
// O_RDWR open, as on v1).
#pragma once

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "runtime/cgroups/resources.h"

namespace berth::cgroups {

// The program's instructions (pure; no kernel involved).
std::vector<bpf_insn> BuildDeviceProgram(const std::vector<DeviceRule>& rules);

// Loads the program and attaches it to cgroup_dir, then detaches the device
// programs that were attached there before (so Apply can be repeated).
Status AttachDeviceFilter(const std::string& cgroup_dir, const std::vector<DeviceRule>& rules);

}  // namespace berth::cgroups
