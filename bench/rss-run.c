// rss-run OUTFILE PROG ARGS...: runs PROG, writes "<exit status> <wall ns>
// <peak RSS KiB>" to OUTFILE, exits 0. A small static trampoline, so the
// forked child's pre-exec memory (which counts in ru_maxrss) is tiny and the
// same for every runtime measured.
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: rss-run OUTFILE PROG ARGS...\n");
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    execv(argv[2], argv + 2);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) return 1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  FILE *f = fopen(argv[1], "w");
  if (!f) return 1;
  fprintf(f, "%d %lld %ld\n", rc, ns, ru.ru_maxrss);
  return fclose(f) == 0 ? 0 : 1;
}
