// berth-monitor: one per running container (or exec). Start-up as in
// docs/containers.md: listen on DIR/monitor.sock, detach (fork, setsid,
// stdio on /dev/null), write DIR/monitor.pid and "ready <pid>\n" on
// --ready-fd; then serve until the process has ended. A failure before
// "ready" is written there as "error <message>\n" (and exit status 1).
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/log.h"
#include "monitor/args.h"
#include "monitor/monitor.h"
#include "monitor/sock.h"

namespace berth::monitor {
namespace {

// Closes every fd but stdio and keep (berthd's fds should be close-on-exec;
// this makes sure).
void CloseOtherFds(int keep) {
  if (keep > 3) ::close_range(3, static_cast<unsigned>(keep - 1), 0);
  ::close_range(static_cast<unsigned>(std::max(keep + 1, 3)), ~0U, 0);
}

void Report(int ready_fd, const std::string& line) {
  if (ready_fd < 0) {
    std::fprintf(stderr, "berth-monitor: %s\n", line.c_str());
    return;
  }
  (void)fs::WriteAll(ready_fd, line + "\n");
}

int Fail(int ready_fd, const Error& e) {
  std::string m = e.message();
  for (char& c : m)
    if (c == '\n') c = ' ';
  Report(ready_fd, "error " + m);
  return 1;
}

// The part after the fork: the monitor proper.
int Serve(const Options& o, unique_fd listener) {
  const SpawnOptions& s = o.spawn;
  ::setsid();
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    ::close(null);
  }
  if (auto st = log::Init(s.dir + "/monitor.log", log::Format::kText, log::Level::kWarn); !st.ok())
    return Fail(o.ready_fd, st.error());
  // Processes the container leaves behind (exec's helper exits; orphans of
  // a container without its own pid namespace) are reaped here.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    return Fail(o.ready_fd, Error::Sys("prctl(PR_SET_CHILD_SUBREAPER)"));
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) < 0)
    return Fail(o.ready_fd, Error::Sys("sigprocmask"));
  unique_fd sigfd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!sigfd) return Fail(o.ready_fd, Error::Sys("signalfd"));
  std::string pid = std::to_string(::getpid());
  if (auto st = fs::AtomicWrite(s.dir + "/monitor.pid", pid, 0644, false); !st.ok())
    return Fail(o.ready_fd, st.error());
  if (o.ready_fd >= 0) {
    Report(o.ready_fd, "ready " + pid);
    ::close(o.ready_fd);
  }
  Monitor m(s, std::move(listener), std::move(sigfd));
  ::malloc_trim(0);
  m.Run();
  return 0;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto o = ParseArgs(args);
  if (!o.ok()) {
    int ready = -1;  // still report on the ready fd when it can be found
    for (size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == "--ready-fd") ready = std::atoi(args[i + 1].c_str());
    return Fail(ready, o.error());
  }
  CloseOtherFds(o->ready_fd);
  ::signal(SIGPIPE, SIG_IGN);
  if (auto st = fs::MkdirAll(o->spawn.dir, 0700); !st.ok()) return Fail(o->ready_fd, st.error());
  auto listener = ListenUnix(o->spawn.dir + "/monitor.sock");
  if (!listener.ok()) return Fail(o->ready_fd, listener.error());
  pid_t child = ::fork();
  if (child < 0) return Fail(o->ready_fd, Error::Sys("fork"));
  if (child > 0) ::_exit(0);  // the spawner reaps this one at once
  return Serve(*o, std::move(*listener));
}

}  // namespace
}  // namespace berth::monitor

int main(int argc, char** argv) { return berth::monitor::Main(argc, argv); }
