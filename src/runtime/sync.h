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
  kNsReady,       // child -> parent: namespaces joined (payload: pid of init)
  kReady,         // child -> parent: about to wait for start
  kStart,         // parent -> child: exec now (run mode)
  kConsole,       // child -> parent: pty master fd
  kPid,           // child -> parent: pid of the process that will exec
  kError,         // child -> parent: setup failed
};

struct Message {
  Msg type = Msg::kError;
  int32_t err = 0;
  int64_t value = 0;
  std::string text;
  unique_fd fd;
};

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
  // Receives one message. A peer that closed (or died) gives Unavailable.
  Result<Message> Recv();
  // Receives a message of the wanted type; an kError message from the peer is
  // returned as that Error.
  Result<Message> Expect(Msg type);

  int fd() const { return fd_.get(); }
  void Close() { fd_.reset(); }

 private:
  unique_fd fd_;
};

}  // namespace berth::runtime
