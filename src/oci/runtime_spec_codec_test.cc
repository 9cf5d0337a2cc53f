#include "oci/runtime_spec_codec.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace berth::oci {
namespace {

using nlohmann::json;

// A config.json that sets every field the types model, each to a value that
// differs from the default.
const char* kMaximalConfig = R"({
  "ociVersion": "1.0.2",
  "process": {
    "terminal": true,
    "consoleSize": {"height": 25, "width": 80},
    "user": {"uid": 1000, "gid": 1001, "umask": 18, "additionalGids": [5, 6],
             "username": "alice"},
    "args": ["/bin/sh", "-c", "echo hi"],
    "env": ["PATH=/bin", "A=b=c"],
    "cwd": "/work",
    "capabilities": {
      "bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"],
      "inheritable": ["CAP_CHOWN"], "permitted": ["CAP_KILL"], "ambient": ["CAP_SETUID"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 4096, "soft": 1024},
                {"type": "RLIMIT_CORE", "hard": 18446744073709551615, "soft": 0}],
    "noNewPrivileges": true,
    "apparmorProfile": "berth-default",
    "oomScoreAdj": -500,
    "selinuxLabel": "system_u:system_r:container_t:s0"
  },
  "root": {"path": "/var/lib/rootfs", "readonly": true},
  "hostname": "box",
  "domainname": "example.org",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/data", "type": "bind", "source": "/srv/data",
     "options": ["rbind", "ro"]}
  ],
  "hooks": {
    "prestart": [{"path": "/usr/bin/net-setup", "args": ["net-setup", "up"],
                  "env": ["X=1"], "timeout": 5}],
    "createRuntime": [{"path": "/bin/cr"}],
    "createContainer": [{"path": "/bin/cc"}],
    "startContainer": [{"path": "/bin/sc"}],
    "poststart": [{"path": "/bin/ps"}],
    "poststop": [{"path": "/bin/pstop", "timeout": 1}]
  },
  "annotations": {"org.example.key": "value", "empty": ""},
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network", "path": "/run/netns/x"},
                   {"type": "mount"}, {"type": "user"}],
    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 1000}],
    "devices": [{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229,
                 "fileMode": 438, "uid": 0, "gid": 0}],
    "cgroupsPath": "/berth/abc",
    "resources": {
      "devices": [{"allow": false, "access": "rwm"},
                  {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}],
      "memory": {"limit": 536870912, "reservation": 268435456, "swap": -1, "kernel": -1,
                 "kernelTCP": 1048576, "swappiness": 60, "disableOOMKiller": true,
                 "useHierarchy": false},
      "cpu": {"shares": 512, "quota": -1, "period": 100000, "realtimeRuntime": 950000,
              "realtimePeriod": 1000000, "cpus": "0-1", "mems": "0"},
      "pids": {"limit": -1},
      "blockIO": {
        "weight": 500, "leafWeight": 300,
        "weightDevice": [{"major": 8, "minor": 0, "weight": 600, "leafWeight": 200}],
        "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
        "throttleWriteBpsDevice": [{"major": 8, "minor": 16, "rate": 2097152}],
        "throttleReadIOPSDevice": [{"major": 8, "minor": 0, "rate": 100}],
        "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 200}]
      },
      "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}],
      "unified": {"memory.high": "1073741824", "io.weight": "100"}
    },
    "rootfsPropagation": "rslave",
    "seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO",
      "defaultErrnoRet": 1,
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
      "flags": ["SECCOMP_FILTER_FLAG_LOG"],
      "listenerPath": "/run/seccomp.sock",
      "syscalls": [
        {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 8, "valueTwo": 0, "op": "SCMP_CMP_EQ"},
                  {"index": 1, "value": 4294967295, "valueTwo": 16, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}
      ]
    },
    "sysctl": {"net.ipv4.ip_forward": "1"},
    "maskedPaths": ["/proc/kcore"],
    "readonlyPaths": ["/proc/sys"],
    "mountLabel": "system_u:object_r:container_file_t:s0"
  }
})";

TEST(ParseSpec, ReadsEveryField) {
  auto r = ParseSpec(kMaximalConfig);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const Spec& s = *r;
  EXPECT_EQ(s.oci_version, "1.0.2");
  ASSERT_TRUE(s.has_process);
  const Process& p = s.process;
  EXPECT_TRUE(p.terminal);
  ASSERT_TRUE(p.console_size);
  EXPECT_EQ(p.console_size->height, 25u);
  EXPECT_EQ(p.console_size->width, 80u);
  EXPECT_EQ(p.user.uid, 1000u);
  EXPECT_EQ(p.user.gid, 1001u);
  EXPECT_EQ(p.user.umask, 18u);
  EXPECT_EQ(p.user.additional_gids, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(p.user.username, "alice");
  EXPECT_EQ(p.args, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
  EXPECT_EQ(p.env[1], "A=b=c");
  EXPECT_EQ(p.cwd, "/work");
  ASSERT_TRUE(p.capabilities);
  EXPECT_EQ(p.capabilities->bounding, (std::vector<std::string>{"CAP_KILL", "CAP_CHOWN"}));
  EXPECT_EQ(p.capabilities->inheritable, (std::vector<std::string>{"CAP_CHOWN"}));
  EXPECT_EQ(p.capabilities->ambient, (std::vector<std::string>{"CAP_SETUID"}));
  ASSERT_EQ(p.rlimits.size(), 2u);
  EXPECT_EQ(p.rlimits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(p.rlimits[0].hard, 4096u);
  EXPECT_EQ(p.rlimits[0].soft, 1024u);
  EXPECT_EQ(p.rlimits[1].hard, UINT64_MAX);
  EXPECT_TRUE(p.no_new_privileges);
  EXPECT_EQ(p.apparmor_profile, "berth-default");
  EXPECT_EQ(p.oom_score_adj, -500);
  EXPECT_EQ(p.selinux_label, "system_u:system_r:container_t:s0");

  EXPECT_EQ(s.root.path, "/var/lib/rootfs");
  EXPECT_TRUE(s.root.readonly);
  EXPECT_EQ(s.hostname, "box");
  EXPECT_EQ(s.domainname, "example.org");
  ASSERT_EQ(s.mounts.size(), 2u);
  EXPECT_EQ(s.mounts[1].destination, "/data");
  EXPECT_EQ(s.mounts[1].type, "bind");
  EXPECT_EQ(s.mounts[1].source, "/srv/data");
  EXPECT_EQ(s.mounts[1].options, (std::vector<std::string>{"rbind", "ro"}));
  ASSERT_EQ(s.hooks.prestart.size(), 1u);
  EXPECT_EQ(s.hooks.prestart[0].path, "/usr/bin/net-setup");
  EXPECT_EQ(s.hooks.prestart[0].args, (std::vector<std::string>{"net-setup", "up"}));
  EXPECT_EQ(s.hooks.prestart[0].env, (std::vector<std::string>{"X=1"}));
  EXPECT_EQ(s.hooks.prestart[0].timeout, 5);
  EXPECT_EQ(s.hooks.create_runtime.at(0).path, "/bin/cr");
  EXPECT_EQ(s.hooks.create_container.at(0).path, "/bin/cc");
  EXPECT_EQ(s.hooks.start_container.at(0).path, "/bin/sc");
  EXPECT_EQ(s.hooks.poststart.at(0).path, "/bin/ps");
  EXPECT_EQ(s.hooks.poststop.at(0).timeout, 1);
  EXPECT_EQ(s.annotations.at("org.example.key"), "value");
  EXPECT_EQ(s.annotations.at("empty"), "");

  const Linux& l = s.linux;
  ASSERT_EQ(l.namespaces.size(), 4u);
  EXPECT_EQ(l.namespaces[1].type, "network");
  EXPECT_EQ(l.namespaces[1].path, "/run/netns/x");
  EXPECT_EQ(l.uid_mappings.at(0).host_id, 100000u);
  EXPECT_EQ(l.uid_mappings.at(0).size, 65536u);
  EXPECT_EQ(l.gid_mappings.at(0).host_id, 200000u);
  ASSERT_EQ(l.devices.size(), 1u);
  EXPECT_EQ(l.devices[0].path, "/dev/fuse");
  EXPECT_EQ(l.devices[0].major, 10);
  EXPECT_EQ(l.devices[0].minor, 229);
  EXPECT_EQ(l.devices[0].file_mode, 0666u);
  EXPECT_EQ(l.devices[0].uid, 0u);
  EXPECT_EQ(l.cgroups_path, "/berth/abc");
  ASSERT_TRUE(l.resources);
  const Resources& res = *l.resources;
  ASSERT_EQ(res.devices.size(), 2u);
  EXPECT_FALSE(res.devices[0].allow);
  EXPECT_FALSE(res.devices[0].major);
  EXPECT_EQ(res.devices[1].major, 10);
  EXPECT_EQ(res.devices[1].access, "rw");
  ASSERT_TRUE(res.memory);
  EXPECT_EQ(res.memory->limit, 536870912);
  EXPECT_EQ(res.memory->swap, -1);
  EXPECT_EQ(res.memory->kernel_tcp, 1048576);
  EXPECT_EQ(res.memory->swappiness, 60u);
  EXPECT_EQ(res.memory->disable_oom_killer, true);
  EXPECT_EQ(res.memory->use_hierarchy, false);
  ASSERT_TRUE(res.cpu);
  EXPECT_EQ(res.cpu->shares, 512u);
  EXPECT_EQ(res.cpu->quota, -1);
  EXPECT_EQ(res.cpu->realtime_period, 1000000u);
  EXPECT_EQ(res.cpu->cpus, "0-1");
  ASSERT_TRUE(res.pids);
  EXPECT_EQ(res.pids->limit, -1);
  ASSERT_TRUE(res.block_io);
  EXPECT_EQ(res.block_io->weight, 500);
  EXPECT_EQ(res.block_io->weight_device.at(0).leaf_weight, 200);
  EXPECT_EQ(res.block_io->throttle_write_bps_device.at(0).minor, 16);
  EXPECT_EQ(res.block_io->throttle_write_iops_device.at(0).rate, 200u);
  EXPECT_EQ(res.hugepage_limits.at(0).page_size, "2MB");
  EXPECT_EQ(res.unified.at("memory.high"), "1073741824");
  EXPECT_EQ(l.rootfs_propagation, "rslave");
  ASSERT_TRUE(l.seccomp);
  EXPECT_EQ(l.seccomp->default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(l.seccomp->default_errno_ret, 1u);
  EXPECT_EQ(l.seccomp->flags, (std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"}));
  EXPECT_EQ(l.seccomp->listener_path, "/run/seccomp.sock");
  ASSERT_EQ(l.seccomp->syscalls.size(), 3u);
  EXPECT_EQ(l.seccomp->syscalls[1].args.at(1).value, 4294967295u);
  EXPECT_EQ(l.seccomp->syscalls[1].args.at(1).value_two, 16u);
  EXPECT_EQ(l.seccomp->syscalls[1].args.at(1).op, "SCMP_CMP_MASKED_EQ");
  EXPECT_EQ(l.seccomp->syscalls[2].errno_ret, 38u);
  EXPECT_EQ(l.sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(l.masked_paths, (std::vector<std::string>{"/proc/kcore"}));
  EXPECT_EQ(l.readonly_paths, (std::vector<std::string>{"/proc/sys"}));
  EXPECT_EQ(l.mount_label, "system_u:object_r:container_file_t:s0");
}

TEST(ToJson, RoundTripsMaximalConfig) {
  auto first = ParseSpec(kMaximalConfig);
  ASSERT_TRUE(first.ok()) << first.error().message();
  json encoded = ToJson(*first);
  // Every member we model comes back out unchanged, value for value.
  EXPECT_EQ(encoded,
            json::parse(kMaximalConfig)
                .patch(json::array(
                    {{{"op", "remove"}, {"path", "/linux/seccomp/syscalls/1/args/0/valueTwo"}}})));
  auto second = ParseSpec(encoded.dump());
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(ToJson(*second), encoded);
}

TEST(ToJson, OmitsAbsentAndEmpty) {
  Spec spec;
  spec.root.path = "rootfs";
  json j = ToJson(spec);
  EXPECT_EQ(j, json::parse(R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"},
                               "linux": {}})"));
  spec.has_process = true;
  spec.process.args = {"true"};
  j = ToJson(spec);
  EXPECT_EQ(j["process"], json::parse(R"({"user": {"uid": 0, "gid": 0}, "args": ["true"],
                                          "cwd": "/"})"));
}

TEST(ToOrderedJson, KeepsRuncMemberOrder) {
  Spec spec;
  spec.has_process = true;
  spec.process.args = {"sh"};
  spec.root.path = "rootfs";
  spec.hostname = "h";
  std::string text = ToOrderedJson(spec).dump();
  EXPECT_LT(text.find("ociVersion"), text.find("process"));
  EXPECT_LT(text.find("process"), text.find("root"));
  EXPECT_LT(text.find("root"), text.find("hostname"));
  EXPECT_LT(text.find("hostname"), text.find("linux"));
}

TEST(ParseSpec, Int64MinusOneRoundTrips) {
  auto r = ParseSpec(R"({"linux": {"resources": {"memory": {"limit": -1, "swap": -1}}}})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->linux.resources->memory->limit, -1);
  json j = ToJson(*r);
  EXPECT_EQ(j["linux"]["resources"]["memory"]["limit"], -1);
  EXPECT_EQ(j["linux"]["resources"]["memory"]["swap"].dump(), "-1");
}

TEST(ParseSpec, IgnoresUnknownFieldsAndNulls) {
  auto r = ParseSpec(R"({"ociVersion": "1.0.2", "x-vendor": {"a": [1, 2]},
                         "process": {"args": ["a"], "newThing": 1, "user": null},
                         "root": {"path": "r"}, "linux": {"personality": {"domain": "LINUX"},
                         "intelRdt": {}}, "hostname": null})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->has_process);
  EXPECT_EQ(r->process.args, (std::vector<std::string>{"a"}));
  EXPECT_EQ(r->process.cwd, "/");
  EXPECT_EQ(r->hostname, "");
}

TEST(ParseSpec, NoProcessMeansHasProcessFalse) {
  auto r = ParseSpec(R"({"root": {"path": "r"}})");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_process);
  EXPECT_FALSE(ToJson(*r).contains("process"));
}

struct TypeErrorCase {
  const char* json;
  const char* message;
};

class ParseSpecTypeError : public testing::TestWithParam<TypeErrorCase> {};

TEST_P(ParseSpecTypeError, NamesTheField) {
  auto r = ParseSpec(GetParam().json);
  ASSERT_FALSE(r.ok()) << GetParam().json;
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseSpecTypeError,
    testing::Values(
        TypeErrorCase{R"([])", "expected object, got array"},
        TypeErrorCase{R"({"ociVersion": 1})", "ociVersion: expected string, got number"},
        TypeErrorCase{R"({"process": {"args": ["a", "b", 3]}})",
                      "process.args[2]: expected string, got number"},
        TypeErrorCase{R"({"process": {"args": "sh"}})", "process.args: expected array, got string"},
        TypeErrorCase{R"({"process": {"args": ["a", null]}})",
                      "process.args[1]: expected string, got null"},
        TypeErrorCase{R"({"process": "x"})", "process: expected object, got string"},
        TypeErrorCase{R"({"process": {"terminal": "yes"}})",
                      "process.terminal: expected boolean, got string"},
        TypeErrorCase{R"({"process": {"consoleSize": {"height": true}}})",
                      "process.consoleSize.height: expected integer, got boolean"},
        TypeErrorCase{R"({"process": {"user": {"uid": -1}}})",
                      "process.user.uid: must not be negative, got -1"},
        TypeErrorCase{R"({"process": {"user": {"gid": 4294967296}}})",
                      "process.user.gid: value 4294967296 out of range (max 4294967295)"},
        TypeErrorCase{R"({"process": {"user": {"additionalGids": [1, "2"]}}})",
                      "process.user.additionalGids[1]: expected integer, got string"},
        TypeErrorCase{R"({"process": {"user": {"umask": 1.5}}})",
                      "process.user.umask: expected integer, got 1.5"},
        TypeErrorCase{R"({"process": {"capabilities": {"ambient": [{}]}}})",
                      "process.capabilities.ambient[0]: expected string, got object"},
        TypeErrorCase{R"({"process": {"rlimits": [{"type": "RLIMIT_NOFILE", "hard": -5}]}})",
                      "process.rlimits[0].hard: must not be negative, got -5"},
        TypeErrorCase{R"({"process": {"oomScoreAdj": 3000000000}})",
                      "process.oomScoreAdj: value 3000000000 out of range (max 2147483647)"},
        TypeErrorCase{R"({"process": {"noNewPrivileges": 1}})",
                      "process.noNewPrivileges: expected boolean, got number"},
        TypeErrorCase{R"({"root": {"path": ["/"]}})", "root.path: expected string, got array"},
        TypeErrorCase{R"({"root": {"readonly": "true"}})",
                      "root.readonly: expected boolean, got string"},
        TypeErrorCase{R"({"mounts": [{"destination": "/a"}, {"options": "ro"}]})",
                      "mounts[1].options: expected array, got string"},
        TypeErrorCase{R"({"hooks": {"poststop": [{"path": "/x", "timeout": "5"}]}})",
                      "hooks.poststop[0].timeout: expected integer, got string"},
        TypeErrorCase{R"({"annotations": {"a.b": 1}})",
                      R"(annotations["a.b"]: expected string, got number)"},
        TypeErrorCase{R"({"linux": {"namespaces": [{"type": "pid"}, {"type": 7}]}})",
                      "linux.namespaces[1].type: expected string, got number"},
        TypeErrorCase{R"({"linux": {"uidMappings": [{"hostID": -1}]}})",
                      "linux.uidMappings[0].hostID: must not be negative, got -1"},
        TypeErrorCase{R"({"linux": {"devices": [{"fileMode": -438}]}})",
                      "linux.devices[0].fileMode: must not be negative, got -438"},
        TypeErrorCase{R"({"linux": {"resources": {"memory": {"limit": "1g"}}}})",
                      "linux.resources.memory.limit: expected integer, got string"},
        TypeErrorCase{R"({"linux": {"resources": {"memory": {"swappiness": -1}}}})",
                      "linux.resources.memory.swappiness: must not be negative, got -1"},
        TypeErrorCase{R"({"linux": {"resources": {"cpu": {"shares": -2}}}})",
                      "linux.resources.cpu.shares: must not be negative, got -2"},
        TypeErrorCase{R"({"linux": {"resources": {"cpu": {"cpus": 1}}}})",
                      "linux.resources.cpu.cpus: expected string, got number"},
        TypeErrorCase{R"({"linux": {"resources": {"devices": [{"allow": "no"}]}}})",
                      "linux.resources.devices[0].allow: expected boolean, got string"},
        TypeErrorCase{R"({"linux": {"resources": {"blockIO": {"weight": 70000}}}})",
                      "linux.resources.blockIO.weight: value 70000 out of range (max 65535)"},
        TypeErrorCase{
            R"({"linux": {"resources": {"blockIO": {"throttleReadBpsDevice": [{"rate": -1}]}}}})",
            "linux.resources.blockIO.throttleReadBpsDevice[0].rate: must not be negative, got -1"},
        TypeErrorCase{R"({"linux": {"resources": {"pids": {"limit": true}}}})",
                      "linux.resources.pids.limit: expected integer, got boolean"},
        TypeErrorCase{R"({"linux": {"resources": {"unified": {"memory.max": 5}}}})",
                      R"(linux.resources.unified["memory.max"]: expected string, got number)"},
        TypeErrorCase{R"({"linux": {"seccomp": {"syscalls": [{"names": ["a"],
                          "args": [{"index": -1}]}]}}})",
                      "linux.seccomp.syscalls[0].args[0].index: must not be negative, got -1"},
        TypeErrorCase{R"({"linux": {"seccomp": {"defaultErrnoRet": "EPERM"}}})",
                      "linux.seccomp.defaultErrnoRet: expected integer, got string"},
        TypeErrorCase{R"({"linux": {"sysctl": ["a"]}})",
                      "linux.sysctl: expected object, got array"},
        TypeErrorCase{R"({"linux": {"maskedPaths": [false]}})",
                      "linux.maskedPaths[0]: expected string, got boolean"}));

TEST(ParseSpec, MalformedJsonGivesLineAndColumn) {
  // The position is where the parser stopped: the newline after "tru".
  auto r = ParseSpec("{\n  \"ociVersion\": \"1.0.2\",\n  \"hostname\": tru\n}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message().rfind("invalid JSON at line 3, column 18: ", 0), 0u)
      << r.error().message();

  r = ParseSpec("{\"a\": 1,}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().rfind("invalid JSON at line 1, column 9: ", 0), 0u)
      << r.error().message();

  r = ParseSpec("{\n\"a\": [1,\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().rfind("invalid JSON at line 3, column 1: ", 0), 0u)
      << r.error().message();

  r = ParseSpec("");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().rfind("invalid JSON at line 1, column 1: ", 0), 0u)
      << r.error().message();
  // nlohmann's own prefix is not repeated.
  EXPECT_EQ(r.error().message().find("json.exception"), std::string::npos);
}

// Every node of the maximal config replaced by a value of every JSON type:
// the parser returns a value or an InvalidArgument error, never throws.
TEST(ParseSpec, AnyTypeAnywhereIsAnErrorNotACrash) {
  const json doc = json::parse(kMaximalConfig);
  const json replacements[] = {nullptr, true, 1, -1, 1.5, "s", json::array(), json::object()};
  const json flat = doc.flatten();
  size_t errors = 0;
  for (auto it = flat.begin(); it != flat.end(); ++it) {
    for (json::json_pointer ptr(it.key()); !ptr.empty(); ptr = ptr.parent_pointer()) {
      for (const json& r : replacements) {
        json mutated = doc;
        mutated[ptr] = r;
        auto result = ParseSpec(mutated.dump());
        if (!result.ok()) {
          ++errors;
          EXPECT_EQ(result.error().code(), Code::kInvalidArgument) << result.error().message();
        }
      }
    }
  }
  EXPECT_GT(errors, 1000u);
}

TEST(ParseSpec, EveryTruncationIsAnError) {
  const std::string text = kMaximalConfig;
  for (size_t n = 0; n < text.size(); ++n) {
    auto r = ParseSpec(std::string_view(text).substr(0, n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().message().rfind("invalid JSON at line ", 0), 0u) << r.error().message();
  }
}

// What podman writes for `podman run --pids-limit -1 --memory-swap -1` with a
// joined network namespace and its default seccomp profile (abridged).
const char* kPodmanConfig = R"({
  "ociVersion": "1.0.2-dev",
  "process": {
    "user": {"uid": 0, "gid": 0, "umask": 18, "additionalGids": [0, 1, 2, 3, 4, 6, 10]},
    "args": ["/bin/sh"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "TERM=xterm", "container=podman", "HOSTNAME=5c3e0e4c9d1a", "HOME=/root"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                   "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
                   "CAP_SETUID", "CAP_SYS_CHROOT"],
      "effective": ["CAP_CHOWN", "CAP_KILL"],
      "permitted": ["CAP_CHOWN", "CAP_KILL"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1048576, "soft": 1048576},
                {"type": "RLIMIT_NPROC", "hard": 4194304, "soft": 4194304}],
    "oomScoreAdj": 0
  },
  "root": {"path": "/var/lib/containers/storage/overlay/abc/merged"},
  "hostname": "5c3e0e4c9d1a",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc",
     "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/etc/hosts", "type": "bind",
     "source": "/run/containers/storage/overlay-containers/abc/userdata/hosts",
     "options": ["bind", "rprivate"]}
  ],
  "hooks": {},
  "annotations": {"io.container.manager": "libpod", "org.opencontainers.image.stopSignal": "15"},
  "linux": {
    "sysctl": {"net.ipv4.ping_group_range": "0 0"},
    "resources": {
      "devices": [{"allow": false, "access": "rwm"}],
      "memory": {"limit": 268435456, "swap": -1},
      "pids": {"limit": -1}
    },
    "cgroupsPath": "machine.slice:libpod:abc",
    "namespaces": [
      {"type": "pid"},
      {"type": "network", "path": "/run/netns/netns-1234"},
      {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}
    ],
    "seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO",
      "defaultErrnoRet": 38,
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
      "syscalls": [
        {"names": ["bdflush", "io_pgetevents", "kexec_file_load"], "action": "SCMP_ACT_ERRNO",
         "errnoRet": 1},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 0, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
        {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}
      ]
    },
    "maskedPaths": ["/proc/acpi", "/proc/kcore"],
    "readonlyPaths": ["/proc/asound", "/proc/bus"]
  }
})";

TEST(ParseSpec, PodmanConfig) {
  auto r = ParseSpec(kPodmanConfig);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const Spec& s = *r;
  EXPECT_EQ(s.oci_version, "1.0.2-dev");
  EXPECT_FALSE(s.process.terminal);
  EXPECT_EQ(s.process.user.additional_gids.size(), 7u);
  EXPECT_EQ(s.process.capabilities->bounding.size(), 11u);
  EXPECT_TRUE(s.process.capabilities->ambient.empty());
  EXPECT_EQ(s.process.oom_score_adj, 0);
  EXPECT_FALSE(s.root.readonly);
  EXPECT_EQ(s.mounts.at(2).options, (std::vector<std::string>{"bind", "rprivate"}));
  EXPECT_TRUE(s.hooks.prestart.empty());
  EXPECT_EQ(s.annotations.size(), 2u);
  EXPECT_EQ(s.linux.cgroups_path, "machine.slice:libpod:abc");
  EXPECT_EQ(s.linux.namespaces.at(1).path, "/run/netns/netns-1234");
  EXPECT_EQ(s.linux.namespaces.at(5).type, "cgroup");
  EXPECT_EQ(s.linux.resources->memory->swap, -1);
  EXPECT_FALSE(s.linux.resources->memory->reservation);
  EXPECT_EQ(s.linux.resources->pids->limit, -1);
  EXPECT_EQ(s.linux.seccomp->default_errno_ret, 38u);
  EXPECT_EQ(s.linux.seccomp->syscalls.at(0).errno_ret, 1u);
  EXPECT_EQ(s.linux.seccomp->syscalls.at(2).args.at(0).value, 2114060288u);
  EXPECT_EQ(s.linux.seccomp->syscalls.at(2).args.at(0).op, "SCMP_CMP_MASKED_EQ");
  EXPECT_TRUE(Validate(s).ok()) << Validate(s).error().message();

  auto again = ParseSpec(ToJson(s).dump());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ToJson(*again), ToJson(s));
}

TEST(ParseProcess, ReadsProcessJsonAndRoundTrips) {
  auto r = ParseProcess(R"({"terminal": false, "args": ["ps", "aux"], "cwd": "/tmp",
                            "env": ["A=1"], "user": {"uid": 33, "gid": 33},
                            "capabilities": {"bounding": ["CAP_KILL"]}, "oomScoreAdj": 5})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->args, (std::vector<std::string>{"ps", "aux"}));
  EXPECT_EQ(r->cwd, "/tmp");
  EXPECT_EQ(r->user.uid, 33u);
  auto again = ParseProcess(ToJson(*r).dump());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ToJson(*again), ToJson(*r));
  EXPECT_EQ(ToJson(*r)["oomScoreAdj"], 5);

  auto bad = ParseProcess(R"({"args": [1]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "args[0]: expected string, got number");
}

TEST(State, ToJsonAndBack) {
  State st;
  st.id = "web";
  st.status = "running";
  st.pid = 4242;
  st.bundle = "/b";
  EXPECT_EQ(ToJson(st), json::parse(R"({"ociVersion": "1.0.2", "id": "web",
                                        "status": "running", "pid": 4242, "bundle": "/b"})"));
  EXPECT_EQ(ToOrderedJson(st).dump(),
            R"({"ociVersion":"1.0.2","id":"web","status":"running","pid":4242,"bundle":"/b"})");
  st.annotations["k"] = "v";
  auto back = ParseState(ToJson(st).dump());
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->id, "web");
  EXPECT_EQ(back->status, "running");
  EXPECT_EQ(back->pid, 4242);
  EXPECT_EQ(back->bundle, "/b");
  EXPECT_EQ(back->annotations.at("k"), "v");

  auto bad = ParseState(R"({"pid": "1"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "pid: expected integer, got string");
}

class LoadSpecTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/oci_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    unlink((dir_ + "/config.json").c_str());
    rmdir(dir_.c_str());
  }
  void Write(const std::string& text) { std::ofstream(dir_ + "/config.json") << text; }
  std::string dir_;
};

TEST_F(LoadSpecTest, ReadsFile) {
  Write(R"({"root": {"path": "rootfs"}, "hostname": "h"})");
  auto r = LoadSpec(dir_ + "/config.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->hostname, "h");
}

TEST_F(LoadSpecTest, MissingFileNamesPathAndErrno) {
  auto r = LoadSpec(dir_ + "/config.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  EXPECT_EQ(r.error().err(), ENOENT);
  EXPECT_EQ(r.error().message(), "open " + dir_ + "/config.json: No such file or directory");
}

TEST_F(LoadSpecTest, ParseErrorNamesPathAndField) {
  Write(R"({"process": {"args": ["a", 1]}})");
  auto r = LoadSpec(dir_ + "/config.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "parse " + dir_ + "/config.json: process.args[1]: expected string, got number");
}

}  // namespace
}  // namespace berth::oci
