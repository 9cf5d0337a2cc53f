#include <stdlib.h>
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "base/fs.h"
#include "engine/spec/spec_builder.h"
#include "oci/runtime_spec_codec.h"

namespace berth::engine {
namespace {

using nlohmann::json;

constexpr const char* kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

class BuildSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-spec-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    rootfs_ = dir_ + "/rootfs";
    ASSERT_TRUE(fs::MkdirAll(rootfs_ + "/etc").ok());
    ASSERT_TRUE(fs::AtomicWrite(rootfs_ + "/etc/passwd",
                                "root:x:0:0:root:/root:/bin/sh\n"
                                "app:x:1000:1000::/home/app:/bin/sh\n",
                                0644, false)
                    .ok());
    ASSERT_TRUE(fs::AtomicWrite(rootfs_ + "/etc/group",
                                "root:x:0:\napp:x:1000:\nvideo:x:44:app\n", 0644, false)
                    .ok());
  }
  void TearDown() override { (void)fs::RemoveAll(dir_); }

  SpecInput Input(json config, json host_config) {
    SpecInput in;
    in.id = kId;
    if (!config.contains("Cmd")) config["Cmd"] = {"sh"};
    in.config = config;
    auto h = NormalizeHostConfig(host_config);
    EXPECT_TRUE(h.ok()) << h.error().message();
    in.host_config = h.ok() ? *h : json::object();
    in.rootfs = rootfs_;
    in.hostname_path = dir_ + "/hostname";
    in.hosts_path = dir_ + "/hosts";
    in.resolv_conf_path = dir_ + "/resolv.conf";
    in.init_path = "/usr/libexec/berth-init";
    return in;
  }

  oci::Spec Build(json config, json host_config = json::object()) {
    auto s = BuildSpec(Input(config, host_config));
    EXPECT_TRUE(s.ok()) << s.error().message();
    if (!s.ok()) return {};
    Status v = oci::Validate(*s);
    EXPECT_TRUE(v.ok()) << v.error().message();
    // The spec survives config.json.
    auto parsed = oci::ParseSpec(oci::ToJson(*s).dump());
    EXPECT_TRUE(parsed.ok()) << parsed.error().message();
    return *s;
  }

  static const oci::Mount* MountAt(const oci::Spec& s, const std::string& dest) {
    for (const auto& m : s.mounts)
      if (m.destination == dest) return &m;
    return nullptr;
  }
  static bool HasOpt(const oci::Mount* m, const std::string& o) {
    return m && std::find(m->options.begin(), m->options.end(), o) != m->options.end();
  }
  static bool Contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }

  std::string dir_, rootfs_;
};

TEST_F(BuildSpecTest, Defaults) {
  oci::Spec s = Build({{"Entrypoint", {"/bin/echo"}}, {"Cmd", {"hi"}}, {"Env", {"A=1"}}});
  EXPECT_EQ(s.process.args, (std::vector<std::string>{"/bin/echo", "hi"}));
  EXPECT_EQ(s.hostname, "0123456789ab");
  EXPECT_EQ(s.process.env,
            (std::vector<std::string>{
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOSTNAME=0123456789ab", "A=1", "HOME=/root"}));
  EXPECT_EQ(s.process.cwd, "/");
  EXPECT_FALSE(s.process.terminal);
  ASSERT_TRUE(s.process.capabilities);
  EXPECT_EQ(s.process.capabilities->bounding.size(), 14u);
  EXPECT_TRUE(Contains(s.process.capabilities->effective, "CAP_NET_BIND_SERVICE"));
  EXPECT_FALSE(Contains(s.process.capabilities->bounding, "CAP_SYS_ADMIN"));
  EXPECT_FALSE(s.process.no_new_privileges);
  EXPECT_EQ(s.linux.cgroups_path, std::string("/berth/") + kId);
  EXPECT_EQ(s.root.path, rootfs_);
  EXPECT_FALSE(s.root.readonly);
  EXPECT_TRUE(Contains(s.linux.masked_paths, "/proc/kcore"));
  EXPECT_TRUE(Contains(s.linux.readonly_paths, "/proc/sys"));
  ASSERT_TRUE(s.linux.seccomp);
  EXPECT_EQ(s.linux.seccomp->default_action, "SCMP_ACT_ERRNO");
  ASSERT_TRUE(s.linux.resources);
  ASSERT_FALSE(s.linux.resources->devices.empty());
  EXPECT_FALSE(s.linux.resources->devices[0].allow);
  EXPECT_FALSE(s.linux.resources->memory);
  std::vector<std::string> ns;
  for (const auto& n : s.linux.namespaces) ns.push_back(n.type);
  EXPECT_TRUE(Contains(ns, "pid") && Contains(ns, "network") && Contains(ns, "ipc") &&
              Contains(ns, "uts") && Contains(ns, "mount"));
  EXPECT_TRUE(HasOpt(MountAt(s, "/sys"), "ro"));
  EXPECT_TRUE(HasOpt(MountAt(s, "/dev/shm"), "size=67108864"));
  const oci::Mount* hosts = MountAt(s, "/etc/hosts");
  ASSERT_NE(hosts, nullptr);
  EXPECT_EQ(hosts->source, dir_ + "/hosts");
  EXPECT_EQ(hosts->options, (std::vector<std::string>{"rbind", "rprivate"}));
  EXPECT_NE(MountAt(s, "/etc/resolv.conf"), nullptr);
  EXPECT_NE(MountAt(s, "/etc/hostname"), nullptr);
}

TEST_F(BuildSpecTest, TtyHostnameAndEnvOverrides) {
  oci::Spec s = Build({{"Tty", true},
                       {"Hostname", "web"},
                       {"Env", {"PATH=/custom", "HOME=/h", "TERM=vt100"}},
                       {"WorkingDir", "/srv"}},
                      {{"ConsoleSize", {24, 80}}});
  EXPECT_TRUE(s.process.terminal);
  ASSERT_TRUE(s.process.console_size);
  EXPECT_EQ(s.process.console_size->width, 80u);
  EXPECT_EQ(s.hostname, "web");
  EXPECT_EQ(s.process.env,
            (std::vector<std::string>{"PATH=/custom", "HOSTNAME=web", "TERM=vt100", "HOME=/h"}));
  EXPECT_EQ(s.process.cwd, "/srv");
}

TEST_F(BuildSpecTest, User) {
  oci::Spec s = Build({{"User", "app"}}, {{"GroupAdd", {"root"}}});
  EXPECT_EQ(s.process.user.uid, 1000u);
  EXPECT_EQ(s.process.user.gid, 1000u);
  EXPECT_EQ(s.process.user.additional_gids, (std::vector<uint32_t>{44, 0}));
  EXPECT_TRUE(Contains(s.process.env, "HOME=/home/app"));
  auto bad = BuildSpec(Input({{"User", "foo"}}, json::object()));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "unable to find user foo: no matching entries in passwd file");
}

TEST_F(BuildSpecTest, Privileged) {
  oci::Spec s = Build(json::object(), {{"Privileged", true}});
  EXPECT_TRUE(Contains(s.process.capabilities->bounding, "CAP_SYS_ADMIN"));
  EXPECT_FALSE(s.linux.seccomp);
  EXPECT_TRUE(s.linux.masked_paths.empty());
  EXPECT_TRUE(s.linux.readonly_paths.empty());
  EXPECT_FALSE(HasOpt(MountAt(s, "/sys"), "ro"));
  EXPECT_FALSE(HasOpt(MountAt(s, "/sys/fs/cgroup"), "ro"));
  ASSERT_EQ(s.linux.resources->devices.size(), 1u);
  EXPECT_TRUE(s.linux.resources->devices[0].allow);
  EXPECT_EQ(s.linux.resources->devices[0].access, "rwm");
  bool null_dev = false;
  for (const auto& d : s.linux.devices) null_dev = null_dev || d.path == "/dev/null";
  EXPECT_TRUE(null_dev);
}

TEST_F(BuildSpecTest, ReadonlyRootfsAndTmpfs) {
  oci::Spec s = Build(json::object(), {{"ReadonlyRootfs", true},
                                       {"Tmpfs", {{"/run", "size=1m,exec"}}},
                                       {"Mounts",
                                        {{{"Type", "tmpfs"},
                                          {"Target", "/cache"},
                                          {"TmpfsOptions", {{"SizeBytes", 2 << 20}, {"Mode", 0700}}}}}}});
  EXPECT_TRUE(s.root.readonly);
  EXPECT_TRUE(HasOpt(MountAt(s, "/etc/hosts"), "ro"));
  EXPECT_FALSE(HasOpt(MountAt(s, "/dev/shm"), "ro"));
  EXPECT_FALSE(HasOpt(MountAt(s, "/proc"), "ro"));
  const oci::Mount* run = MountAt(s, "/run");
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->type, "tmpfs");
  EXPECT_EQ(run->options,
            (std::vector<std::string>{"nosuid", "nodev", "rprivate", "size=1m", "exec"}));
  const oci::Mount* cache = MountAt(s, "/cache");
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(cache->options, (std::vector<std::string>{"noexec", "nosuid", "nodev", "rprivate",
                                                      "mode=700", "size=2m"}));
}

TEST_F(BuildSpecTest, BindsAndMounts) {
  std::string host = dir_ + "/host";
  std::string missing = dir_ + "/made/by/run";
  SpecInput in = Input(json::object(),
                       {{"Binds", {missing + ":/ignored"}},
                        {"Mounts", {{{"Type", "tmpfs"}, {"Target", "/t"}}}}});
  // The engine's binds and volumes, as SetupMounts resolved them.
  in.mounts = {{"/data/sub", "bind", host, {"rbind", "ro", "rslave"}},
               {"/data", "bind", host, {"rbind", "rprivate"}}};
  auto built = BuildSpec(in);
  ASSERT_TRUE(built.ok()) << built.error().message();
  const oci::Spec& s = *built;
  // HostConfig.Binds is the engine's business: not read, nothing made.
  EXPECT_FALSE(fs::Exists(missing));
  EXPECT_EQ(MountAt(s, "/ignored"), nullptr);
  ASSERT_NE(MountAt(s, "/data"), nullptr);
  EXPECT_EQ(MountAt(s, "/data/sub")->options,
            (std::vector<std::string>{"rbind", "ro", "rslave"}));
  ASSERT_NE(MountAt(s, "/t"), nullptr);
  EXPECT_EQ(MountAt(s, "/t")->type, "tmpfs");
  EXPECT_EQ(s.linux.rootfs_propagation, "rslave");
  // deeper destinations after shallower ones
  size_t at_data = 0, at_sub = 0;
  for (size_t i = 0; i < s.mounts.size(); ++i) {
    if (s.mounts[i].destination == "/data") at_data = i;
    if (s.mounts[i].destination == "/data/sub") at_sub = i;
  }
  EXPECT_LT(at_data, at_sub);
}

TEST_F(BuildSpecTest, DevicesAndRules) {
  oci::Spec s = Build(json::object(), {{"Devices", {"/dev/null:/dev/mynull:r"}},
                                       {"DeviceCgroupRules", {"c 42:* rm"}}});
  ASSERT_EQ(s.linux.devices.size(), 1u);
  EXPECT_EQ(s.linux.devices[0].path, "/dev/mynull");
  EXPECT_EQ(s.linux.devices[0].major, 1);
  EXPECT_EQ(s.linux.devices[0].minor, 3);
  const auto& rules = s.linux.resources->devices;
  bool null_rule = false, custom_rule = false;
  for (const auto& r : rules) {
    null_rule = null_rule || (r.allow && r.major == 1 && r.minor == 3 && r.access == "r");
    custom_rule = custom_rule || (r.allow && r.major == 42 && !r.minor && r.access == "rm");
  }
  EXPECT_TRUE(null_rule);
  EXPECT_TRUE(custom_rule);
  auto bad = BuildSpec(Input(json::object(), {{"Devices", {"/nonexistent-dev"}}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("error gathering device information while adding custom "
                                       "device \"/nonexistent-dev\""),
            std::string::npos);
}

TEST_F(BuildSpecTest, UlimitsResourcesAndSysctls) {
  oci::Spec s = Build(json::object(),
                      {{"Ulimits", {{{"Name", "nofile"}, {"Soft", 1024}, {"Hard", 2048}}}},
                       {"Memory", 64 << 20},
                       {"MemoryReservation", 32 << 20},
                       {"NanoCpus", 1500000000},
                       {"CpuShares", 512},
                       {"CpusetCpus", "0"},
                       {"PidsLimit", 100},
                       {"BlkioWeight", 300},
                       {"OomKillDisable", true},
                       {"OomScoreAdj", 500},
                       {"Sysctls", {{"net.ipv4.ip_forward", "1"}}},
                       {"CgroupParent", "custom"}});
  ASSERT_EQ(s.process.rlimits.size(), 1u);
  EXPECT_EQ(s.process.rlimits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(s.process.rlimits[0].soft, 1024u);
  EXPECT_EQ(s.process.rlimits[0].hard, 2048u);
  const auto& r = *s.linux.resources;
  ASSERT_TRUE(r.memory);
  EXPECT_EQ(r.memory->limit, 64 << 20);
  EXPECT_EQ(r.memory->swap, 128 << 20);
  EXPECT_EQ(r.memory->reservation, 32 << 20);
  EXPECT_EQ(r.memory->disable_oom_killer, true);
  ASSERT_TRUE(r.cpu);
  EXPECT_EQ(r.cpu->period, 100000u);
  EXPECT_EQ(r.cpu->quota, 150000);
  EXPECT_EQ(r.cpu->shares, 512u);
  EXPECT_EQ(r.cpu->cpus, "0");
  ASSERT_TRUE(r.pids);
  EXPECT_EQ(r.pids->limit, 100);
  ASSERT_TRUE(r.block_io);
  EXPECT_EQ(r.block_io->weight, 300);
  EXPECT_EQ(s.process.oom_score_adj, 500);
  EXPECT_EQ(s.linux.sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(s.linux.cgroups_path, std::string("/custom/") + kId);
}

TEST_F(BuildSpecTest, InitAndSecurityOpts) {
  oci::Spec s = Build({{"Entrypoint", {"/app"}}, {"Cmd", {"-v"}}},
                      {{"Init", true}, {"SecurityOpt", {"no-new-privileges", "seccomp=unconfined"}}});
  EXPECT_EQ(s.process.args, (std::vector<std::string>{"/sbin/docker-init", "--", "/app", "-v"}));
  const oci::Mount* init = MountAt(s, "/sbin/docker-init");
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->source, "/usr/libexec/berth-init");
  EXPECT_EQ(init->options, (std::vector<std::string>{"bind", "ro"}));
  EXPECT_TRUE(s.process.no_new_privileges);
  EXPECT_FALSE(s.linux.seccomp);
}

TEST_F(BuildSpecTest, CustomSeccompProfileAndCapAdd) {
  oci::Spec s = Build(json::object(),
                      {{"CapAdd", {"SYS_ADMIN"}},
                       {"SecurityOpt",
                        {R"(seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod"],"action":"SCMP_ACT_ERRNO"}]})"}}});
  ASSERT_TRUE(s.linux.seccomp);
  EXPECT_EQ(s.linux.seccomp->default_action, "SCMP_ACT_ALLOW");
  ASSERT_EQ(s.linux.seccomp->syscalls.size(), 1u);
  EXPECT_TRUE(Contains(s.process.capabilities->bounding, "CAP_SYS_ADMIN"));
}

TEST_F(BuildSpecTest, HostNamespaces) {
  SpecInput in = Input(json::object(), {{"PidMode", "host"}, {"IpcMode", "host"}, {"UTSMode", "host"}});
  in.netns = "host";
  auto s = BuildSpec(in);
  ASSERT_TRUE(s.ok()) << s.error().message();
  std::vector<std::string> ns;
  for (const auto& n : s->linux.namespaces) ns.push_back(n.type);
  EXPECT_EQ(ns, std::vector<std::string>{"mount"});
  EXPECT_TRUE(s->hostname.empty());
  EXPECT_EQ(MountAt(*s, "/dev/shm")->type, "bind");
  in = Input(json::object(), json::object());
  in.netns = "/proc/123/ns/net";
  s = BuildSpec(in);
  ASSERT_TRUE(s.ok());
  for (const auto& n : s->linux.namespaces) {
    if (n.type == "network") {
      EXPECT_EQ(n.path, "/proc/123/ns/net");
    }
  }
}

TEST_F(BuildSpecTest, NoCommand) {
  SpecInput in = Input(json::object(), json::object());
  in.config = json::object();
  auto s = BuildSpec(in);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "No command specified");
}

}  // namespace
}  // namespace berth::engine
