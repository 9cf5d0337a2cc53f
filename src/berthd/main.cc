// berthd: the berth daemon. See docs/berthd.md.
#include <malloc.h>
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/log.h"
#include "daemon/daemon.h"
#include "daemon/options.h"

int main(int argc, char** argv) {
  using namespace berth;
  // Few malloc arenas: connection threads come and go, and an idle daemon
  // should not keep one arena per thread it ever had.
  mallopt(M_ARENA_MAX, 2);
  // Signals are taken with sigwait on the main thread: block them before
  // any thread exists so every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = daemon::LoadOptions(args);
  if (!options.ok()) {
    fprintf(stderr, "berthd: %s\n", options.error().message().c_str());
    return 1;
  }
  if (options->help) {
    fputs(daemon::Usage().c_str(), stdout);
    return 0;
  }
  if (options->version) {
    printf("berthd version 0.1.0\n");
    return 0;
  }
  (void)log::Init("", log::Format::kText, options->log_level);
  return daemon::Run(*options);
}
