#include "sys/capabilities.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>

#include "base/fs.h"
#include "base/strings.h"

namespace berth::sys {
namespace {

constexpr std::array<const char*, 41> kNames{
    "CAP_CHOWN",          "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID",         "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
    "CAP_SETPCAP",        "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",      "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",     "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",      "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",   "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
    "CAP_LEASE",          "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",   "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",  "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

}  // namespace

int LastCap() {
  static int last = [] {
    auto s = fs::ReadFile("/proc/sys/kernel/cap_last_cap");
    if (s.ok()) {
      if (auto n = str::ParseInt(str::Trim(*s))) return static_cast<int>(*n);
    }
    return static_cast<int>(kNames.size()) - 1;
  }();
  return last;
}

Result<int> CapFromName(std::string_view name) {
  std::string up(name);
  for (char& c : up) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (!str::StartsWith(up, "CAP_")) up = "CAP_" + up;
  for (size_t i = 0; i < kNames.size(); ++i)
    if (up == kNames[i]) return static_cast<int>(i);
  return Error::Invalid("unknown capability \"" + std::string(name) + "\"");
}

std::string CapName(int cap) {
  if (cap >= 0 && static_cast<size_t>(cap) < kNames.size()) return kNames[cap];
  return "CAP_" + std::to_string(cap);
}

std::vector<std::string> AllCapNames() {
  std::vector<std::string> out;
  for (int i = 0; i <= LastCap(); ++i) out.push_back(CapName(i));
  return out;
}

Result<uint64_t> CapMask(const std::vector<std::string>& names, std::vector<std::string>* unknown) {
  uint64_t mask = 0;
  for (const auto& n : names) {
    auto c = CapFromName(n);
    if (!c.ok() || *c > LastCap()) {
      if (unknown) unknown->push_back(n);
      continue;
    }
    mask |= uint64_t{1} << *c;
  }
  return mask;
}

Status DropBounding(uint64_t keep) {
  for (int c = 0; c <= LastCap(); ++c) {
    if (keep & (uint64_t{1} << c)) continue;
    if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
      return Error::Sys("drop " + CapName(c) + " from the bounding set");
  }
  return Ok();
}

Status SetCapabilities(const CapSets& s) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  data[0].effective = static_cast<uint32_t>(s.effective);
  data[1].effective = static_cast<uint32_t>(s.effective >> 32);
  data[0].permitted = static_cast<uint32_t>(s.permitted);
  data[1].permitted = static_cast<uint32_t>(s.permitted >> 32);
  data[0].inheritable = static_cast<uint32_t>(s.inheritable);
  data[1].inheritable = static_cast<uint32_t>(s.inheritable >> 32);
  if (::syscall(SYS_capset, &hdr, data) < 0) return Error::Sys("capset");
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return Error::Sys("clear the ambient capabilities");
  for (int c = 0; c <= LastCap(); ++c) {
    if (!(s.ambient & (uint64_t{1} << c))) continue;
    // The kernel raises an ambient capability only when it is permitted and
    // inheritable; like runc, others are skipped rather than fatal.
    if (!(s.permitted & s.inheritable & (uint64_t{1} << c))) continue;
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      return Error::Sys("raise ambient " + CapName(c));
  }
  return Ok();
}

}  // namespace berth::sys
