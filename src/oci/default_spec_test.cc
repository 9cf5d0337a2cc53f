#include <gtest/gtest.h>
#include <unistd.h>

#include "oci/runtime_spec_codec.h"

namespace berth::oci {
namespace {

using nlohmann::json;

// `runc spec` (runc 1.1.5) with ociVersion "1.0.2" and hostname "berth".
const char* kDefault = R"(
{"ociVersion": "1.0.2", "process": {"terminal": true, "user": {"uid": 0, "gid": 0}, "args":
["sh"], "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
"TERM=xterm"], "cwd": "/", "capabilities": {"bounding": ["CAP_AUDIT_WRITE", "CAP_KILL",
"CAP_NET_BIND_SERVICE"], "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
"permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"], "ambient":
["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]}, "rlimits": [{"type": "RLIMIT_NOFILE",
"hard": 1024, "soft": 1024}], "noNewPrivileges": true}, "root": {"path": "rootfs", "readonly":
true}, "hostname": "berth", "mounts": [{"destination": "/proc", "type": "proc", "source":
"proc"}, {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid",
"strictatime", "mode=755", "size=65536k"]}, {"destination": "/dev/pts", "type": "devpts",
"source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
"gid=5"]}, {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid",
"noexec", "nodev", "mode=1777", "size=65536k"]}, {"destination": "/dev/mqueue", "type":
"mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]}, {"destination": "/sys",
"type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid",
"noexec", "nodev", "relatime", "ro"]}], "linux": {"resources": {"devices": [{"allow": false,
"access": "rwm"}]}, "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"},
{"type": "uts"}, {"type": "mount"}], "maskedPaths": ["/proc/acpi", "/proc/asound",
"/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
"/proc/sched_debug", "/sys/firmware", "/proc/scsi"], "readonlyPaths": ["/proc/bus", "/proc/fs",
"/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]}}
)";

// `runc spec --rootless` (runc 1.1.5), adapted the same way; the mappings'
// hostID is the caller's uid and gid (0 here, filled in by the test).
const char* kRootless = R"(
{"ociVersion": "1.0.2", "process": {"terminal": true, "user": {"uid": 0, "gid": 0}, "args":
["sh"], "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
"TERM=xterm"], "cwd": "/", "capabilities": {"bounding": ["CAP_AUDIT_WRITE", "CAP_KILL",
"CAP_NET_BIND_SERVICE"], "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
"permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"], "ambient":
["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]}, "rlimits": [{"type": "RLIMIT_NOFILE",
"hard": 1024, "soft": 1024}], "noNewPrivileges": true}, "root": {"path": "rootfs", "readonly":
true}, "hostname": "berth", "mounts": [{"destination": "/proc", "type": "proc", "source":
"proc"}, {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid",
"strictatime", "mode=755", "size=65536k"]}, {"destination": "/dev/pts", "type": "devpts",
"source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666",
"mode=0620"]}, {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options":
["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]}, {"destination": "/dev/mqueue",
"type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]}, {"destination":
"/sys", "type": "none", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev",
"ro"]}, {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options":
["nosuid", "noexec", "nodev", "relatime", "ro"]}], "linux": {"uidMappings": [{"containerID": 0,
"hostID": 0, "size": 1}], "gidMappings": [{"containerID": 0, "hostID": 0, "size": 1}],
"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type":
"user"}], "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
"/sys/firmware", "/proc/scsi"], "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq",
"/proc/sys", "/proc/sysrq-trigger"]}}
)";

TEST(DefaultSpec, MatchesRuncSpec) {
  EXPECT_EQ(ToJson(DefaultSpec()), json::parse(kDefault));
  EXPECT_EQ(ToJson(DefaultSpec(false)), json::parse(kDefault));
}

TEST(DefaultSpec, RootlessMatchesRuncSpecRootless) {
  json expected = json::parse(kRootless);
  expected["linux"]["uidMappings"][0]["hostID"] = ::getuid();
  expected["linux"]["gidMappings"][0]["hostID"] = ::getgid();
  EXPECT_EQ(ToJson(DefaultSpec(true)), expected);
}

TEST(DefaultSpec, ParsesBackToTheSameSpec) {
  for (bool rootless : {false, true}) {
    Spec spec = DefaultSpec(rootless);
    auto parsed = ParseSpec(ToOrderedJson(spec).dump(2));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    EXPECT_TRUE(parsed->has_process);
    EXPECT_EQ(ToJson(*parsed), ToJson(spec));
  }
}

TEST(DefaultSpec, OrderedOutputLooksLikeRunc) {
  std::string text = ToOrderedJson(DefaultSpec()).dump(1, '\t');
  EXPECT_EQ(
      text.rfind("{\n\t\"ociVersion\": \"1.0.2\",\n\t\"process\": {\n\t\t\"terminal\": true,", 0),
      0u)
      << text.substr(0, 80);
}

}  // namespace
}  // namespace berth::oci
