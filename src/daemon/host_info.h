// Facts about the host that /version and /info report, read once at
// start-up (uname, /etc/os-release, /proc/meminfo, the cgroup mount).
#pragma once

#include <cstdint>
#include <string>

namespace berth::daemon {

struct HostInfo {
  std::string kernel_version;    // "6.1.0-18-amd64"
  std::string operating_system;  // "Debian GNU/Linux 12 (bookworm)"
  std::string os_version;        // "12"
  std::string architecture;      // uname machine: "x86_64"
  std::string go_arch;           // Go's name for it: "amd64"
  std::string hostname;
  int64_t ncpu = 1;
  int64_t mem_total = 0;       // bytes
  std::string cgroup_version;  // "1" or "2"
};

HostInfo ReadHostInfo();

// Docker's name for the file system under path ("extfs", "xfs", "btrfs",
// "tmpfs", "overlayfs", ...; "<unknown>" otherwise).
std::string BackingFilesystem(const std::string& path);

// Go's GOARCH for a uname machine ("x86_64" → "amd64", "aarch64" → "arm64").
std::string GoArch(const std::string& machine);

// The number of open fds and threads of this process (for /info).
int64_t OpenFds();
int64_t ThreadCount();

}  // namespace berth::daemon
