// A small worker pool for independent jobs (layer downloads and uploads).
#pragma once

#include <cstddef>
#include <functional>

#include "base/error.h"

namespace berth {

// Runs fn(0) .. fn(n-1) on up to `workers` threads (the caller's thread is one
// of them; workers < 1 counts as 1). Jobs start in index order. The first
// error wins: once a job fails no new job starts, the running ones finish, and
// that error is returned.
Status ParallelFor(size_t n, int workers, const std::function<Status(size_t)>& fn);

}  // namespace berth
