#include "monitor/monitor.h"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "sys/syscalls.h"

namespace berth::monitor {
namespace {

constexpr size_t kMaxPending = 1 << 20;     // per attach connection
constexpr size_t kMaxStdinBuf = 64 << 10;   // stdin not yet taken by the process
constexpr size_t kMaxCommandLine = 4096;
constexpr size_t kReadChunk = 64 << 10;     // one read of the process's output
constexpr size_t kBigReadChunk = 1 << 20;   // ... of a stream that filled kReadChunk
constexpr int kBigPipe = 1 << 20;           // its pipe (the default is 64 KiB)
constexpr size_t kMaxConns = 512;
constexpr int64_t kDrainMs = 2000;          // output after the process ended
constexpr int64_t kCloseMs = 2000;          // last bytes to slow connections

int64_t NowMs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::string OneLine(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

// The signal state the process must start with: the runtime does not reset
// the mask or ignored signals before exec, so while it forks the process the
// monitor unblocks SIGCHLD (its signalfd's) and stops ignoring SIGPIPE. An
// exit meanwhile is still caught: the zombie waits for Reap().
class ChildSignals {
 public:
  ChildSignals() {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    ::sigprocmask(SIG_UNBLOCK, &chld, &old_mask_);
    ::signal(SIGPIPE, SIG_DFL);
  }
  ~ChildSignals() {
    ::signal(SIGPIPE, SIG_IGN);
    ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  }

 private:
  sigset_t old_mask_;
};

// What a pollfd entry stands for.
enum class Tag { kListener, kSignal, kOut, kErr, kStdin, kConn };

}  // namespace

Monitor::Monitor(SpawnOptions o, unique_fd listener, unique_fd sigfd)
    : o_(std::move(o)), listener_(std::move(listener)), sigfd_(std::move(sigfd)) {}

bool Monitor::OutputBlocked() const {
  for (const Conn& c : conns_)
    if (c.state == Conn::State::kAttach && c.out.size() > kMaxPending) return true;
  return false;
}

int Monitor::PollTimeoutMs() const {
  if (phase_ != Phase::kDraining && phase_ != Phase::kClosing) return -1;
  return static_cast<int>(std::max<int64_t>(0, deadline_ms_ - NowMs()));
}

void Monitor::Run() {
  std::vector<pollfd> fds;
  std::vector<std::pair<Tag, Conn*>> tags;
  while (phase_ != Phase::kDone) {
    fds.clear();
    tags.clear();
    auto add = [&](int fd, short events, Tag t, Conn* c = nullptr) {
      fds.push_back({fd, events, 0});
      tags.emplace_back(t, c);
    };
    if (phase_ != Phase::kClosing) add(listener_.get(), POLLIN, Tag::kListener);
    add(sigfd_.get(), POLLIN, Tag::kSignal);
    bool blocked = OutputBlocked();
    if (proc_.out && !blocked) add(proc_.out.get(), POLLIN, Tag::kOut);
    if (proc_.err && !blocked) add(proc_.err.get(), POLLIN, Tag::kErr);
    if (proc_.in && !stdin_buf_.empty()) add(proc_.in.get(), POLLOUT, Tag::kStdin);
    for (Conn& c : conns_) {
      short ev = 0;
      bool reading = !c.in_eof && (c.state == Conn::State::kCommand ||
                                   c.state == Conn::State::kWait ||
                                   (c.state == Conn::State::kAttach &&
                                    (!c.want_in || stdin_buf_.size() < kMaxStdinBuf)));
      if (reading) ev |= POLLIN;
      if (!c.out.empty()) ev |= POLLOUT;
      add(c.fd.get(), ev, Tag::kConn, &c);
    }
    int n = ::poll(fds.data(), fds.size(), PollTimeoutMs());
    if (n < 0 && errno != EINTR) {
      log::Error("poll: {}", std::strerror(errno));
      break;
    }
    for (size_t i = 0; n > 0 && i < fds.size(); ++i) {
      short re = fds[i].revents;
      if (!re) continue;
      auto [tag, conn] = tags[i];
      switch (tag) {
        case Tag::kListener: Accept(); break;
        case Tag::kSignal: Reap(); break;
        case Tag::kOut: ReadOutput(0); break;
        case Tag::kErr: ReadOutput(1); break;
        case Tag::kStdin: WriteStdin(); break;
        case Tag::kConn:
          if (conn->dead) break;
          if (re & (POLLERR | POLLNVAL)) {
            conn->dead = true;
            break;
          }
          if (re & POLLOUT) FlushConn(*conn);
          if (!conn->dead && (re & POLLIN)) ReadConn(*conn);
          // Peer gone for good (not a half-close): nothing more to send.
          if (!conn->dead && (re & POLLHUP) && !(re & POLLIN)) conn->dead = true;
          break;
      }
    }
    conns_.remove_if([](const Conn& c) { return c.dead; });

    if (phase_ == Phase::kDraining && ((!proc_.out && !proc_.err) || NowMs() >= deadline_ms_))
      Finish();
    if (phase_ == Phase::kClosing) {
      bool pending = false;
      for (Conn& c : conns_) {
        if (c.state == Conn::State::kCommand) continue;
        if (c.out.empty()) c.dead = true;
        else pending = true;
      }
      conns_.remove_if([](const Conn& c) { return c.dead; });
      if (!pending || NowMs() >= deadline_ms_) phase_ = Phase::kDone;
    }
  }
  ::unlink((o_.dir + "/monitor.sock").c_str());
}

void Monitor::Accept() {
  while (true) {
    int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
        log::Warn("accept: {}", std::strerror(errno));
      return;
    }
    if (conns_.size() >= kMaxConns) {
      ::close(fd);
      continue;
    }
    conns_.emplace_back();
    conns_.back().fd.reset(fd);
  }
}

void Monitor::ReadConn(Conn& c) {
  char buf[32 * 1024];
  ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR) c.dead = true;
    return;
  }
  if (n == 0) {
    c.in_eof = true;
    if (c.state == Conn::State::kAttach && c.want_in) StdinEof();
    // A command never finished.
    if (c.state == Conn::State::kCommand) c.dead = true;
    return;
  }
  std::string_view data(buf, static_cast<size_t>(n));
  if (c.state == Conn::State::kAttach) {
    if (c.want_in) TakeStdin(c, data);
    return;
  }
  if (c.state != Conn::State::kCommand) return;  // ignored
  c.in.append(data);
  size_t nl = c.in.find('\n');
  if (nl == std::string::npos) {
    if (c.in.size() > kMaxCommandLine) c.dead = true;
    return;
  }
  std::string line = c.in.substr(0, nl);
  std::string rest = c.in.substr(nl + 1);
  c.in.clear();
  HandleCommand(c, line);
  // Bytes sent right behind "attach 1 ..." are already stdin.
  if (!rest.empty() && c.state == Conn::State::kAttach && c.want_in) TakeStdin(c, rest);
}

void Monitor::Reply(Conn& c, const std::string& line) {
  c.out += line;
  c.out += '\n';
  FlushConn(c);
}

void Monitor::HandleCommand(Conn& c, std::string_view line) {
  auto cmd = ParseCommand(line);
  if (!cmd.ok()) {
    c.state = Conn::State::kReplied;
    Reply(c, "error 0 " + OneLine(cmd.error().message()));
    return;
  }
  switch (cmd->kind) {
    case CommandKind::kStart:
      Start(c);
      return;
    case CommandKind::kAttach:
      c.state = Conn::State::kAttach;
      c.want_in = cmd->in && o_.stdin_open;
      c.want_out = cmd->out;
      c.want_err = cmd->err;
      Reply(c, "ok");
      if (phase_ == Phase::kClosing) c.state = Conn::State::kReplied;
      return;
    case CommandKind::kWait:
      c.state = Conn::State::kWait;
      if (phase_ == Phase::kClosing) {
        c.state = Conn::State::kReplied;
        Reply(c, "exit " + std::to_string(exit_.exit_code));
      }
      return;
    case CommandKind::kResize: {
      c.state = Conn::State::kReplied;
      if (o_.tty && phase_ == Phase::kIdle) {
        // docker exec -ti resizes as soon as its stream is hijacked, which
        // can be before the start: keep the size for it.
        pending_size_ = {static_cast<unsigned short>(cmd->height),
                         static_cast<unsigned short>(cmd->width), 0, 0};
        Reply(c, "ok");
        return;
      }
      if (o_.tty && proc_.out && phase_ == Phase::kRunning) {
        struct winsize ws = {static_cast<unsigned short>(cmd->height),
                             static_cast<unsigned short>(cmd->width), 0, 0};
        if (::ioctl(proc_.out.get(), TIOCSWINSZ, &ws) < 0) {
          Reply(c, "error 0 resize: " + std::string(std::strerror(errno)));
          return;
        }
      }
      Reply(c, "ok");
      return;
    }
    case CommandKind::kSignal:
      c.state = Conn::State::kReplied;
      if (phase_ != Phase::kRunning) {
        Reply(c, "error 0 the process is not running");
        return;
      }
      if (::kill(proc_.pid, cmd->signal) < 0 && errno != ESRCH) {
        Reply(c, "error 0 kill: " + std::string(std::strerror(errno)));
        return;
      }
      Reply(c, "ok");
      return;
  }
}

void Monitor::Start(Conn& c) {
  c.state = Conn::State::kReplied;
  if (phase_ != Phase::kIdle) {
    Reply(c, "error 0 already started");
    return;
  }
  if (!o_.log_path.empty()) {
    auto w = logfile::Writer::Open(
        {.path = o_.log_path, .max_size = o_.log_max_size, .max_files = o_.log_max_files});
    if (w.ok())
      log_.emplace(std::move(*w));
    else
      log::Warn("open the log: {}", w.error().message());
  }
  Result<Running> r = [&] {
    ChildSignals child_signals;
    return StartProcess(o_);
  }();
  exit_.started_at = NowRfc3339Nano();
  if (!r.ok()) {
    exit_.error = OneLine(r.error().message());
    exit_.exit_code = ExitCodeForStartError(exit_.error);
    exit_.started_at.clear();
    log::Warn("start: {}", exit_.error);
    Reply(c, "error " + std::to_string(exit_.exit_code) + " " + exit_.error);
    Finish();
    return;
  }
  proc_ = std::move(*r);
  exit_.pid = proc_.pid;
  phase_ = Phase::kRunning;
  if (o_.tty && proc_.out && pending_size_.ws_row && pending_size_.ws_col)
    (void)::ioctl(proc_.out.get(), TIOCSWINSZ, &pending_size_);
  Reply(c, "ok " + std::to_string(proc_.pid));
  WriteStdin();  // what attach connections sent before the start, and its end
  Reap();  // it may have ended already
  ::malloc_trim(0);  // give back what parsing the spec and starting took
}

void Monitor::TakeStdin(Conn& c, std::string_view data) {
  (void)c;
  // Before the start (docker run attaches first, and a client may send all
  // its stdin and its end at once) it waits in the buffer: Start writes it.
  if (phase_ == Phase::kIdle) {
    if (o_.stdin_open) stdin_buf_.append(data);
    return;
  }
  if (!proc_.in || phase_ != Phase::kRunning) return;  // nobody reads it any more
  stdin_buf_.append(data);
  WriteStdin();
}

void Monitor::StdinEof() {
  if (!o_.stdin_once) return;
  if (phase_ == Phase::kIdle) {  // closed once the process runs and has the buffer
    stdin_close_pending_ = true;
    return;
  }
  if (!proc_.in) return;
  stdin_close_pending_ = true;
  if (stdin_buf_.empty()) CloseStdin();
}

void Monitor::CloseStdin() {
  // A pty has no end of input but EOF, the terminal's ^D.
  if (o_.tty && proc_.in) (void)::write(proc_.in.get(), "\x04", 1);
  proc_.in.reset();
  stdin_buf_.clear();
  stdin_close_pending_ = false;
}

void Monitor::WriteStdin() {
  while (!stdin_buf_.empty() && proc_.in) {
    ssize_t n = ::write(proc_.in.get(), stdin_buf_.data(), stdin_buf_.size());
    if (n < 0) {
      if (errno == EAGAIN) return;
      if (errno == EINTR) continue;
      // EPIPE: the process closed its stdin; drop what comes.
      proc_.in.reset();
      stdin_buf_.clear();
      return;
    }
    stdin_buf_.erase(0, static_cast<size_t>(n));
  }
  if (stdin_close_pending_ && stdin_buf_.empty()) CloseStdin();
}

void Monitor::ReadOutput(int which) {
  unique_fd& fd = which == 0 ? proc_.out : proc_.err;
  StreamId stream = which == 0 ? kStdout : kStderr;
  const char* name = which == 0 ? "stdout" : "stderr";
  // Big reads: the log writer turns one read into one write(2), whatever
  // the number of lines in it. Allocated on first output (an idle
  // container's monitor never touches it).
  if (!read_buf_) SetReadBuffer(kReadChunk);
  // A few reads per wake-up, so one busy stream does not starve the rest.
  for (int round = 0; round < 4 && fd; ++round) {
    ssize_t n = ::read(fd.get(), read_buf_.get(), read_cap_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {  // EOF, or EIO from a pty whose other side is closed
      if (o_.tty && proc_.in) proc_.in.reset();
      fd.reset();
      return;
    }
    std::string_view data(read_buf_.get(), static_cast<size_t>(n));
    if (log_ && !log_failed_) {
      if (auto st = log_->Write(name, data); !st.ok()) {
        log::Warn("write the log: {}", st.error().message());
        log_failed_ = true;
      }
    }
    Broadcast(stream, data);
    bool full = static_cast<size_t>(n) == read_cap_;
    if (!o_.tty) SizeForRate(fd.get(), which, static_cast<size_t>(n));
    if (OutputBlocked()) return;
    // A pipe read that did not fill the buffer emptied the pipe.
    if (!o_.tty && !full) return;
  }
}

void Monitor::SetReadBuffer(size_t size) {
  read_buf_ = std::make_unique_for_overwrite<char[]>(size);
  read_cap_ = size;
}

void Monitor::SizeForRate(int fd, int which, size_t n) {
  if (n == read_cap_ && read_cap_ < kBigReadChunk) {
    // A writer faster than the monitor's reads: a bigger pipe lets it go on
    // while the monitor writes the log, and bigger reads mean fewer
    // wake-ups and writes. (Other containers keep the default pipe: its
    // size is charged to the user whether filled or not.)
    if (!big_pipe_[which] && ::fcntl(fd, F_SETPIPE_SZ, kBigPipe) >= 0) big_pipe_[which] = true;
    SetReadBuffer(kBigReadChunk);
  } else if (n < kReadChunk / 2 && read_cap_ > kReadChunk) {
    SetReadBuffer(kReadChunk);  // the burst is over: give the big buffer back
  }
}

void Monitor::Broadcast(StreamId stream, std::string_view data) {
  for (Conn& c : conns_) {
    if (c.state != Conn::State::kAttach || c.dead) continue;
    if (!(stream == kStdout ? c.want_out : c.want_err)) continue;
    if (o_.tty)
      c.out.append(data);
    else
      AppendFrame(c.out, stream, data);
    FlushConn(c);
  }
}

void Monitor::FlushConn(Conn& c) {
  while (!c.out.empty()) {
    ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN) return;
      if (errno == EINTR) continue;
      c.dead = true;
      c.out.clear();
      return;
    }
    c.out.erase(0, static_cast<size_t>(n));
  }
  if (c.out.capacity() > (64 << 10)) c.out.shrink_to_fit();
  if (c.state == Conn::State::kReplied && phase_ != Phase::kClosing) c.dead = true;
}

void Monitor::Reap() {
  struct signalfd_siginfo si[8];
  while (::read(sigfd_.get(), si, sizeof si) > 0) {
  }
  int status;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid != proc_.pid || phase_ != Phase::kRunning) continue;
    exit_.exit_code = sys::ExitStatusCode(status);
    phase_ = Phase::kDraining;
    deadline_ms_ = NowMs() + kDrainMs;
    proc_.in.reset();  // nobody reads stdin any more
    stdin_buf_.clear();
  }
}

void Monitor::Finish() {
  // Whatever is still in the pipes after the deadline stays unread.
  proc_.out.reset();
  proc_.err.reset();
  proc_.in.reset();
  if (log_) {
    if (auto st = log_->Flush(); !st.ok()) log::Warn("flush the log: {}", st.error().message());
    log_.reset();
  }
  bool started = exit_.pid != 0;
  exit_.finished_at = NowRfc3339Nano();
  if (started && !o_.exec_mode) exit_.oom_killed = OomKilled(o_);
  if (auto st = fs::AtomicWrite(o_.dir + "/exit.json", EncodeExit(exit_), 0644); !st.ok())
    log::Error("write exit.json: {}", st.error().message());
  if (started && !o_.exec_mode) {
    if (auto st = DeleteContainer(o_); !st.ok())
      log::Warn("delete the container: {}", st.error().message());
  }
  if (!o_.rootfs_mount.empty() && ::umount2(o_.rootfs_mount.c_str(), MNT_DETACH) < 0 &&
      errno != EINVAL && errno != ENOENT)
    log::Warn("unmount {}: {}", o_.rootfs_mount, std::strerror(errno));
  phase_ = Phase::kClosing;
  deadline_ms_ = NowMs() + kCloseMs;
  for (Conn& c : conns_) {
    if (c.state == Conn::State::kWait) {
      c.state = Conn::State::kReplied;
      Reply(c, "exit " + std::to_string(exit_.exit_code));
    } else if (c.state == Conn::State::kAttach) {
      c.state = Conn::State::kReplied;
    }
  }
}

}  // namespace berth::monitor
