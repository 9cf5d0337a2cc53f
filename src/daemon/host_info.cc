#include "daemon/host_info.h"

#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/strings.h"

namespace berth::daemon {
namespace {

// The value of key in an os-release file, unquoted.
std::string OsReleaseValue(const std::string& text, std::string_view key) {
  for (const std::string& line : str::Split(text, '\n')) {
    auto [k, v] = str::Cut(line, '=');
    if (k != key) continue;
    std::string_view val = str::Trim(v);
    if (val.size() >= 2 && (val.front() == '"' || val.front() == '\'') && val.back() == val.front())
      val = val.substr(1, val.size() - 2);
    return std::string(val);
  }
  return "";
}

int64_t MemTotal() {
  auto text = fs::ReadFile("/proc/meminfo");
  if (!text.ok()) return 0;
  for (const std::string& line : str::Split(*text, '\n')) {
    if (!str::StartsWith(line, "MemTotal:")) continue;
    std::string_view rest = str::Trim(std::string_view(line).substr(9));
    auto kb = str::ParseInt(str::Split(std::string(rest), ' ')[0]);
    return kb ? *kb * 1024 : 0;
  }
  return 0;
}

int64_t CountDir(const std::string& path) {
  auto entries = fs::ListDir(path);
  return entries.ok() ? static_cast<int64_t>(entries->size()) : 0;
}

}  // namespace

std::string GoArch(const std::string& machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  if (machine == "i386" || machine == "i686") return "386";
  if (machine == "armv7l" || machine == "armv6l") return "arm";
  if (machine == "ppc64le") return "ppc64le";
  if (machine == "s390x") return "s390x";
  if (machine == "riscv64") return "riscv64";
  return machine;
}

HostInfo ReadHostInfo() {
  HostInfo h;
  struct utsname u;
  if (uname(&u) == 0) {
    h.kernel_version = u.release;
    h.architecture = u.machine;
    h.hostname = u.nodename;
  }
  h.go_arch = GoArch(h.architecture);
  auto osr = fs::ReadFile("/etc/os-release");
  if (!osr.ok()) osr = fs::ReadFile("/usr/lib/os-release");
  if (osr.ok()) {
    h.operating_system = OsReleaseValue(*osr, "PRETTY_NAME");
    h.os_version = OsReleaseValue(*osr, "VERSION_ID");
  }
  if (h.operating_system.empty()) h.operating_system = "Linux";
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  h.ncpu = n > 0 ? n : 1;
  h.mem_total = MemTotal();
  struct statfs st;
  h.cgroup_version =
      statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC ? "2" : "1";
  return h;
}

std::string BackingFilesystem(const std::string& path) {
  struct statfs st;
  if (statfs(path.c_str(), &st) != 0) return "<unknown>";
  switch (static_cast<unsigned long>(st.f_type)) {
    case EXT4_SUPER_MAGIC:
      return "extfs";
    case XFS_SUPER_MAGIC:
      return "xfs";
    case BTRFS_SUPER_MAGIC:
      return "btrfs";
    case TMPFS_MAGIC:
      return "tmpfs";
    case OVERLAYFS_SUPER_MAGIC:
      return "overlayfs";
    case 0x2fc12fc1:
      return "zfs";
    case 0x65735546:
      return "fuse";
    case NFS_SUPER_MAGIC:
      return "nfs";
    default:
      return "<unknown>";
  }
}

int64_t OpenFds() { return CountDir("/proc/self/fd"); }
int64_t ThreadCount() { return CountDir("/proc/self/task"); }

}  // namespace berth::daemon
