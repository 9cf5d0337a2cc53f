// Daemon: one running berthd. Start() takes the root locks, opens the image
// store, listens on every -H endpoint and writes the pidfile; Stop() undoes
// all of it in reverse (listeners closed, socket and pidfile removed).
//
//   <data-root>/            persistent state (--data-root)
//   ├── berthd.lock         flock held while running (holds the PID)
//   ├── engine-id           the daemon's ID (/info "ID"), made on first start
//   └── image/              the image store (image_store.h)
//   <exec-root>/            run-time state (--exec-root)
//   ├── berthd.lock
//   ├── berthd.pid          unless --pidfile says otherwise
//   └── berth.sock          unless -H says otherwise
#pragma once

#include <memory>

#include "base/error.h"
#include "daemon/options.h"

namespace berth::daemon {

class Daemon {
 public:
  // Everything needed to serve, or one error that says what failed
  // ("listen on tcp://0.0.0.0:2376: Address already in use").
  static Result<std::unique_ptr<Daemon>> Start(const Options& options);
  ~Daemon();  // Stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Stops serving and cleans up. Safe to call more than once.
  void Stop();

  struct State;

 private:
  explicit Daemon(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// berthd's main loop: start, wait for SIGTERM/SIGINT, stop. SIGTERM, SIGINT
// and SIGHUP must already be blocked in every thread (main blocks them
// before any thread starts). Returns the exit code.
int Run(const Options& options);

}  // namespace berth::daemon
