// RootLock: proof that this process is the only berthd using a root
// directory. It holds an exclusive flock on <root>/berthd.lock, a file that
// also holds the owner's PID (for the message a second berthd prints). The
// lock ends with the process, so a crashed berthd never blocks a restart.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::daemon {

class RootLock {
 public:
  // Creates root (0711) if needed and takes the lock. what names the root in
  // messages ("data root"). Held by another process: kConflict "berthd is
  // already running with data root /x (pid N)".
  static Result<RootLock> Acquire(const std::string& root, std::string_view what);

  RootLock(RootLock&&) = default;
  RootLock& operator=(RootLock&&) = default;

 private:
  explicit RootLock(unique_fd fd) : fd_(std::move(fd)) {}
  unique_fd fd_;
};

// Writes our PID to path (atomically); RemovePidfile deletes it.
Status WritePidfile(const std::string& path);
void RemovePidfile(const std::string& path);

}  // namespace berth::daemon
