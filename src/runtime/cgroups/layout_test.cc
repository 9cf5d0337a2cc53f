#include "runtime/cgroups/layout.h"

#include <gtest/gtest.h>

namespace berth::cgroups {
namespace {

// This VM: every controller on v1, hugetlb alone on cgroup2 at .../unified.
constexpr const char* kHybrid = R"(22 1 0:21 / /proc rw,nosuid - proc proc rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
)";

constexpr const char* kCombined =
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "33 31 0:30 /docker/abc /sys/fs/cgroup/net\\040cls rw - cgroup cgroup rw,net_cls\n"
    "34 31 0:30 / /mnt/other rw - cgroup cgroup rw,pids\n";

constexpr const char* kPureV2 =
    "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

TEST(ParseLayout, Hybrid) {
  auto l = ParseLayout(kHybrid, "/sys/fs/cgroup");
  ASSERT_TRUE(l.ok()) << l.error().message();
  EXPECT_EQ(l->version, Version::kV1);
  ASSERT_EQ(l->v1.size(), 4u);  // name=systemd is skipped
  EXPECT_EQ(l->v1[0].name, "cpu");
  EXPECT_EQ(l->v1[2].name, "memory");
  EXPECT_EQ(l->v1[2].mount_point, "/sys/fs/cgroup/memory");
  ASSERT_TRUE(l->unified.has_value());
  EXPECT_EQ(l->unified->mount_point, "/sys/fs/cgroup/unified");
  EXPECT_EQ(l->unified->name, "");
}

TEST(ParseLayout, CombinedControllersEscapesAndRoot) {
  auto l = ParseLayout(kCombined, "/sys/fs/cgroup/");
  ASSERT_TRUE(l.ok()) << l.error().message();
  ASSERT_EQ(l->v1.size(), 2u);  // /mnt/other is outside the mount root
  EXPECT_EQ(l->v1[0].name, "cpu,cpuacct");
  EXPECT_EQ(l->v1[0].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ(l->v1[1].mount_point, "/sys/fs/cgroup/net cls");
  EXPECT_EQ(l->v1[1].root, "/docker/abc");
  EXPECT_FALSE(l->unified.has_value());
}

TEST(ParseLayout, PureV2) {
  auto l = ParseLayout(kPureV2, "/sys/fs/cgroup");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->version, Version::kV2);
  EXPECT_TRUE(l->v1.empty());
  EXPECT_EQ(l->unified->mount_point, "/sys/fs/cgroup");
}

TEST(ParseLayout, HybridUnifiedAsRootIsV2) {
  auto l = ParseLayout(kHybrid, "/sys/fs/cgroup/unified");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->version, Version::kV2);
}

TEST(ParseLayout, NothingMounted) {
  auto l = ParseLayout("22 1 0:21 / /proc rw - proc proc rw\n", "/sys/fs/cgroup");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code(), Code::kNotFound);
}

TEST(ParseProcCgroup, V1AndV2Lines) {
  auto m = ParseProcCgroup(
      "9:name=systemd:/\n4:memory:/process_api/x\n2:cpuacct,cpu:/a\n0::/user.slice/s.scope\n");
  EXPECT_EQ(m["memory"], "/process_api/x");
  EXPECT_EQ(m["cpu,cpuacct"], "/a");  // keys are sorted controller sets
  EXPECT_EQ(m[""], "/user.slice/s.scope");
  EXPECT_EQ(m["name=systemd"], "/");
}

TEST(OwnPathIn, StripsMountRoot) {
  Hierarchy h{"memory", {"memory"}, "/sys/fs/cgroup/memory", "/docker/abc"};
  EXPECT_EQ(OwnPathIn(h, {{"memory", "/docker/abc/sub"}}), "/sub");
  EXPECT_EQ(OwnPathIn(h, {{"memory", "/docker/abc"}}), "/");
  EXPECT_EQ(OwnPathIn(h, {{"memory", "/elsewhere"}}), "/elsewhere");
  EXPECT_EQ(OwnPathIn(h, {}), "/");
  Hierarchy cpu{"cpu,cpuacct", {"cpu", "cpuacct"}, "/x", "/"};
  EXPECT_EQ(OwnPathIn(cpu, {{"cpu,cpuacct", "/c"}}), "/c");
}

TEST(Systemd, ExpandSlice) {
  EXPECT_EQ(*ExpandSlice("machine.slice"), "/machine.slice");
  EXPECT_EQ(*ExpandSlice("a-b.slice"), "/a.slice/a-b.slice");
  EXPECT_EQ(*ExpandSlice("a-b-c.slice"), "/a.slice/a-b.slice/a-b-c.slice");
  EXPECT_EQ(*ExpandSlice("-.slice"), "/");
  EXPECT_FALSE(ExpandSlice("a--b.slice").ok());
  EXPECT_FALSE(ExpandSlice("-a.slice").ok());
  EXPECT_FALSE(ExpandSlice("a/b.slice").ok());
  EXPECT_FALSE(ExpandSlice("machine").ok());
  EXPECT_FALSE(ExpandSlice(".slice").ok());
}

TEST(Systemd, Path) {
  EXPECT_EQ(*SystemdPath("machine.slice:libpod:abc"), "/machine.slice/libpod-abc.scope");
  EXPECT_EQ(*SystemdPath("user-1000.slice:berth:x"), "/user.slice/user-1000.slice/berth-x.scope");
  EXPECT_EQ(*SystemdPath(":berth:x"), "/system.slice/berth-x.scope");
  EXPECT_EQ(*SystemdPath("system.slice::x"), "/system.slice/x.scope");
  EXPECT_EQ(*SystemdPath("a.slice:p:a-b.slice"), "/a.slice/a-b.slice");
  EXPECT_FALSE(SystemdPath("a.slice:x").ok());
  EXPECT_FALSE(SystemdPath("a.slice:p:").ok());
  EXPECT_FALSE(SystemdPath("a.slice:p:../x").ok());
}

TEST(NormalizeCgroupsPath, Forms) {
  EXPECT_EQ(*NormalizeCgroupsPath("", "ctr", false), "/berth/ctr");
  EXPECT_EQ(*NormalizeCgroupsPath("/a//b/", "ctr", false), "/a/b");
  EXPECT_EQ(*NormalizeCgroupsPath("/../../a", "ctr", false), "/a");
  EXPECT_EQ(*NormalizeCgroupsPath("a/b", "ctr", false), "a/b");
  EXPECT_EQ(*NormalizeCgroupsPath("../../a", "ctr", false), "a");
  EXPECT_FALSE(NormalizeCgroupsPath(".", "ctr", false).ok());
  EXPECT_FALSE(NormalizeCgroupsPath("", "../x", false).ok());
  // Colons are just characters without the systemd driver.
  EXPECT_EQ(*NormalizeCgroupsPath("m.slice:p:n", "ctr", false), "m.slice:p:n");
  EXPECT_EQ(*NormalizeCgroupsPath("m.slice:p:n", "ctr", true), "/m.slice/p-n.scope");
  EXPECT_EQ(*NormalizeCgroupsPath("", "ctr", true), "/system.slice/berth-ctr.scope");
  EXPECT_EQ(*NormalizeCgroupsPath("/plain", "ctr", true), "/plain");
}

TEST(ResolveIn, RelativeUsesOwnCgroup) {
  Hierarchy mem{"memory", {"memory"}, "/sys/fs/cgroup/memory", "/"};
  std::map<std::string, std::string> own = {{"memory", "/process_api/x"}};
  EXPECT_EQ(ResolveIn(mem, "/berth/c", own), "/berth/c");
  EXPECT_EQ(ResolveIn(mem, "sub/c", own), "/process_api/x/sub/c");
  Hierarchy pids{"pids", {"pids"}, "/sys/fs/cgroup/pids", "/"};
  EXPECT_EQ(ResolveIn(pids, "sub/c", own), "/sub/c");
}

}  // namespace
}  // namespace berth::cgroups
