// berthd's side: spawning a monitor (posix_spawn, a pipe for its ready
// line) and the one-line commands on monitor.sock.
#include "monitor/monitor_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "base/fs.h"
#include "monitor/args.h"
#include "monitor/protocol.h"
#include "monitor/sock.h"

extern char** environ;

namespace berth::monitor {
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(5);
constexpr int kReadyFd = 3;  // where the monitor finds its ready pipe

std::string SockPath(const std::string& dir) { return dir + "/monitor.sock"; }

int64_t NowMs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Reads one "\n"-terminated line a byte at a time, so nothing after it (the
// attach stream) is consumed.
Result<std::string> ReadLine(int fd, const std::string& what) {
  std::string line;
  while (line.size() < 4096) {
    char c;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Sys("read the reply to " + what);
    if (n == 0) return Error(Code::kUnavailable, "the monitor closed the connection (" + what + ")");
    if (c == '\n') return line;
    line.push_back(c);
  }
  return Error::Internal("reply to " + what + " too long");
}

// Connects, sends the command and reads the reply line.
Result<std::pair<unique_fd, std::string>> RoundTrip(const std::string& dir, const std::string& cmd) {
  unique_fd s = BERTH_TRY(ConnectUnix(SockPath(dir)));
  BERTH_TRY_CTX(fs::WriteAll(s.get(), cmd + "\n"), "send " + cmd);
  std::string reply = BERTH_TRY(ReadLine(s.get(), cmd));
  return std::pair<unique_fd, std::string>{std::move(s), std::move(reply)};
}

Status ExpectOk(const std::string& reply, const std::string& cmd) {
  if (reply == "ok") return Ok();
  if (reply.rfind("error ", 0) == 0) {
    size_t sp = reply.find(' ', 6);
    std::string msg = sp == std::string::npos ? reply.substr(6) : reply.substr(sp + 1);
    return Error(Code::kConflict, cmd + ": " + msg);
  }
  return Error::Internal(cmd + ": unexpected reply \"" + reply + "\"");
}

// Waits for the ready line on fd until the deadline.
Result<std::string> ReadReady(int fd) {
  std::string got;
  int64_t deadline = NowMs() + std::chrono::milliseconds(kReadyTimeout).count();
  while (got.find('\n') == std::string::npos) {
    int64_t left = deadline - NowMs();
    if (left <= 0) return Error(Code::kUnavailable, "berth-monitor did not get ready within 5s");
    struct pollfd p = {fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Error::Sys("poll the monitor's ready pipe");
    if (r == 0) continue;
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Sys("read the monitor's ready pipe");
    if (n == 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got.substr(0, got.find('\n'));
}

// posix_spawn attributes and file actions, released on every path.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t fa;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&fa);
  }
  ~SpawnSetup() {
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
  }
};

}  // namespace

Result<pid_t> Spawn(const SpawnOptions& o) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return Error::Sys("pipe");
  unique_fd rd(p[0]), wr(p[1]);
  if (wr.get() == kReadyFd) {  // dup2 onto itself would keep close-on-exec
    int fd = ::fcntl(wr.get(), F_DUPFD_CLOEXEC, kReadyFd + 1);
    if (fd < 0) return Error::Sys("dup");
    wr.reset(fd);
  }
  unique_fd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!devnull) return Error::Sys("open /dev/null");

  SpawnSetup s;
  for (int fd = 0; fd < 3; ++fd) posix_spawn_file_actions_adddup2(&s.fa, devnull.get(), fd);
  posix_spawn_file_actions_adddup2(&s.fa, wr.get(), kReadyFd);
  // A clean signal state: berthd may block or handle signals.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setsigdefault(&s.attr, &all);
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> args = BuildArgs(o, kReadyFd);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(o.monitor_path.c_str()));
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid;
  int err = ::posix_spawn(&pid, o.monitor_path.c_str(), &s.fa, &s.attr, argv.data(), environ);
  if (err != 0) return Error::Sys("spawn " + o.monitor_path, err);
  wr.reset();
  devnull.reset();

  auto line = ReadReady(rd.get());
  // The process we started forks the monitor and exits at once; reap it.
  if (!line.ok() || line->rfind("ready ", 0) != 0) ::kill(pid, SIGKILL);
  int status = 0;
  pid_t w;
  while ((w = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  if (!line.ok()) return std::move(line).error();
  if (line->rfind("ready ", 0) == 0) {
    long mpid = std::strtol(line->c_str() + 6, nullptr, 10);
    if (mpid > 0) return static_cast<pid_t>(mpid);
  }
  if (line->rfind("error ", 0) == 0)
    return Error(Code::kUnavailable, "berth-monitor: " + line->substr(6));
  std::string how = w == pid && WIFEXITED(status)
                        ? "exited with status " + std::to_string(WEXITSTATUS(status))
                        : "failed";
  return Error(Code::kUnavailable, "berth-monitor " + how + " before it was ready");
}

Result<ExitStatus> ReadExit(const std::string& dir) {
  auto text = fs::ReadFile(dir + "/exit.json");
  if (!text.ok()) return std::move(text).error();
  return DecodeExit(*text);
}

Result<Started> Start(const std::string& dir) {
  auto [fd, reply] = BERTH_TRY_CTX(RoundTrip(dir, "start"), "start");
  if (reply.rfind("ok ", 0) == 0) return Started{static_cast<pid_t>(std::atoi(reply.c_str() + 3))};
  if (reply.rfind("error ", 0) == 0) {
    int code = std::atoi(reply.c_str() + 6);
    size_t sp = reply.find(' ', 6);
    std::string msg = sp == std::string::npos ? "" : reply.substr(sp + 1);
    // Docker answers 400 for a missing or unusable executable.
    Code c = code == 126 || code == 127 ? Code::kInvalidArgument : Code::kInternal;
    return Error(c, msg, code);
  }
  return Error::Internal("start: unexpected reply \"" + reply + "\"");
}

Result<unique_fd> Attach(const std::string& dir, bool in, bool out, bool err) {
  std::string cmd = std::string("attach ") + (in ? "1" : "0") + (out ? " 1" : " 0") +
                    (err ? " 1" : " 0");
  auto [fd, reply] = BERTH_TRY(RoundTrip(dir, cmd));
  BERTH_TRY(ExpectOk(reply, "attach"));
  return std::move(fd);
}

Status Resize(const std::string& dir, int height, int width) {
  auto [fd, reply] =
      BERTH_TRY(RoundTrip(dir, "resize " + std::to_string(height) + " " + std::to_string(width)));
  return ExpectOk(reply, "resize");
}

Status Signal(const std::string& dir, int sig) {
  auto [fd, reply] = BERTH_TRY(RoundTrip(dir, "signal " + std::to_string(sig)));
  return ExpectOk(reply, "signal");
}

Result<unique_fd> WaitConnection(const std::string& dir) {
  unique_fd s = BERTH_TRY(ConnectUnix(SockPath(dir)));
  BERTH_TRY_CTX(fs::WriteAll(s.get(), "wait\n"), "send wait");
  return s;
}

Result<int> ReadWaitReply(int fd) {
  std::string reply = BERTH_TRY(ReadLine(fd, "wait"));
  if (reply.rfind("exit ", 0) != 0) return Error::Internal("wait: unexpected reply \"" + reply + "\"");
  return std::atoi(reply.c_str() + 5);
}

bool Alive(const std::string& dir) { return ConnectUnix(SockPath(dir)).ok(); }

}  // namespace berth::monitor
