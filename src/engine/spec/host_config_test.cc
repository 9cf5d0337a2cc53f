#include <gtest/gtest.h>

#include "base/fs.h"
#include "engine/spec/internal.h"
#include "engine/spec/spec_builder.h"

namespace berth::engine {
namespace {

using nlohmann::json;

struct ErrorCase {
  const char* name;
  json host_config;
  const char* message;
  Code code = Code::kInvalidArgument;
};

TEST(NormalizeHostConfig, Errors) {
  const ErrorCase cases[] = {
      {"memory too small", {{"Memory", 1 << 20}}, "Minimum memory limit allowed is 6MB"},
      {"reservation too small", {{"MemoryReservation", 1 << 20}},
       "Minimum memory reservation allowed is 6MB"},
      {"swap below memory", {{"Memory", 64 << 20}, {"MemorySwap", 32 << 20}},
       "Minimum memoryswap limit should be larger than memory limit, see usage"},
      {"swap without memory", {{"MemorySwap", 64 << 20}},
       "You should always set the Memory limit when using Memoryswap limit, see usage"},
      {"memory below reservation", {{"Memory", 64 << 20}, {"MemoryReservation", 128 << 20}},
       "Minimum memory limit can not be less than memory reservation limit, see usage"},
      {"swappiness", {{"MemorySwappiness", 101}},
       "Invalid value: 101, valid memory swappiness range is 0-100"},
      {"nano cpus and period", {{"NanoCpus", 500000000}, {"CpuPeriod", 100000}},
       "Conflicting options: Nano CPUs and CPU Period cannot both be set"},
      {"nano cpus and quota", {{"NanoCpus", 500000000}, {"CpuQuota", 50000}},
       "Conflicting options: Nano CPUs and CPU Quota cannot both be set"},
      {"cpu period range", {{"CpuPeriod", 10}},
       "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"},
      {"cpu quota range", {{"CpuQuota", 10}}, "CPU cfs quota can not be less than 1ms (i.e. 1000)"},
      {"blkio weight", {{"BlkioWeight", 5}}, "Range of blkio weight is from 10 to 1000"},
      {"restart always with count", {{"RestartPolicy", {{"Name", "always"}, {"MaximumRetryCount", 2}}}},
       "maximum retry count cannot be used with restart policy 'always'"},
      {"restart negative", {{"RestartPolicy", {{"Name", "on-failure"}, {"MaximumRetryCount", -1}}}},
       "maximum retry count cannot be negative"},
      {"restart unknown", {{"RestartPolicy", {{"Name", "sometimes"}}}},
       "invalid restart policy 'sometimes'"},
      {"autoremove with restart", {{"AutoRemove", true}, {"RestartPolicy", {{"Name", "always"}}}},
       "can't create 'AutoRemove' container with restart policy"},
      {"shm size", {{"ShmSize", -1}}, "SHM size can not be less than 0"},
      {"oom score", {{"OomScoreAdj", 1001}},
       "Invalid value 1001, range for oom score adj is [-1000, 1000]"},
      {"ipc mode", {{"IpcMode", "bogus"}}, "invalid IPC mode: bogus"},
      {"pid mode", {{"PidMode", "bogus"}}, "invalid PID mode: bogus"},
      {"uts mode", {{"UTSMode", "bogus"}}, "invalid UTS mode: bogus"},
      {"unknown capability", {{"CapAdd", {"FOO"}}}, "unknown capability: \"CAP_FOO\""},
      {"security opt 1", {{"SecurityOpt", {"bogus"}}}, "invalid --security-opt 1: \"bogus\""},
      {"security opt 2", {{"SecurityOpt", {"foo=bar"}}}, "invalid --security-opt 2: \"foo=bar\""},
      {"no-new-privileges value", {{"SecurityOpt", {"no-new-privileges=maybe"}}},
       "invalid --security-opt 2: \"no-new-privileges=maybe\""},
      {"seccomp profile not JSON", {{"SecurityOpt", {"seccomp={not json"}}},
       "Decoding seccomp profile failed: invalid JSON"},
      {"ulimit name", {{"Ulimits", {{{"Name", "bogus"}, {"Soft", 1}, {"Hard", 1}}}}},
       "invalid ulimit type: bogus"},
      {"ulimit soft above hard", {{"Ulimits", {{{"Name", "nofile"}, {"Soft", 10}, {"Hard", 5}}}}},
       "ulimit soft limit must be less than or equal to hard limit: 10 > 5"},
      {"device mode", {{"Devices", {{{"PathOnHost", "/dev/null"}, {"CgroupPermissions", "rwx"}}}}},
       "invalid device mode: rwx"},
      {"device string mode", {{"Devices", {"/dev/null:/dev/n:rwx"}}}, "invalid device mode: rwx"},
      {"device cgroup rule", {{"DeviceCgroupRules", {"x 1:2 rwm"}}},
       "invalid device cgroup format 'x 1:2 rwm'"},
      {"tmpfs relative", {{"Tmpfs", {{"run", ""}}}},
       "invalid mount config for type \"tmpfs\": invalid mount path: 'run' mount path must be absolute"},
      {"tmpfs option", {{"Tmpfs", {{"/run", "bogus"}}}}, "Invalid tmpfs option [\"bogus\"]"},
      {"bind missing source",
       {{"Mounts", {{{"Type", "bind"}, {"Source", "/nonexistent/x"}, {"Target", "/x"}}}}},
       "invalid mount config for type \"bind\": bind source path does not exist: /nonexistent/x"},
      {"bind relative target", {{"Binds", {"/tmp:x"}}},
       "invalid volume specification: '/tmp:x': invalid mount config for type \"bind\": invalid "
       "mount path: 'x' mount path must be absolute"},
      {"bind mode", {{"Binds", {"/tmp:/x:rx"}}}, "invalid mode: rx"},
      {"volume name", {{"Binds", {"a/b:/x"}}},
       "\"a/b\" includes invalid characters for a local volume name, only "
       "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, "
       "use absolute path"},
      {"volume mount", {{"Mounts", {{{"Type", "volume"}, {"Target", "/x"}, {"BindOptions", json::object()}}}}},
       "invalid mount config for type \"volume\": field BindOptions must not be specified"},
      {"duplicate mount point", {{"Binds", {"/tmp:/x"}}, {"Tmpfs", {{"/x", ""}}}},
       "Duplicate mount point: /x"},
      {"sysctl outside namespaces", {{"Sysctls", {{"kernel.panic", "1"}}}},
       "sysctl \"kernel.panic\" is not in a separate kernel namespace"},
      {"net sysctl with host network",
       {{"NetworkMode", "host"}, {"Sysctls", {{"net.ipv4.ip_forward", "1"}}}},
       "sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace"},
  };
  for (const auto& c : cases) {
    auto got = NormalizeHostConfig(c.host_config);
    ASSERT_FALSE(got.ok()) << c.name;
    EXPECT_EQ(got.error().message(), c.message) << c.name;
    EXPECT_EQ(got.error().code(), c.code) << c.name;
  }
}

TEST(NormalizeHostConfig, CpusOutOfRange) {
  auto got = NormalizeHostConfig({{"NanoCpus", int64_t{100000} * 1000000000}});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message().rfind("Range of CPUs is from 0.01 to ", 0), 0u);
}

TEST(NormalizeHostConfig, Defaults) {
  auto got = NormalizeHostConfig(json::object());
  ASSERT_TRUE(got.ok()) << got.error().message();
  const json& h = *got;
  EXPECT_EQ(h["RestartPolicy"], json({{"Name", "no"}, {"MaximumRetryCount", 0}}));
  EXPECT_EQ(h["ShmSize"], 67108864);
  EXPECT_EQ(h["IpcMode"], "private");
  EXPECT_EQ(h["NetworkMode"], "default");
  EXPECT_EQ(h["LogConfig"]["Type"], "json-file");
  EXPECT_EQ(h["OomKillDisable"], false);
  EXPECT_TRUE(h["PidsLimit"].is_null());
  EXPECT_EQ(h["Devices"], json::array());
  EXPECT_TRUE(h["CgroupnsMode"] == "host" || h["CgroupnsMode"] == "private");
  EXPECT_EQ(h["MaskedPaths"].size(), spec::DefaultMaskedPaths().size());
  EXPECT_EQ(h["ReadonlyPaths"].size(), spec::DefaultReadonlyPaths().size());
}

TEST(NormalizeHostConfig, Adjustments) {
  auto got = NormalizeHostConfig({{"Memory", 64 << 20},
                                  {"CpuShares", 1},
                                  {"MemorySwappiness", -1},
                                  {"Privileged", true},
                                  {"Devices", {"/dev/null:/dev/mynull:r"}},
                                  {"SecurityOpt", {"seccomp=unconfined", "no-new-privileges:true"}},
                                  {"RestartPolicy", {{"Name", "on-failure"}, {"MaximumRetryCount", 3}}}});
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ((*got)["MemorySwap"], 128 << 20);
  EXPECT_EQ((*got)["CpuShares"], 2);
  EXPECT_TRUE((*got)["MemorySwappiness"].is_null());
  EXPECT_FALSE((*got).contains("MaskedPaths") && !(*got)["MaskedPaths"].is_null());
  EXPECT_EQ((*got)["Devices"][0],
            json({{"PathOnHost", "/dev/null"}, {"PathInContainer", "/dev/mynull"},
                  {"CgroupPermissions", "r"}}));
}

TEST(SecurityOpts, Parse) {
  auto s = spec::ParseSecurityOpts({"no-new-privileges", "seccomp=unconfined"});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->no_new_privileges);
  EXPECT_TRUE(s->seccomp_unconfined);
  s = spec::ParseSecurityOpts({"no-new-privileges=false", "seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}"});
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->no_new_privileges);
  EXPECT_EQ(s->seccomp_profile, "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
}

TEST(Capabilities, Arithmetic) {
  const auto& d = spec::DefaultCapabilities();
  auto caps = spec::ContainerCapabilities({}, {}, false);
  ASSERT_TRUE(caps.ok());
  EXPECT_EQ(*caps, d);
  caps = spec::ContainerCapabilities({"net_admin", "CAP_SYS_PTRACE", "chown"}, {"CAP_MKNOD", "kill"},
                                     false);
  ASSERT_TRUE(caps.ok());
  std::vector<std::string> want;
  for (const auto& c : d)
    if (c != "CAP_MKNOD" && c != "CAP_KILL") want.push_back(c);
  want.push_back("CAP_NET_ADMIN");
  want.push_back("CAP_SYS_PTRACE");
  EXPECT_EQ(*caps, want);
  caps = spec::ContainerCapabilities({"chown"}, {"ALL"}, false);
  ASSERT_TRUE(caps.ok());
  EXPECT_EQ(*caps, std::vector<std::string>{"CAP_CHOWN"});
  caps = spec::ContainerCapabilities({"all"}, {"sys_admin"}, false);
  ASSERT_TRUE(caps.ok());
  EXPECT_GT(caps->size(), d.size());
  EXPECT_EQ(std::count(caps->begin(), caps->end(), "CAP_SYS_ADMIN"), 0);
  caps = spec::ContainerCapabilities({}, {}, true);
  ASSERT_TRUE(caps.ok());
  EXPECT_NE(std::find(caps->begin(), caps->end(), "CAP_SYS_ADMIN"), caps->end());
  EXPECT_FALSE(spec::ContainerCapabilities({"bogus"}, {}, false).ok());
}

TEST(Tmpfs, MergeOptions) {
  auto m = spec::MergeTmpfsOptions({"noexec", "nosuid", "nodev", "rprivate", "exec", "size=1m",
                                    "size=2m", "shared"});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, (std::vector<std::string>{"nosuid", "nodev", "exec", "size=2m", "shared"}));
}

TEST(Binds, Parse) {
  auto b = spec::ParseBind("/src:/dst:ro,rslave");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->source, "/src");
  EXPECT_EQ(b->destination, "/dst");
  EXPECT_TRUE(b->read_only);
  EXPECT_EQ(b->propagation, "rslave");
  EXPECT_FALSE(spec::ParseBind("/a:/b:c:d").ok());
  EXPECT_EQ(spec::ParseBind("/a:/").error().message(),
            "invalid volume specification: '/a:/': invalid specification: destination can't be '/'");
}

TEST(Devices, Parse) {
  auto d = spec::ParseDevice("/dev/sda:/dev/xvda:r");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->path_in_container, "/dev/xvda");
  EXPECT_EQ(d->permissions, "r");
  d = spec::ParseDevice("/dev/sda:rw");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->path_in_container, "/dev/sda");
  EXPECT_EQ(d->permissions, "rw");
  auto r = spec::ParseDeviceCgroupRule("c 42:* rmw");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->major, 42);
  EXPECT_FALSE(r->minor.has_value());
}

}  // namespace
}  // namespace berth::engine
