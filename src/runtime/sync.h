// The channel between the runtime and the container's init (or an exec'd
// process) while it is being set up: a SOCK_SEQPACKET socketpair carrying
// small typed messages, an optional fd (SCM_RIGHTS), and errors with their
// errno and text, so the runtime reports the step that failed in the child.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::runtime {

enum class Msg : uint32_t {
  kGo = 1,        // parent -> child: continue
  kMaps,          // parent -> child: uid/gid maps written
  kNsReady,       // child -> parent: namespaces joined (payload: pid of init)
  kReady,         // child -> parent: about to wait for start
  kStart,         // parent -> child: exec now (run mode)
  kConsole,       // child -> parent: pty master fd
  kPid,           // child -> parent: pid of the process that will exec
  kError,         // child -> parent: setup failed
  kClosed,        // not sent: the peer closed the channel (or exec'd)
};

struct Message {
  Msg type = Msg::kError;
  int32_t err = 0;
  int64_t value = 0;
  std::string text;
  unique_fd fd;

  Error AsError() const { return Error(static_cast<Code>(value), text, err); }
};

// After kStart (or kGo for exec) the process either execs — the channel
// closes — or reports an error. Returns the pty master if one came first.
Result<unique_fd> AwaitExec(class SyncSocket& sync);

class SyncSocket {
 public:
  SyncSocket() = default;
  explicit SyncSocket(unique_fd fd) : fd_(std::move(fd)) {}
  static Result<std::pair<SyncSocket, SyncSocket>> Pair();

  Status Send(Msg type, int64_t value = 0, const std::string& text = "", int fd = -1,
              int32_t err = 0);
  Status SendError(const Error& e) {
    return Send(Msg::kError, static_cast<int64_t>(e.code()), e.message(), -1, e.err());
  }
  // Receives one message; kClosed when the peer closed, died or exec'd.
  Result<Message> Recv();
  // Receives a message of the wanted type; a kError message from the peer is
  // returned as that Error, kClosed as Unavailable.
  Result<Message> Expect(Msg type);

  int fd() const { return fd_.get(); }
  unique_fd& owned_fd() { return fd_; }
  void Close() { fd_.reset(); }

 private:
  unique_fd fd_;
};

// sendmsg(2) of data with fd attached (SCM_RIGHTS) when fd >= 0; retries
// EINTR. The one place that builds the control message.
Status SendWithFd(int sock, const void* data, size_t len, int fd);

// The start socket: a listening SOCK_SEQPACKET unix socket at `path`, on
// which a created container's init waits for `start`. Paths longer than a
// sockaddr_un allows are reached through their directory.
Result<unique_fd> ListenStartSocket(const std::string& path);
Result<SyncSocket> ConnectStartSocket(const std::string& path);

}  // namespace berth::runtime
