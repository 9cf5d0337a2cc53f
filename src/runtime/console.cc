#include "runtime/console.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>

#include "base/fs.h"
#include "runtime/sync.h"
#include "sys/syscalls.h"

namespace berth::runtime {

Result<Pty> OpenPty(const std::optional<oci::ConsoleSize>& size) {
  Pty pty;
  int m = ::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0) return Error::Sys("open /dev/ptmx");
  pty.master.reset(m);
  if (::unlockpt(m) < 0) return Error::Sys("unlockpt");
  char name[64];
  if (::ptsname_r(m, name, sizeof name) != 0) return Error::Sys("ptsname");
  pty.slave_path = name;
  int s = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s < 0) return Error::Sys(std::string("open ") + name);
  pty.slave.reset(s);
  if (size && size->height && size->width) {
    struct winsize ws = {static_cast<unsigned short>(size->height),
                         static_cast<unsigned short>(size->width), 0, 0};
    if (::ioctl(m, TIOCSWINSZ, &ws) < 0) return Error::Sys("set the console size");
  }
  return pty;
}

Status BecomeTerminalOwner(int slave_fd) {
  if (::setsid() < 0 && errno != EPERM) return Error::Sys("setsid");
  if (::ioctl(slave_fd, TIOCSCTTY, 0) < 0) return Error::Sys("make the pty the controlling terminal");
  for (int fd = 0; fd < 3; ++fd)
    if (::dup2(slave_fd, fd) < 0) return Error::Sys("dup2 pty onto fd " + std::to_string(fd));
  return Ok();
}

Result<unique_fd> ConnectConsoleSocket(const std::string& path) {
  unique_fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return Error::Sys("socket");
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return Error::Invalid("console socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    return Error::Sys("connect to console socket " + path);
  return s;
}

Status SendConsole(int socket_fd, int master_fd) {
  static constexpr char kName[] = "/dev/ptmx";
  return SendWithFd(socket_fd, kName, sizeof kName - 1, master_fd)
      .Context("send the console to the console socket");
}

namespace {

// Puts a terminal in raw mode for its lifetime.
class RawMode {
 public:
  explicit RawMode(int fd) : fd_(fd) {
    if (!::isatty(fd) || ::tcgetattr(fd, &saved_) < 0) return;
    struct termios raw = saved_;
    ::cfmakeraw(&raw);
    if (::tcsetattr(fd, TCSANOW, &raw) == 0) active_ = true;
  }
  ~RawMode() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }

 private:
  int fd_;
  struct termios saved_ = {};
  bool active_ = false;
};

void CopyWinsize(int from, int to) {
  struct winsize ws;
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

// Copies what is readable on `from` to `to`; false at EOF or error.
bool Pump(int from, int to) {
  char buf[16384];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  return fs::WriteAll(to, std::string_view(buf, static_cast<size_t>(n))).ok();
}

}  // namespace

Result<int> WaitForeground(pid_t pid, int pty_master) {
  sigset_t all, old;
  ::sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, &old);
  struct RestoreMask {
    sigset_t m;
    ~RestoreMask() { ::sigprocmask(SIG_SETMASK, &m, nullptr); }
  } restore{old};
  unique_fd sfd(::signalfd(-1, &all, SFD_CLOEXEC));
  if (!sfd) return Error::Sys("signalfd");

  std::optional<RawMode> raw;
  bool stdin_open = false;
  if (pty_master >= 0) {
    raw.emplace(STDIN_FILENO);
    if (::isatty(STDIN_FILENO)) CopyWinsize(STDIN_FILENO, pty_master);
    stdin_open = true;
  }
  bool master_open = pty_master >= 0;
  std::optional<int> exit_code;

  auto reap = [&]() -> bool {
    for (;;) {
      int status;
      pid_t r = ::waitpid(-1, &status, WNOHANG);
      if (r <= 0) return exit_code.has_value();
      if (r == pid) exit_code = sys::ExitStatusCode(status);
    }
  };

  // The process may have exited before SIGCHLD was blocked: look once.
  reap();
  while (!exit_code || master_open) {
    if (exit_code && master_open) {
      // The process is gone: drain what is left of its output.
      struct pollfd p = {pty_master, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0 || !Pump(pty_master, STDOUT_FILENO)) master_open = false;
      continue;
    }
    struct pollfd fds[3];
    int n = 0;
    fds[n++] = {sfd.get(), POLLIN, 0};
    int mi = -1, si = -1;
    if (master_open) { mi = n; fds[n++] = {pty_master, POLLIN, 0}; }
    if (stdin_open) { si = n; fds[n++] = {STDIN_FILENO, POLLIN, 0}; }
    if (::poll(fds, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("poll");
    }
    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo si_info;
      if (::read(sfd.get(), &si_info, sizeof si_info) == sizeof si_info) {
        int sig = static_cast<int>(si_info.ssi_signo);
        if (sig == SIGCHLD) {
          reap();
        } else if (sig == SIGWINCH) {
          if (pty_master >= 0) CopyWinsize(STDIN_FILENO, pty_master);
        } else {
          ::kill(pid, sig);
        }
      }
    }
    if (mi >= 0 && fds[mi].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!Pump(pty_master, STDOUT_FILENO)) master_open = false;
    }
    if (si >= 0 && fds[si].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!Pump(STDIN_FILENO, pty_master)) stdin_open = false;
    }
    if (!exit_code) reap();
  }
  return *exit_code;
}

}  // namespace berth::runtime
