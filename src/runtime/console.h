// Terminals for containers: a pty made inside the container's devpts, its
// master handed out through a console socket (as runc's --console-socket
// protocol: one SCM_RIGHTS message) or kept by the runtime, which then copies
// between its own terminal and the container's in the foreground.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/error.h"
#include "base/unique_fd.h"
#include "oci/runtime_spec.h"

namespace berth::runtime {

struct Pty {
  unique_fd master;
  unique_fd slave;
  std::string slave_path;  // /dev/pts/N inside the container
};

// Opens a new pty from /dev/ptmx (the container's own devpts once pivoted).
Result<Pty> OpenPty(const std::optional<oci::ConsoleSize>& size);
// Makes fd the controlling terminal of a new session and stdin/out/err.
Status BecomeTerminalOwner(int slave_fd);
Result<unique_fd> ConnectConsoleSocket(const std::string& path);
Status SendConsole(int socket_fd, int master_fd);

// Waits for `pid` (a child of this process, or reparented to it as a
// subreaper) while forwarding the signals the runtime receives to it; when
// pty_master >= 0, also copies stdin to the pty and the pty to stdout, with
// this terminal in raw mode and window-size changes passed on. Returns the
// exit status (128+signal when killed).
Result<int> WaitForeground(pid_t pid, int pty_master);

}  // namespace berth::runtime
