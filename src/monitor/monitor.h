// The monitor's event loop: one thread, poll(2) over the control socket, a
// signalfd for SIGCHLD, the process's output and stdin, and the connections.
//
// Phases: idle (listening, not started) -> running -> draining (the process
// ended; its output is read to EOF, bounded) -> closing (exit.json written,
// container deleted, waiters answered; connections get their last bytes)
// -> done. A failed start goes from idle straight to closing.
//
// Attach fan-out: each attached connection has its own output buffer; while
// one holds more than kMaxPending bytes the process's output is not read
// (backpressure, as Docker's attach), so memory stays bounded.
#pragma once

#include <sys/ioctl.h>

#include <cstdint>
#include <list>
#include <memory>
#include <string>

#include "base/unique_fd.h"
#include "logfile/jsonlog.h"
#include "monitor/monitor_client.h"
#include "monitor/process.h"
#include "monitor/protocol.h"

namespace berth::monitor {

class Monitor {
 public:
  Monitor(SpawnOptions o, unique_fd listener, unique_fd sigfd);
  // Serves until the process has ended and every connection got its answer.
  void Run();

 private:
  enum class Phase { kIdle, kRunning, kDraining, kClosing, kDone };
  struct Conn {
    unique_fd fd;
    enum class State { kCommand, kAttach, kWait, kReplied } state = State::kCommand;
    std::string in;   // the command line being read
    std::string out;  // bytes not yet sent
    bool want_in = false, want_out = false, want_err = false;
    bool in_eof = false;  // the peer half-closed (or stdin is not read from it)
    bool dead = false;
  };

  void Accept();
  void ReadConn(Conn& c);
  void HandleCommand(Conn& c, std::string_view line);
  void Reply(Conn& c, const std::string& line);
  void Start(Conn& c);
  void TakeStdin(Conn& c, std::string_view data);
  void StdinEof();
  void WriteStdin();
  void CloseStdin();
  void ReadOutput(int which);
  void SetReadBuffer(size_t size);
  // After a read of n bytes from stream which: a read that filled the
  // buffer grows the pipe and the buffer; a short one after a burst shrinks
  // the buffer back.
  void SizeForRate(int fd, int which, size_t n);
  void Broadcast(StreamId stream, std::string_view data);
  void FlushConn(Conn& c);
  void Reap();
  void Finish();
  bool OutputBlocked() const;
  int PollTimeoutMs() const;

  SpawnOptions o_;
  unique_fd listener_;
  unique_fd sigfd_;
  Phase phase_ = Phase::kIdle;
  Running proc_;
  std::optional<logfile::Writer> log_;
  bool log_failed_ = false;
  std::unique_ptr<char[]> read_buf_;  // output being read (read_cap_ bytes)
  size_t read_cap_ = 0;
  bool big_pipe_[2] = {false, false};  // stdout, stderr grown to kBigPipe
  std::string stdin_buf_;
  bool stdin_close_pending_ = false;
  struct winsize pending_size_ {};  // a resize before the start (tty), set at the start
  ExitStatus exit_;
  int64_t deadline_ms_ = 0;  // draining / closing
  std::list<Conn> conns_;
};

}  // namespace berth::monitor
