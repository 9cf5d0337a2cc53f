// The process a monitor watches: the container's init (container mode) or
// one exec'd process (exec mode), started through the runtime library with
// the monitor's pipes (or a pty) as its stdio, and the container's removal
// once it has ended.
#pragma once

#include <sys/types.h>

#include "base/error.h"
#include "base/unique_fd.h"
#include "monitor/monitor_client.h"

namespace berth::monitor {

struct Running {
  pid_t pid = 0;
  unique_fd out;  // read end of the process's stdout, or the pty master
  unique_fd err;  // read end of its stderr (no tty)
  unique_fd in;   // write end of its stdin (--stdin), or a dup of the pty master
};

// Starts the process; every fd returned is non-blocking and close-on-exec.
// The caller must be a child subreaper and reap the pid.
Result<Running> StartProcess(const SpawnOptions& o);

// Container mode, after init ended: whether the kernel OOM-killed a process
// of the container's cgroup (best effort: false when unknown).
bool OomKilled(const SpawnOptions& o);

// Container mode: removes the runtime's container (cgroup, poststop hooks,
// state dir).
Status DeleteContainer(const SpawnOptions& o);

}  // namespace berth::monitor
