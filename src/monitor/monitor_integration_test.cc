// berth-monitor end to end: real monitors running busybox containers through
// monitor_client. Needs root (skipped otherwise) and a static /bin/busybox.
// Every container gets its own bundle, monitor dir and id under one scratch
// root; each test's Container guard force-deletes its runtime container and
// kills its monitor (by the pid Spawn returned) even when an assertion fails.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "base/fs.h"
#include "logfile/jsonlog.h"
#include "monitor/monitor_client.h"
#include "oci/runtime_spec_codec.h"
#include "runtime/runtime.h"
#include "sys/proc.h"
#include "sys/syscalls.h"

namespace berth::monitor {
namespace {

using namespace std::chrono_literals;

std::string g_root;    // scratch root
std::string g_rootfs;  // shared busybox rootfs
int g_counter = 0;

int64_t NowMs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

Status MakeRootfs(const std::string& dir) {
  for (const char* d : {"bin", "proc", "sys", "dev", "tmp", "etc", "root"})
    BERTH_TRY(fs::MkdirAll(dir + "/" + d));
  std::string bb = BERTH_TRY(fs::ReadFile("/bin/busybox"));
  BERTH_TRY(fs::AtomicWrite(dir + "/bin/busybox", bb, 0755, false));
  for (const char* app : {"sh", "echo", "cat", "sleep", "stty", "true", "ls", "yes", "head"})
    if (::symlink("busybox", (dir + "/bin/" + app).c_str()) < 0) return Error::Sys("symlink");
  BERTH_TRY(fs::AtomicWrite(dir + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644, false));
  BERTH_TRY(fs::AtomicWrite(dir + "/etc/group", "root:x:0:\n", 0644, false));
  return Ok();
}

class MonitorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) return;
    char tmpl[] = "/tmp/berth-monitor-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    g_root = tmpl;
    g_rootfs = g_root + "/rootfs";
    auto st = MakeRootfs(g_rootfs);
    ASSERT_TRUE(st.ok()) << st.error().message();
  }
  static void TearDownTestSuite() {
    if (!g_root.empty()) (void)fs::RemoveAll(g_root);
  }
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!fs::Exists("/bin/busybox")) GTEST_SKIP() << "needs /bin/busybox";
  }
};

// One container (or exec) with its monitor; cleaned up on destruction.
struct Container {
  SpawnOptions o;
  pid_t monitor_pid = 0;
  std::string exec_of;  // exec mode: the container id

  Container(const std::vector<std::string>& args, bool tty = false, bool stdin_open = false,
            bool stdin_once = false) {
    std::string name = "mt" + std::to_string(::getpid()) + "-" + std::to_string(++g_counter);
    o.monitor_path = BERTH_MONITOR_PATH;
    o.id = name;
    o.bundle = g_root + "/" + name + "/bundle";
    o.dir = g_root + "/" + name + "/run";
    o.runtime_root = g_root + "/runtime";
    o.log_path = g_root + "/" + name + "/" + name + "-json.log";
    o.tty = tty;
    o.stdin_open = stdin_open;
    o.stdin_once = stdin_once;
    oci::Spec spec = oci::DefaultSpec();
    spec.root.path = g_rootfs;
    spec.root.readonly = true;
    spec.process.args = args;
    spec.process.terminal = tty;
    spec.has_process = true;
    EXPECT_TRUE(fs::MkdirAll(o.bundle).ok());
    EXPECT_TRUE(fs::MkdirAll(o.dir).ok());
    EXPECT_TRUE(fs::AtomicWrite(o.bundle + "/config.json", oci::ToOrderedJson(spec).dump(), 0644,
                                false)
                    .ok());
  }
  // An exec into `c` (which must be running).
  Container(const Container& c, const std::vector<std::string>& args) {
    o = c.o;
    o.exec_mode = true;
    o.bundle.clear();
    o.log_path.clear();
    o.dir = c.o.dir + "/exec/e" + std::to_string(++g_counter);
    o.process_file = o.dir + ".process.json";
    oci::Process p = oci::DefaultSpec().process;
    p.args = args;
    p.terminal = false;
    EXPECT_TRUE(fs::MkdirAll(o.dir).ok());
    EXPECT_TRUE(fs::AtomicWrite(o.process_file, oci::ToJson(p).dump(), 0644, false).ok());
  }
  ~Container() {
    runtime::GlobalOptions g;
    g.root = o.runtime_root;
    if (!o.exec_mode) (void)runtime::Delete(g, o.id, /*force=*/true);
    if (monitor_pid > 0 && sys::ProcessAlive(monitor_pid)) ::kill(monitor_pid, SIGKILL);
    if (!o.exec_mode) (void)fs::RemoveAll(fs::Dirname(o.dir));
  }

  void Spawn() {
    auto pid = monitor::Spawn(o);
    ASSERT_TRUE(pid.ok()) << pid.error().message();
    monitor_pid = *pid;
  }
  Status Kill(int sig) {
    runtime::GlobalOptions g;
    g.root = o.runtime_root;
    return runtime::Kill(g, o.id, sig, false);
  }
  // Waits until the monitor process is gone.
  bool MonitorGone(std::chrono::milliseconds timeout = 10s) {
    auto fd = sys::PidfdOpen(monitor_pid);
    if (!fd.ok()) return true;
    auto done = sys::WaitPidfd(fd->get(), timeout);
    return done.ok() && *done;
  }
  std::vector<logfile::Entry> Log() {
    std::vector<logfile::Entry> out;
    EXPECT_TRUE(logfile::Read({.path = o.log_path}, [&](const logfile::Entry& e) {
                  out.push_back(e);
                  return true;
                }).ok());
    return out;
  }
};

// Reads exactly n bytes (or until EOF) with a deadline.
std::string ReadSome(int fd, size_t n, int64_t deadline) {
  std::string out;
  while (out.size() < n) {
    struct pollfd p = {fd, POLLIN, 0};
    int64_t left = deadline - NowMs();
    if (left <= 0) break;
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    ssize_t r = ::read(fd, buf, std::min(sizeof buf, n - out.size()));
    if (r <= 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

struct Demuxed {
  std::string out, err;
  bool eof = false;
};

// Reads Docker frames until EOF, or until stdout contains `until`.
Demuxed ReadFrames(int fd, const std::string& until = "", int64_t timeout_ms = 20000) {
  Demuxed d;
  int64_t deadline = NowMs() + timeout_ms;
  while (NowMs() < deadline) {
    if (!until.empty() && d.out.find(until) != std::string::npos) return d;
    std::string h = ReadSome(fd, 8, deadline);
    if (h.empty()) {
      d.eof = true;
      return d;
    }
    if (h.size() < 8) break;
    uint32_t len = (uint32_t(uint8_t(h[4])) << 24) | (uint32_t(uint8_t(h[5])) << 16) |
                   (uint32_t(uint8_t(h[6])) << 8) | uint32_t(uint8_t(h[7]));
    std::string payload = ReadSome(fd, len, deadline);
    (h[0] == 2 ? d.err : d.out) += payload;
  }
  return d;
}

// Raw (tty) bytes until EOF or `until` appears.
std::string ReadRaw(int fd, const std::string& until = "", int64_t timeout_ms = 20000) {
  std::string out;
  int64_t deadline = NowMs() + timeout_ms;
  while (NowMs() < deadline) {
    if (!until.empty() && out.find(until) != std::string::npos) break;
    std::string s = ReadSome(fd, 1, deadline);
    if (s.empty()) break;
    out += s;
  }
  return out;
}

bool NoChildren() {
  int st;
  return ::waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD;
}

TEST_F(MonitorTest, StdoutStderrSeparatedLoggedAndExitCode) {
  Container c({"sh", "-c", "echo out; echo err >&2; echo '<&>'; exit 3"});
  int64_t t0 = NowMs();
  ASSERT_NO_FATAL_FAILURE(c.Spawn());
  int64_t t1 = NowMs();
  EXPECT_TRUE(NoChildren()) << "Spawn left a child (zombie) behind";
  EXPECT_EQ(::getsid(c.monitor_pid), c.monitor_pid) << "the monitor has its own session";
  EXPECT_TRUE(fs::Exists(c.o.dir + "/monitor.pid"));
  EXPECT_TRUE(Alive(c.o.dir));
  auto wait_before = WaitConnection(c.o.dir);
  ASSERT_TRUE(wait_before.ok()) << wait_before.error().message();
  auto att = Attach(c.o.dir, false, true, true);
  ASSERT_TRUE(att.ok()) << att.error().message();
  int64_t t2 = NowMs();
  auto started = Start(c.o.dir);
  int64_t t3 = NowMs();
  ASSERT_TRUE(started.ok()) << started.error().message();
  EXPECT_GT(started->pid, 0);
  std::printf("spawn->ready %lld ms, start->ok %lld ms\n", (long long)(t1 - t0),
              (long long)(t3 - t2));
  Demuxed d = ReadFrames(att->get());
  EXPECT_TRUE(d.eof);
  EXPECT_EQ(d.out, "out\n<&>\n");
  EXPECT_EQ(d.err, "err\n");
  auto code = ReadWaitReply(wait_before->get());
  ASSERT_TRUE(code.ok()) << code.error().message();
  EXPECT_EQ(*code, 3);
  auto ex = ReadExit(c.o.dir);
  ASSERT_TRUE(ex.ok()) << ex.error().message();
  EXPECT_EQ(ex->exit_code, 3);
  EXPECT_EQ(ex->pid, started->pid);
  EXPECT_FALSE(ex->oom_killed);
  EXPECT_EQ(ex->error, "");
  EXPECT_FALSE(ex->started_at.empty());
  EXPECT_GE(ex->finished_at, ex->started_at);
  // Wait after the end: the monitor answers at once, or is gone and
  // exit.json tells.
  auto wait_after = WaitConnection(c.o.dir);
  if (wait_after.ok()) {
    auto again = ReadWaitReply(wait_after->get());
    if (again.ok()) {
      EXPECT_EQ(*again, 3);
    }
  }
  ASSERT_TRUE(c.MonitorGone());
  EXPECT_FALSE(fs::Exists(c.o.dir + "/monitor.sock"));
  EXPECT_FALSE(Alive(c.o.dir));
  runtime::GlobalOptions g;
  g.root = c.o.runtime_root;
  EXPECT_EQ(runtime::GetState(g, c.o.id).error().code(), Code::kNotFound)
      << "the runtime container is deleted";
  auto log = c.Log();
  ASSERT_EQ(log.size(), 3u);
  std::string out, err;
  for (const auto& e : log) (e.stream == "stderr" ? err : out) += e.log;
  EXPECT_EQ(out, "out\n<&>\n");
  EXPECT_EQ(err, "err\n");
  auto raw = fs::ReadFile(c.o.log_path);
  ASSERT_TRUE(raw.ok());
  EXPECT_NE(raw->find(R"({"log":"\u003c\u0026\u003e\n","stream":"stdout","time":")"),
            std::string::npos)
      << *raw;
}

TEST_F(MonitorTest, StdinThroughAttachWithStdinOnce) {
  Container c({"cat"}, false, true, true);
  ASSERT_NO_FATAL_FAILURE(c.Spawn());
  auto att = Attach(c.o.dir, true, true, true);
  ASSERT_TRUE(att.ok()) << att.error().message();
  ASSERT_TRUE(Start(c.o.dir).ok());
  ASSERT_TRUE(fs::WriteAll(att->get(), "hello\nworld\n").ok());
  ASSERT_EQ(::shutdown(att->get(), SHUT_WR), 0);  // ends the container's stdin
  Demuxed d = ReadFrames(att->get());
  EXPECT_TRUE(d.eof);
  EXPECT_EQ(d.out, "hello\nworld\n");
  ASSERT_TRUE(c.MonitorGone());
  auto ex = ReadExit(c.o.dir);
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ(ex->exit_code, 0);
}

TEST_F(MonitorTest, TtyWithResize) {
  Container c({"sh", "-c", "read x; stty size; echo got-$x"}, true, true, false);
  ASSERT_NO_FATAL_FAILURE(c.Spawn());
  auto att = Attach(c.o.dir, true, true, false);
  ASSERT_TRUE(att.ok()) << att.error().message();
  auto wait = WaitConnection(c.o.dir);
  ASSERT_TRUE(wait.ok());
  ASSERT_TRUE(Start(c.o.dir).ok());
  auto st = Resize(c.o.dir, 33, 111);
  ASSERT_TRUE(st.ok()) << st.error().message();
  ASSERT_TRUE(fs::WriteAll(att->get(), "go\n").ok());
  std::string out = ReadRaw(att->get());
  EXPECT_NE(out.find("33 111"), std::string::npos) << out;
  EXPECT_NE(out.find("got-go"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\n"), std::string::npos) << "a tty's line endings";
  auto code = ReadWaitReply(wait->get());
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0);
  ASSERT_TRUE(c.MonitorGone());
  std::string logged;
  for (const auto& e : c.Log()) {
    EXPECT_EQ(e.stream, "stdout");
    logged += e.log;
  }
  EXPECT_NE(logged.find("33 111"), std::string::npos) << logged;
}

TEST_F(MonitorTest, KilledContainerExits137) {
  Container c({"sleep", "1000"});
  ASSERT_NO_FATAL_FAILURE(c.Spawn());
  auto wait = WaitConnection(c.o.dir);
  ASSERT_TRUE(wait.ok());
  ASSERT_TRUE(Start(c.o.dir).ok());
  auto st = c.Kill(SIGKILL);
  ASSERT_TRUE(st.ok()) << st.error().message();
  auto code = ReadWaitReply(wait->get());
  ASSERT_TRUE(code.ok()) << code.error().message();
  EXPECT_EQ(*code, 128 + 9);
  ASSERT_TRUE(c.MonitorGone());
  EXPECT_EQ(ReadExit(c.o.dir)->exit_code, 137);
}

TEST_F(MonitorTest, ExitZero) {
  Container c({"true"});
  ASSERT_NO_FATAL_FAILURE(c.Spawn());
  auto wait = WaitConnection(c.o.dir);
  ASSERT_TRUE(wait.ok());
  ASSERT_TRUE(Start(c.o.dir).ok());
  auto code = ReadWaitReply(wait->get());
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0);
  ASSERT_TRUE(c.MonitorGone());
}

TEST_F(MonitorTest, MissingExecutableIs127) {
  for (const char* exe : {"/nope", "nope"}) {
    Container c({exe});
    ASSERT_NO_FATAL_FAILURE(c.Spawn());
    auto wait = WaitConnection(c.o.dir);
    ASSERT_TRUE(wait.ok());
    auto started = Start(c.o.dir);
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().err(), 127) << started.error().message();
    EXPECT_EQ(started.error().code(), Code::kInvalidArgument);
    auto code = ReadWaitReply(wait->get());
    ASSERT_TRUE(code.ok());
    EXPECT_EQ(*code, 127);
    ASSERT_TRUE(c.MonitorGone());
    auto ex = ReadExit(c.o.dir);
    ASSERT_TRUE(ex.ok());
    EXPECT_EQ(ex->exit_code, 127);
    EXPECT_NE(ex->error.find("nope"), std::string::npos) << ex->error;
    EXPECT_EQ(ex->pid, 0);
    runtime::GlobalOptions g;
    g.root = c.o.runtime_root;
    EXPECT_FALSE(runtime::GetState(g, c.o.id).ok());
  }
}

TEST_F(MonitorTest, KeepsRunningAndLoggingWithoutConnections) {
  Container c({"sh", "-c", "echo one; read a; echo two-$a; read b; echo three-$b; exit 4"}, false,
              true, false);
  ASSERT_NO_FATAL_FAILURE(c.Spawn());
  {
    auto att = Attach(c.o.dir, true, true, true);
    ASSERT_TRUE(att.ok());
    ASSERT_TRUE(Start(c.o.dir).ok());
    EXPECT_EQ(ReadFrames(att->get(), "one\n").out, "one\n");
    ASSERT_TRUE(fs::WriteAll(att->get(), "x\n").ok());
    EXPECT_EQ(ReadFrames(att->get(), "two-x\n").out, "two-x\n");
  }  // every connection closed: without --stdin-once stdin stays open
  EXPECT_TRUE(sys::ProcessAlive(c.monitor_pid));
  EXPECT_TRUE(Alive(c.o.dir));
  {
    auto att = Attach(c.o.dir, true, true, false);
    ASSERT_TRUE(att.ok());
    auto wait = WaitConnection(c.o.dir);
    ASSERT_TRUE(wait.ok());
    ASSERT_TRUE(fs::WriteAll(att->get(), "y\n").ok());
    Demuxed d = ReadFrames(att->get());
    EXPECT_EQ(d.out, "three-y\n");
    EXPECT_TRUE(d.eof);
    auto code = ReadWaitReply(wait->get());
    ASSERT_TRUE(code.ok());
    EXPECT_EQ(*code, 4);
  }
  ASSERT_TRUE(c.MonitorGone());
  std::string logged;
  for (const auto& e : c.Log()) logged += e.log;
  EXPECT_EQ(logged, "one\ntwo-x\nthree-y\n");
}

// The largest pipe buffer among the pipes process pid holds (0 if none).
int LargestPipe(pid_t pid) {
  int best = 0;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  auto names = fs::ListDir(dir);
  if (!names.ok()) return 0;
  for (const std::string& n : *names) {
    char target[64] = {};
    if (::readlink((dir + "/" + n).c_str(), target, sizeof target - 1) < 0) continue;
    if (std::strncmp(target, "pipe:", 5) != 0) continue;
    int fd = ::open((dir + "/" + n).c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    best = std::max(best, ::fcntl(fd, F_GETPIPE_SZ));
    ::close(fd);
  }
  return best;
}

// A writer faster than the monitor: its pipe grows, and every byte reaches
// the log (whole 71-byte lines) and the attached client, in order.
TEST_F(MonitorTest, FastWriterLoggedWholeAndAttached) {
  const std::string line = "0123456789012345678901234567890123456789012345678901234567890123456789";
  const size_t total = 8000000;
  Container c({"sh", "-c", "yes " + line + " | head -c " + std::to_string(total) +
                               "; echo done >&2; read a"},
              false, true, false);
  ASSERT_NO_FATAL_FAILURE(c.Spawn());
  auto att = Attach(c.o.dir, true, true, true);
  ASSERT_TRUE(att.ok()) << att.error().message();
  ASSERT_TRUE(Start(c.o.dir).ok());
  // Frames until stderr says done (the writer then waits for a line).
  Demuxed got;
  int64_t deadline = NowMs() + 60000;
  while (got.err.find("done") == std::string::npos && NowMs() < deadline) {
    std::string h = ReadSome(att->get(), 8, deadline);
    ASSERT_EQ(h.size(), 8u) << "attach ended early";
    uint32_t len = (uint32_t(uint8_t(h[4])) << 24) | (uint32_t(uint8_t(h[5])) << 16) |
                   (uint32_t(uint8_t(h[6])) << 8) | uint32_t(uint8_t(h[7]));
    (h[0] == 2 ? got.err : got.out) += ReadSome(att->get(), len, deadline);
  }
  EXPECT_EQ(got.out.size(), total);
  EXPECT_GE(LargestPipe(c.monitor_pid), 1 << 20) << "the stdout pipe was not grown";
  ASSERT_TRUE(fs::WriteAll(att->get(), "\n").ok());
  ASSERT_TRUE(c.MonitorGone(30s));
  std::string want;
  while (want.size() < total) want += line + "\n";
  want.resize(total);
  EXPECT_TRUE(got.out == want) << "attach: " << got.out.size() << " bytes, differing";
  std::string logged, err;
  size_t entries = 0;
  for (const auto& e : c.Log()) {
    (e.stream == "stderr" ? err : logged) += e.log;
    if (e.stream == "stdout") ++entries;
  }
  EXPECT_TRUE(logged == want) << "log: " << logged.size() << " bytes, differing";
  EXPECT_EQ(entries, (total + 70) / 71);
  EXPECT_EQ(err, "done\n");
}

TEST_F(MonitorTest, ExecInARunningContainer) {
  Container c({"sleep", "1000"});
  ASSERT_NO_FATAL_FAILURE(c.Spawn());
  ASSERT_TRUE(Start(c.o.dir).ok());
  Container e(c, {"sh", "-c", "echo in-exec; echo e >&2; exit 7"});
  ASSERT_NO_FATAL_FAILURE(e.Spawn());
  auto att = Attach(e.o.dir, false, true, true);
  ASSERT_TRUE(att.ok());
  auto wait = WaitConnection(e.o.dir);
  ASSERT_TRUE(wait.ok());
  auto started = Start(e.o.dir);
  ASSERT_TRUE(started.ok()) << started.error().message();
  Demuxed d = ReadFrames(att->get());
  EXPECT_EQ(d.out, "in-exec\n");
  EXPECT_EQ(d.err, "e\n");
  auto code = ReadWaitReply(wait->get());
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 7);
  ASSERT_TRUE(e.MonitorGone());
  EXPECT_EQ(ReadExit(e.o.dir)->exit_code, 7);
  // The container is untouched by the exec's end.
  EXPECT_TRUE(Alive(c.o.dir));
  // Signal an exec'd process.
  Container e2(c, {"sleep", "1000"});
  ASSERT_NO_FATAL_FAILURE(e2.Spawn());
  auto wait2 = WaitConnection(e2.o.dir);
  ASSERT_TRUE(wait2.ok());
  ASSERT_TRUE(Start(e2.o.dir).ok());
  ASSERT_TRUE(Signal(e2.o.dir, SIGTERM).ok());
  auto code2 = ReadWaitReply(wait2->get());
  ASSERT_TRUE(code2.ok());
  EXPECT_EQ(*code2, 128 + SIGTERM);
  auto wait_c = WaitConnection(c.o.dir);
  ASSERT_TRUE(wait_c.ok());
  ASSERT_TRUE(c.Kill(SIGKILL).ok());
  auto code_c = ReadWaitReply(wait_c->get());
  ASSERT_TRUE(code_c.ok());
  EXPECT_EQ(*code_c, 137);
}

TEST_F(MonitorTest, SpawnReportsBadArguments) {
  SpawnOptions o;
  o.monitor_path = BERTH_MONITOR_PATH;
  o.id = "x";
  o.runtime_root = "relative";
  o.dir = g_root + "/bad";
  o.bundle = "/b";
  auto pid = Spawn(o);
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.error().code(), Code::kUnavailable);
  EXPECT_NE(pid.error().message().find("absolute"), std::string::npos) << pid.error().message();
  EXPECT_TRUE(NoChildren());
}

}  // namespace
}  // namespace berth::monitor
