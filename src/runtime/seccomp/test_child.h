// Test helper: runs a body in a forked child after loading a seccomp filter,
// so the test process itself stays unfiltered.
#pragma once

#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <functional>

#include "runtime/seccomp/seccomp.h"

namespace berth::seccomp::testing {

// Exit code of a child whose Load() failed.
inline constexpr int kLoadFailed = 250;

struct ChildStatus {
  int exit_code = -1;  // when it exited
  int signal = 0;      // when a signal killed it
};

// Forks; the child loads `filter` and exits with body()'s value. body runs
// under the filter: it should use only what the filter allows (exit_group
// always, to report back) and raw syscall() for the calls under test.
inline ChildStatus RunFiltered(const Filter& filter, const std::function<int()>& body) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    rlimit no_core{0, 0};  // SIGSYS would dump core
    setrlimit(RLIMIT_CORE, &no_core);
    Status loaded = filter.Load();
    if (!loaded.ok()) {
      std::fprintf(stderr, "load: %s\n", loaded.error().message().c_str());
      _exit(kLoadFailed);
    }
    // exit_group directly: sanitizer runtimes hook _exit and make calls
    // (sigaltstack, gettid, mmap) that a strict filter denies.
    syscall(SYS_exit_group, body());
    _exit(kLoadFailed);  // not reached
  }
  ChildStatus result;
  if (pid < 0) return result;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace berth::seccomp::testing
