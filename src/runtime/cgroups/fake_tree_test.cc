// The managers against a fake cgroup tree in a temp dir: plain files stand in
// for cgroupfs, so each test pre-creates the files the kernel would create and
// checks which got which value.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <map>
#include <string>

#include "base/fs.h"
#include "runtime/cgroups/cgroups.h"

namespace berth::cgroups {
namespace {

class FakeTree {
 public:
  FakeTree() {
    char tmpl[] = "/tmp/berth-cgroups-test.XXXXXX";
    root_ = ::mkdtemp(tmpl);
    opts_.mount_root = root_ + "/cg";
    opts_.proc_self = root_ + "/proc";
  }
  ~FakeTree() { (void)fs::RemoveAll(root_); }

  void File(const std::string& rel, const std::string& content = "") {
    std::string path = fs::Join(root_, rel);
    ASSERT_TRUE(fs::MkdirAll(fs::Dirname(path)).ok());
    ASSERT_TRUE(fs::AtomicWrite(path, content, 0644, false).ok());
  }
  std::string Read(const std::string& rel) {
    auto r = fs::ReadFile(fs::Join(root_, rel));
    return r.ok() ? *r : "<missing>";
  }
  // One mountinfo line per (type, mount dir, super options).
  void Mounts(const std::vector<std::array<std::string, 3>>& mounts) {
    std::string text = "22 1 0:21 / /proc rw - proc proc rw\n";
    int id = 30;
    for (const auto& [type, dir, opts] : mounts) {
      ++id;
      text += std::to_string(id) + " 23 0:" + std::to_string(id) + " / " + root_ + "/cg" +
              (dir.empty() ? "" : "/" + dir) + " rw,relatime - " + type + " " + type + " " + opts +
              "\n";
    }
    File("proc/mountinfo", text);
  }
  const Options& opts() const { return opts_; }
  Options& opts() { return opts_; }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
  Options opts_;
};

class FakeV1 : public ::testing::Test {
 protected:
  void SetUp() override {
    t.Mounts({{"cgroup", "cpu,cpuacct", "rw,cpu,cpuacct"},
              {"cgroup", "cpuset", "rw,cpuset"},
              {"cgroup", "memory", "rw,memory"},
              {"cgroup", "devices", "rw,devices"},
              {"cgroup", "freezer", "rw,freezer"},
              {"cgroup", "blkio", "rw,blkio"},
              {"cgroup", "pids", "rw,pids"},
              {"cgroup", "systemd", "rw,xattr,name=systemd"},
              {"cgroup2", "unified", "rw"}});
    t.File("proc/cgroup", "4:memory:/process_api/x\n2:cpu,cpuacct:/\n0::/\n");
    t.File("cg/cpuset/cpuset.cpus", "0-1\n");
    t.File("cg/cpuset/cpuset.mems", "0\n");
    // The kernel creates these with a new directory.
    t.File("cg/cpuset/berth/cpuset.cpus");
    t.File("cg/cpuset/berth/cpuset.mems");
    for (const char* f : {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
                          "memory.soft_limit_in_bytes", "memory.swappiness", "memory.oom_control",
                          "cgroup.procs"})
      t.File(std::string("cg/memory/berth/c1/") + f);
    for (const char* f : {"cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cgroup.procs"})
      t.File(std::string("cg/cpu,cpuacct/berth/c1/") + f);
    for (const char* f : {"cpuset.cpus", "cpuset.mems", "cgroup.procs"})
      t.File(std::string("cg/cpuset/berth/c1/") + f);
    for (const char* f : {"devices.allow", "devices.deny", "cgroup.procs"})
      t.File(std::string("cg/devices/berth/c1/") + f);
    for (const char* f : {"blkio.bfq.weight", "blkio.throttle.read_bps_device", "cgroup.procs"})
      t.File(std::string("cg/blkio/berth/c1/") + f);
    t.File("cg/pids/berth/c1/pids.max");
    t.File("cg/pids/berth/c1/cgroup.procs");
    t.File("cg/freezer/berth/c1/cgroup.procs");
    t.File("cg/unified/berth/c1/cgroup.procs");
  }
  FakeTree t;
};

TEST_F(FakeV1, DetectsV1) {
  auto v = DetectVersion(t.opts());
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(*v, Version::kV1);
}

TEST_F(FakeV1, PathsCreateApplyAddProcess) {
  auto m = Manager::Open("", "c1", t.opts());
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ((*m)->version(), Version::kV1);
  auto paths = (*m)->Paths();
  std::map<std::string, std::string> by_name(paths.begin(), paths.end());
  EXPECT_EQ(by_name.size(), 8u);  // 7 controller hierarchies + unified, no name=systemd
  EXPECT_EQ(by_name["cpu,cpuacct"], t.root() + "/cg/cpu,cpuacct/berth/c1");
  EXPECT_EQ(by_name[""], t.root() + "/cg/unified/berth/c1");

  ASSERT_TRUE((*m)->Create().ok());
  EXPECT_EQ(t.Read("cg/cpuset/berth/cpuset.cpus"), "0-1");  // copied down each level
  EXPECT_EQ(t.Read("cg/cpuset/berth/c1/cpuset.mems"), "0");

  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = 64 << 20;
  r.memory->swap = 128 << 20;
  r.memory->reservation = 32 << 20;
  r.memory->swappiness = 0;
  r.memory->disable_oom_killer = true;
  r.cpu = oci::CpuResources{};
  r.cpu->shares = 256;
  r.cpu->quota = 20000;
  r.cpu->period = 100000;
  r.cpu->cpus = "1";
  r.pids = oci::PidsResources{32};
  r.block_io = oci::BlockIoResources{};
  r.block_io->weight = 200;
  r.block_io->throttle_read_bps_device = {{8, 0, 1000}};
  r.hugepage_limits = {{"2MB", 1 << 21}};  // no v1 hugetlb here: warned, skipped
  r.devices = {{false, "a", std::nullopt, std::nullopt, "rwm"}, {true, "c", 1, 3, "rwm"}};
  auto st = (*m)->Apply(r);
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(t.Read("cg/memory/berth/c1/memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(t.Read("cg/memory/berth/c1/memory.memsw.limit_in_bytes"), "134217728");
  EXPECT_EQ(t.Read("cg/memory/berth/c1/memory.soft_limit_in_bytes"), "33554432");
  EXPECT_EQ(t.Read("cg/memory/berth/c1/memory.swappiness"), "0");
  EXPECT_EQ(t.Read("cg/memory/berth/c1/memory.oom_control"), "1");
  EXPECT_EQ(t.Read("cg/cpu,cpuacct/berth/c1/cpu.shares"), "256");
  EXPECT_EQ(t.Read("cg/cpu,cpuacct/berth/c1/cpu.cfs_quota_us"), "20000");
  EXPECT_EQ(t.Read("cg/cpu,cpuacct/berth/c1/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(t.Read("cg/cpuset/berth/c1/cpuset.cpus"), "1");
  EXPECT_EQ(t.Read("cg/pids/berth/c1/pids.max"), "32");
  EXPECT_EQ(t.Read("cg/blkio/berth/c1/blkio.bfq.weight"), "200");  // the file that exists
  EXPECT_EQ(t.Read("cg/blkio/berth/c1/blkio.weight"), "<missing>");
  EXPECT_EQ(t.Read("cg/blkio/berth/c1/blkio.throttle.read_bps_device"), "8:0 1000");
  EXPECT_EQ(t.Read("cg/devices/berth/c1/devices.deny"), "a");
  EXPECT_EQ(t.Read("cg/devices/berth/c1/devices.allow"), "c 1:3 rwm");

  ASSERT_TRUE((*m)->AddProcess(4242).ok());
  for (const char* h : {"memory", "cpu,cpuacct", "cpuset", "devices", "blkio", "pids", "freezer",
                        "unified"})
    EXPECT_EQ(t.Read(std::string("cg/") + h + "/berth/c1/cgroup.procs"), "4242") << h;
  auto pids = (*m)->Pids();
  ASSERT_TRUE(pids.ok()) << pids.error().message();
  EXPECT_EQ(*pids, std::vector<pid_t>{4242});
}

TEST_F(FakeV1, MissingFilesAndControllers) {
  auto m = Manager::Open("/berth/c1", "ignored", t.opts());
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(fs::RemoveAll(t.root() + "/cg/memory/berth/c1/memory.memsw.limit_in_bytes").ok());
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = 1 << 20;
  r.memory->swap = 2 << 20;  // swap accounting off: warned, limit still set
  ASSERT_TRUE((*m)->Apply(r).ok());
  EXPECT_EQ(t.Read("cg/memory/berth/c1/memory.limit_in_bytes"), "1048576");

  oci::Resources rt;
  rt.cpu = oci::CpuResources{};
  rt.cpu->realtime_runtime = 1000;  // cpu.rt_runtime_us absent: asked for, so an error
  auto st = (*m)->Apply(rt);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("cpu.realtimeRuntime"), std::string::npos);
  EXPECT_NE(st.error().message().find("cpu.rt_runtime_us"), std::string::npos);
}

TEST(FakeV1NoPids, RequestedControllerMissing) {
  FakeTree t;
  t.Mounts({{"cgroup", "memory", "rw,memory"}});
  t.File("cg/memory/berth/c1/memory.limit_in_bytes");
  auto m = Manager::Open("", "c1", t.opts());
  ASSERT_TRUE(m.ok());
  oci::Resources r;
  r.pids = oci::PidsResources{0};  // "max": nothing lost without the controller
  EXPECT_TRUE((*m)->Apply(r).ok());
  r.pids->limit = 10;
  auto st = (*m)->Apply(r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), Code::kNotImplemented);
  EXPECT_NE(st.error().message().find("pids.limit"), std::string::npos);
  EXPECT_FALSE((*m)->Freeze().ok());
  EXPECT_FALSE(*(*m)->Frozen());
}

TEST_F(FakeV1, RelativeAndSystemdPaths) {
  auto m = Manager::Open("sub/c2", "c2", t.opts());
  ASSERT_TRUE(m.ok()) << m.error().message();
  auto paths = (*m)->Paths();
  std::map<std::string, std::string> by_name(paths.begin(), paths.end());
  EXPECT_EQ(by_name["memory"], t.root() + "/cg/memory/process_api/x/sub/c2");
  EXPECT_EQ(by_name["pids"], t.root() + "/cg/pids/sub/c2");

  t.opts().systemd = true;
  auto s = Manager::Open("machine.slice:libpod:abc", "abc", t.opts());
  ASSERT_TRUE(s.ok()) << s.error().message();
  for (const auto& [name, dir] : (*s)->Paths())
    EXPECT_TRUE(fs::Basename(dir) == "libpod-abc.scope" &&
                fs::Basename(fs::Dirname(dir)) == "machine.slice")
        << dir;
  EXPECT_FALSE(Manager::Open("/", "x", t.opts()).ok());  // the root cgroup itself
}

class FakeV2 : public ::testing::Test {
 protected:
  void SetUp() override {
    t.Mounts({{"cgroup2", "", "rw,nsdelegate"}});
    t.File("proc/cgroup", "0::/user.slice\n");
    t.File("cg/cgroup.controllers", "cpuset cpu io memory hugetlb pids\n");
    t.File("cg/cgroup.subtree_control");
    // /berth already has everything; /berth/c1 nothing yet.
    t.File("cg/berth/cgroup.controllers", "cpuset cpu io memory hugetlb pids\n");
    t.File("cg/berth/cgroup.subtree_control");
    t.File("cg/berth/c1/cgroup.controllers");
    for (const char* f : {"memory.max", "memory.swap.max", "memory.low", "memory.high",
                          "cpu.weight", "cpu.max", "cpuset.cpus", "pids.max", "io.weight",
                          "io.max", "hugetlb.2MB.max", "cgroup.procs", "cgroup.freeze"})
      t.File(std::string("cg/berth/c1/") + f);
    t.File("cg/berth/c1/cgroup.events", "populated 1\nfrozen 0\n");
  }
  FakeTree t;
};

TEST_F(FakeV2, ApplyWritesV2Files) {
  EXPECT_EQ(*DetectVersion(t.opts()), Version::kV2);
  auto m = Manager::Open("", "c1", t.opts());
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ((*m)->version(), Version::kV2);
  EXPECT_EQ((*m)->Paths(), (std::vector<std::pair<std::string, std::string>>{
                               {"", t.root() + "/cg/berth/c1"}}));
  ASSERT_TRUE((*m)->Create().ok());
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = 1000;
  r.memory->swap = 3000;
  r.memory->reservation = 500;
  r.cpu = oci::CpuResources{};
  r.cpu->shares = 2048;
  r.cpu->quota = 50000;
  r.cpu->period = 200000;
  r.cpu->cpus = "0";
  r.pids = oci::PidsResources{100};
  r.block_io = oci::BlockIoResources{};
  r.block_io->weight = 100;
  r.block_io->throttle_write_bps_device = {{253, 1, 2048}};
  r.hugepage_limits = {{"2MB", 4194304}};
  r.unified = {{"memory.high", "900"}};
  auto st = (*m)->Apply(r);
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(t.Read("cg/berth/c1/memory.max"), "1000");
  EXPECT_EQ(t.Read("cg/berth/c1/memory.swap.max"), "2000");
  EXPECT_EQ(t.Read("cg/berth/c1/memory.low"), "500");
  EXPECT_EQ(t.Read("cg/berth/c1/memory.high"), "900");
  EXPECT_EQ(t.Read("cg/berth/c1/cpu.weight"), "79");
  EXPECT_EQ(t.Read("cg/berth/c1/cpu.max"), "50000 200000");
  EXPECT_EQ(t.Read("cg/berth/c1/cpuset.cpus"), "0");
  EXPECT_EQ(t.Read("cg/berth/c1/pids.max"), "100");
  EXPECT_EQ(t.Read("cg/berth/c1/io.weight"), "910");  // no io.bfq.weight: converted
  EXPECT_EQ(t.Read("cg/berth/c1/io.max"), "253:1 wbps=2048");
  EXPECT_EQ(t.Read("cg/berth/c1/hugetlb.2MB.max"), "4194304");
  // Controllers are enabled only where the child lacks them: not at the root.
  EXPECT_EQ(t.Read("cg/cgroup.subtree_control"), "");
  EXPECT_EQ(t.Read("cg/berth/cgroup.subtree_control"), "+pids");  // the last of several writes

  ASSERT_TRUE((*m)->AddProcess(77).ok());
  EXPECT_EQ(t.Read("cg/berth/c1/cgroup.procs"), "77");
  EXPECT_FALSE(*(*m)->Frozen());
}

TEST_F(FakeV2, Errors) {
  t.File("cg/cgroup.controllers", "memory pids\n");
  auto m = Manager::Open("/berth/c1", "", t.opts());
  ASSERT_TRUE(m.ok());
  oci::Resources r;
  r.cpu = oci::CpuResources{};
  r.cpu->shares = 100;
  auto st = (*m)->Apply(r);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("cpu.shares"), std::string::npos) << st.error().message();
  EXPECT_NE(st.error().message().find("\"cpu\""), std::string::npos) << st.error().message();

  oci::Resources u;
  u.unified = {{"memory.nonexistent", "1"}};
  st = (*m)->Apply(u);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("memory.nonexistent"), std::string::npos);
}

}  // namespace
}  // namespace berth::cgroups
