// Thin wrappers over system calls glibc does not wrap (or wraps in ways the
// runtime cannot use), each returning a Result that names the call.
#pragma once

#include <sys/types.h>

#include <chrono>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::sys {

// clone(2) without a new stack: fork semantics plus namespace flags. Returns
// 0 in the child, the child's pid in the parent. SIGCHLD is added.
Result<pid_t> CloneProcess(unsigned long flags);

Result<unique_fd> PidfdOpen(pid_t pid);

// Waits until the process behind pidfd has exited (it need not be our
// child). Returns false on timeout.
Result<bool> WaitPidfd(int pidfd, std::chrono::milliseconds timeout);

// Marks every fd >= first close-on-exec: the container process inherits
// only stdio and the fds it was asked to keep, and the runtime's channels
// stay open until the exec itself closes them (which their peer sees).
void CloseOnExecFrom(int first);

// Status of a waitpid() result as a shell would report it: the exit code, or
// 128 + signal.
int ExitStatusCode(int wait_status);

}  // namespace berth::sys
