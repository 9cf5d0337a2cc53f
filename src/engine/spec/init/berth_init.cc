// berth-init: the container's PID 1 for `docker run --init` (mounted at
// /sbin/docker-init). Runs `berth-init [-g] [--] CMD ARGS...`:
//   - spawns CMD in its own process group (the terminal's foreground group
//     when stdin is a terminal);
//   - forwards every catchable signal it receives to CMD (to CMD's process
//     group with -g);
//   - reaps every child that ends, its own or re-parented orphans;
//   - exits with CMD's exit status, 128+N when CMD was killed by signal N.
// When it is not PID 1 it makes itself a child subreaper, so orphans still
// come to it. Static, no exceptions, no heap: it runs in any rootfs.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

namespace {

void Fail(const char* what) {
  fprintf(stderr, "berth-init: %s: %s\n", what, strerror(errno));
}

// Signals the kernel raises for the faulting thread: never forwarded.
bool Synchronous(int sig) {
  return sig == SIGFPE || sig == SIGILL || sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT ||
         sig == SIGTRAP || sig == SIGSYS;
}

[[noreturn]] void RunChild(char** argv, const sigset_t& original) {
  setpgid(0, 0);
  if (isatty(STDIN_FILENO)) {
    // Become the terminal's foreground group (SIGTTOU is blocked here).
    tcsetpgrp(STDIN_FILENO, getpgrp());
  }
  sigprocmask(SIG_SETMASK, &original, nullptr);
  execvp(argv[0], argv);
  int err = errno;
  fprintf(stderr, "berth-init: exec %s: %s\n", argv[0], strerror(err));
  _exit(err == ENOENT ? 127 : 126);
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// Reaps every ended child; records the status of `child`.
void Reap(pid_t child, bool* child_done, int* code) {
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;  // none left ended (0), or no children (ECHILD)
    if (pid == child) {
      *child_done = true;
      *code = ExitCode(status);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool group = false;
  int i = 1;
  for (; i < argc; ++i) {
    if (strcmp(argv[i], "--") == 0) {
      ++i;
      break;
    }
    if (strcmp(argv[i], "-g") == 0) {
      group = true;
      continue;
    }
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      printf("usage: berth-init [-g] [--] command [args...]\n");
      return 0;
    }
    if (argv[i][0] == '-') {
      fprintf(stderr, "berth-init: unknown option %s\n", argv[i]);
      return 1;
    }
    break;
  }
  if (i >= argc) {
    fprintf(stderr, "usage: berth-init [-g] [--] command [args...]\n");
    return 1;
  }

  if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    Fail("prctl(PR_SET_CHILD_SUBREAPER)");

  // Every asynchronous signal is taken with sigtimedwait, never delivered.
  sigset_t all, original;
  sigfillset(&all);
  for (int sig = 1; sig < NSIG; ++sig)
    if (Synchronous(sig)) sigdelset(&all, sig);
  if (sigprocmask(SIG_SETMASK, &all, &original) < 0) {
    Fail("sigprocmask");
    return 1;
  }

  pid_t child = fork();
  if (child < 0) {
    Fail("fork");
    return 1;
  }
  if (child == 0) RunChild(argv + i, original);
  setpgid(child, child);  // also here, so a signal right away finds the group

  bool child_done = false;
  int code = 0;
  for (;;) {
    timespec timeout = {1, 0};  // wake up now and then: a missed SIGCHLD cannot hang us
    siginfo_t info;
    int sig = sigtimedwait(&all, &info, &timeout);
    if (sig < 0 && errno != EAGAIN && errno != EINTR) {
      Fail("sigtimedwait");
      return 1;
    }
    if (sig > 0 && sig != SIGCHLD && !child_done) {
      pid_t target = group ? -child : child;
      if (kill(target, sig) < 0 && errno != ESRCH) Fail("kill");
    }
    Reap(child, &child_done, &code);
    if (child_done) {
      // Orphans of the child that ended too: reap what is already gone.
      Reap(child, &child_done, &code);
      return code;
    }
  }
}
