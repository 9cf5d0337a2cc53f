#include "cli/cmd/container/attach_io.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <thread>

#include "base/unique_fd.h"
#include "base/stdcopy.h"
#include "cli/cmd/container/term.h"

namespace berth::cli {
namespace {

Status WriteAllFd(int fd, std::string_view d) {
  while (!d.empty()) {
    ssize_t n = ::write(fd, d.data(), d.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("write output");
    }
    d.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

// Events the copy threads send to the waiting thread, one byte each.
constexpr char kOutputDone = 'o', kInputDone = 'i', kDetached = 'd';

struct Pipe {
  unique_fd r, w;
  static Result<Pipe> Make() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) return Error::Sys("pipe");
    return Pipe{unique_fd(fds[0]), unique_fd(fds[1])};
  }
  void Send(char c) const { (void)!::write(w.get(), &c, 1); }
};

Status CopyOutput(http::Stream& conn, const IoOptions& o) {
  StdDemux demux([&](std::string_view d) { return o.out_fd >= 0 ? WriteAllFd(o.out_fd, d) : Ok(); },
                 [&](std::string_view d) { return o.err_fd >= 0 ? WriteAllFd(o.err_fd, d) : Ok(); });
  char buf[32768];
  for (;;) {
    auto n = conn.Read(buf, sizeof buf);
    if (!n.ok() || *n == 0) return Ok();  // the daemon closed: the streams ended
    std::string_view d(buf, *n);
    if (o.tty) {
      if (o.out_fd >= 0) BERTH_TRY(WriteAllFd(o.out_fd, d));
    } else {
      BERTH_TRY(demux.Feed(d));
    }
  }
}

// Returns true on the detach sequence.
bool CopyInput(http::Stream& conn, const IoOptions& o, int cancel_fd) {
  bool watch = o.tty && !o.detach_keys.empty();
  EscapeDetector detector(o.detach_keys);
  char buf[32768];
  for (;;) {
    pollfd p[2] = {{o.in_fd, POLLIN, 0}, {cancel_fd, POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (p[1].revents) return false;
    ssize_t n = ::read(o.in_fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    std::string forward;
    bool detached = false;
    if (watch) detached = detector.Feed(std::string_view(buf, static_cast<size_t>(n)), &forward);
    else forward.assign(buf, static_cast<size_t>(n));
    if (!forward.empty() && !conn.Write(forward).ok()) return false;
    if (detached) return true;
  }
  if (watch) {
    std::string rest = detector.Pending();
    if (!rest.empty()) (void)conn.Write(rest);
  }
  (void)conn.CloseWrite();
  return false;
}

}  // namespace

Result<IoEnd> StreamIo(http::Stream& conn, const IoOptions& o) {
  Pipe events = BERTH_TRY(Pipe::Make());
  Pipe cancel = BERTH_TRY(Pipe::Make());
  bool has_output = o.out_fd >= 0 || o.err_fd >= 0;
  bool has_input = o.in_fd >= 0;

  Status out_status;
  std::thread output, input;
  if (has_output) {
    output = std::thread([&] {
      out_status = CopyOutput(conn, o);
      if (o.tty && o.raw) o.raw->Restore();
      events.Send(kOutputDone);
    });
  }
  if (has_input) {
    input = std::thread([&] {
      bool detached = CopyInput(conn, o, cancel.r.get());
      if (o.tty && o.raw) o.raw->Restore();
      events.Send(detached ? kDetached : kInputDone);
    });
  } else if (!has_output) {
    // Nothing attached at all: nothing to wait for.
    return IoEnd::kDone;
  } else {
    // Without stdin the container must see EOF on its (unattached) stdin
    // side of the stream as well, as docker's streamer closes it.
    (void)conn.CloseWrite();
  }

  IoEnd end = IoEnd::kDone;
  bool output_done = !has_output;
  for (bool running = true; running;) {
    pollfd p[2] = {{events.r.get(), POLLIN, 0}, {o.signal_fd, POLLIN, 0}};
    int np = o.signal_fd >= 0 ? 2 : 1;
    if (::poll(p, static_cast<nfds_t>(np), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (np == 2 && p[1].revents && o.on_signal) o.on_signal();
    if (!p[0].revents) continue;
    char c = 0;
    if (::read(events.r.get(), &c, 1) != 1) continue;
    switch (c) {
      case kOutputDone:
        output_done = true;
        running = false;
        break;
      case kDetached:
        end = IoEnd::kDetached;
        running = false;
        break;
      case kInputDone:
        if (!has_output) running = false;  // else: wait for the output to end
        break;
    }
  }
  // Stop what still runs: the input thread through its cancel pipe, the
  // output thread by shutting the connection down.
  cancel.Send('x');
  if (!output_done) ::shutdown(conn.fd(), SHUT_RDWR);
  if (input.joinable()) input.join();
  if (output.joinable()) output.join();
  if (o.raw) o.raw->Restore();
  if (end == IoEnd::kDone && !out_status.ok()) return out_status.error();
  return end;
}

}  // namespace berth::cli
