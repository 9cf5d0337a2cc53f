// Root-only tests against the host's real cgroup hierarchies (skipped
// otherwise). Every cgroup they create is removed and every child they fork
// is killed and reaped, even when an assertion fails.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "base/fs.h"
#include "base/scope_guard.h"
#include "base/strings.h"
#include "runtime/cgroups/cgroups.h"

namespace berth::cgroups {
namespace {

// A forked child that blocks until Go() and then runs fn, exiting with its
// result. Killed and reaped on destruction.
class Child {
 public:
  template <typename F>
  explicit Child(F fn) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(p[1]);
      char c;
      while (::read(p[0], &c, 1) < 0 && errno == EINTR) {
      }
      ::_exit(fn());
    }
    ::close(p[0]);
    go_ = p[1];
  }
  ~Child() {
    if (go_ >= 0) ::close(go_);
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  bool reaped() const { return reaped_; }
  void Go() {
    (void)!::write(go_, "x", 1);
    ::close(go_);
    go_ = -1;
  }
  int Wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int go_ = -1;
  bool reaped_ = false;
};

int Forever() {
  for (;;) ::pause();
}

std::string Trimmed(const std::string& path) {
  auto r = fs::ReadFile(path);
  return r.ok() ? std::string(str::Trim(*r)) : "<" + r.error().message() + ">";
}

std::string DirOf(Manager& m, const std::string& name) {
  for (const auto& [n, dir] : m.Paths())
    if (n == name) return dir;
  return "";
}

TEST(HostV1, LifeCycle) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  Options opts;
  auto version = DetectVersion(opts);
  if (!version.ok() || *version != Version::kV1) GTEST_SKIP() << "host is not cgroup v1";

  // Relative: below this process's own cgroups, touching nothing else.
  std::string name = "berth-cgroups-test-" + std::to_string(::getpid());
  auto opened = Manager::Open(name, "x", opts);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  Manager& m = **opened;
  Child child(Forever);
  ASSERT_GT(child.pid(), 0);
  ScopeGuard cleanup([&] {
    (void)m.Thaw();
    if (!child.reaped()) {
      ::kill(child.pid(), SIGKILL);
      child.Wait();
    }
    (void)m.Destroy();
  });

  ASSERT_TRUE(m.Create().ok());
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = 64 << 20;
  r.memory->swap = 128 << 20;
  r.cpu = oci::CpuResources{};
  r.cpu->shares = 512;
  r.cpu->period = 100000;
  r.cpu->quota = 50000;
  r.pids = oci::PidsResources{20};
  auto st = m.Apply(r);
  ASSERT_TRUE(st.ok()) << st.error().message();
  std::string mem = DirOf(m, "memory"), pids = DirOf(m, "pids");
  std::string cpu = DirOf(m, "cpu").empty() ? DirOf(m, "cpu,cpuacct") : DirOf(m, "cpu");
  EXPECT_EQ(Trimmed(mem + "/memory.limit_in_bytes"), "67108864");
  if (fs::Exists(mem + "/memory.memsw.limit_in_bytes")) {
    EXPECT_EQ(Trimmed(mem + "/memory.memsw.limit_in_bytes"), "134217728");
  }
  EXPECT_EQ(Trimmed(pids + "/pids.max"), "20");
  EXPECT_EQ(Trimmed(cpu + "/cpu.shares"), "512");
  EXPECT_EQ(Trimmed(cpu + "/cpu.cfs_quota_us"), "50000");

  // Raising both needs memsw first; lowering needs the limit first.
  r.memory->limit = 256 << 20;
  r.memory->swap = 512 << 20;
  st = m.Apply(r);
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(Trimmed(mem + "/memory.limit_in_bytes"), "268435456");
  r.memory->limit = 32 << 20;
  r.memory->swap = 32 << 20;
  st = m.Apply(r);
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(Trimmed(mem + "/memory.limit_in_bytes"), "33554432");

  // Impossible values name the resource and the file.
  oci::Resources bad;
  bad.cpu = oci::CpuResources{};
  bad.cpu->cpus = "4096";
  st = m.Apply(bad);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("cpuset.cpus"), std::string::npos) << st.error().message();

  ASSERT_TRUE(m.AddProcess(child.pid()).ok());
  auto listed = m.Pids();
  ASSERT_TRUE(listed.ok()) << listed.error().message();
  EXPECT_EQ(*listed, std::vector<pid_t>{child.pid()});

  ASSERT_TRUE(m.Freeze().ok());
  EXPECT_TRUE(*m.Frozen());
  ASSERT_TRUE(m.Thaw().ok());
  EXPECT_FALSE(*m.Frozen());

  auto stats = m.GetStats();
  ASSERT_TRUE(stats.ok()) << stats.error().message();
  EXPECT_EQ(stats->memory.limit, 32u << 20);
  EXPECT_EQ(stats->pids.current, 1u);
  EXPECT_EQ(stats->pids.limit, 20u);

  ASSERT_TRUE(m.KillAll(SIGKILL).ok());
  int status = child.Wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_TRUE(m.Destroy().ok());
  for (const auto& [n, dir] : m.Paths()) EXPECT_FALSE(fs::Exists(dir)) << dir;
  // Gone: nothing frozen, nothing to list or signal, nothing to remove.
  EXPECT_TRUE(m.Destroy().ok());
  EXPECT_FALSE(*m.Frozen());
  EXPECT_TRUE(m.Pids()->empty());
  EXPECT_TRUE(m.KillAll(SIGTERM).ok());
}

long Bpf(int cmd, bpf_attr* attr) { return ::syscall(SYS_bpf, cmd, attr, sizeof *attr); }

uint32_t AttachedDevicePrograms(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return 999;
  uint32_t ids[8];
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.query.target_fd = static_cast<uint32_t>(fd);
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uint64_t>(ids);
  attr.query.prog_cnt = 8;
  long rc = Bpf(BPF_PROG_QUERY, &attr);
  ::close(fd);
  return rc < 0 ? 999 : attr.query.prog_cnt;
}

// Opens /dev/null and /dev/zero: bit 0 set if null failed with EPERM, bit 1
// if zero did, bit 2 on any other failure.
int ProbeDevices() {
  int code = 0;
  for (int i = 0; i < 2; ++i) {
    int fd = ::open(i == 0 ? "/dev/null" : "/dev/zero", O_RDWR | O_CLOEXEC);
    if (fd >= 0)
      ::close(fd);
    else
      code |= errno == EPERM ? (1 << i) : 4;
  }
  return code;
}

// The hybrid layout's cgroup2 mount is a real v2 hierarchy (no controllers
// but hugetlb): enough for the device filter, the v2 freezer and cgroup.kill.
TEST(HostV2, DevicesFreezeKill) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  Options opts;
  opts.mount_root = "/sys/fs/cgroup/unified";
  auto version = DetectVersion(opts);
  if (!version.ok() || *version != Version::kV2) GTEST_SKIP() << "no cgroup2 mount at "
                                                               << opts.mount_root;
  std::string path = "/berth-cgroups-test-" + std::to_string(::getpid());
  auto opened = Manager::Open(path, "x", opts);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  Manager& m = **opened;
  std::string dir = DirOf(m, "");
  ScopeGuard cleanup([&] {
    (void)m.Thaw();
    (void)m.KillAll(SIGKILL);
    (void)m.Destroy();
  });
  ASSERT_TRUE(m.Create().ok());

  oci::Resources r;
  r.devices = {{false, "a", std::nullopt, std::nullopt, "rwm"}, {true, "c", 1, 3, "rwm"}};
  auto st = m.Apply(r);
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(AttachedDevicePrograms(dir), 1u);
  {
    Child probe(ProbeDevices);
    ASSERT_TRUE(m.AddProcess(probe.pid()).ok());
    probe.Go();
    int status = probe.Wait();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2) << "want /dev/null allowed, /dev/zero EPERM";
  }
  // Applying again replaces the program.
  r.devices.push_back({true, "c", 1, 5, "rw"});
  st = m.Apply(r);
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(AttachedDevicePrograms(dir), 1u);
  {
    Child probe(ProbeDevices);
    ASSERT_TRUE(m.AddProcess(probe.pid()).ok());
    probe.Go();
    int status = probe.Wait();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }

  auto controllers = fs::ReadFile(opts.mount_root + "/cgroup.controllers");
  if (controllers.ok() && controllers->find("pids") == std::string::npos) {
    oci::Resources p;
    p.pids = oci::PidsResources{5};
    st = m.Apply(p);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code(), Code::kNotImplemented);
    EXPECT_NE(st.error().message().find("pids.limit"), std::string::npos);
  }

  Child sleeper(Forever);
  ASSERT_TRUE(m.AddProcess(sleeper.pid()).ok());
  EXPECT_EQ(*m.Pids(), std::vector<pid_t>{sleeper.pid()});
  if (fs::Exists(dir + "/cgroup.freeze")) {
    ASSERT_TRUE(m.Freeze().ok());
    EXPECT_TRUE(*m.Frozen());
    ASSERT_TRUE(m.Thaw().ok());
    EXPECT_FALSE(*m.Frozen());
  }
  ASSERT_TRUE(m.KillAll(SIGKILL).ok());
  int status = sleeper.Wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_TRUE(m.Destroy().ok());
  EXPECT_FALSE(fs::Exists(dir));
  EXPECT_FALSE(*m.Frozen());
  EXPECT_TRUE(m.KillAll(SIGKILL).ok());
}

}  // namespace
}  // namespace berth::cgroups
