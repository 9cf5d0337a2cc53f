// Facts about processes read from /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/error.h"

namespace berth::sys {

// Start time of pid in clock ticks since boot (field 22 of /proc/PID/stat):
// with the pid, it names one process even after the pid is reused.
Result<uint64_t> ProcessStartTime(pid_t pid);
// True when pid exists, is not a zombie, and (if start_time != 0) started at
// start_time.
bool ProcessAlive(pid_t pid, uint64_t start_time = 0);

}  // namespace berth::sys
