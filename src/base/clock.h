// Wall-clock time as text.
#pragma once

#include <string>

namespace berth {

// The current UTC time as RFC 3339 with nanoseconds:
// "2026-11-28T21:47:09.123456789Z".
std::string NowRfc3339Nano();

}  // namespace berth
