// DefaultSpec(): the config.json `berth-runtime spec` writes, modelled on the
// output of `runc spec` and `runc spec --rootless` (runc 1.1).
#include <unistd.h>

#include "oci/runtime_spec_codec.h"

namespace berth::oci {

namespace {

Process DefaultProcess() {
  Process p;
  p.terminal = true;
  p.args = {"sh"};
  p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  p.cwd = "/";
  const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  Capabilities c;
  c.bounding = c.effective = c.permitted = c.ambient = caps;
  p.capabilities = c;
  p.rlimits = {{"RLIMIT_NOFILE", 1024, 1024}};
  p.no_new_privileges = true;
  return p;
}

std::vector<Mount> DefaultMounts(bool rootless) {
  std::vector<std::string> devpts = {"nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                     "mode=0620"};
  // A rootless container has no group 5 (tty) mapped.
  if (!rootless) devpts.push_back("gid=5");
  Mount sys = {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}};
  // Without a network namespace of its own, sysfs cannot be mounted fresh.
  if (rootless) sys = {"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}};
  return {
      {"/proc", "proc", "proc", {}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts", "devpts", "devpts", devpts},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      sys,
      {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}},
  };
}

Linux DefaultLinux(bool rootless) {
  Linux l;
  if (rootless) {
    l.uid_mappings = {{0, static_cast<uint32_t>(::getuid()), 1}};
    l.gid_mappings = {{0, static_cast<uint32_t>(::getgid()), 1}};
    l.namespaces = {{"pid", ""}, {"ipc", ""}, {"uts", ""}, {"mount", ""}, {"user", ""}};
  } else {
    Resources r;
    r.devices = {{.allow = false, .access = "rwm"}};
    l.resources = r;
    l.namespaces = {{"pid", ""}, {"network", ""}, {"ipc", ""}, {"uts", ""}, {"mount", ""}};
  }
  l.masked_paths = {"/proc/acpi",        "/proc/asound",        "/proc/kcore",
                    "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug",   "/sys/firmware",
                    "/proc/scsi"};
  l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  return l;
}

}  // namespace

Spec DefaultSpec(bool rootless) {
  Spec spec;
  spec.oci_version = kVersion;
  spec.process = DefaultProcess();
  spec.has_process = true;
  spec.root = {"rootfs", true};
  spec.hostname = "berth";
  spec.mounts = DefaultMounts(rootless);
  spec.linux = DefaultLinux(rootless);
  return spec;
}

}  // namespace berth::oci
