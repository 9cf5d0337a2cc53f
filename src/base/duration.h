// Go's time.ParseDuration, the one parser for every duration berth reads
// (flags, Dockerfile HEALTHCHECK options, API filters, the Consul API,
// berth-registry options).
//
// Grammar: an optional sign, then "0" alone or one or more <decimal><unit>
// where decimal is digits with an optional fraction ("1", "1.5", ".5", "1.")
// and unit is ns, us, µs (U+00B5 or U+03BC), ms, s, m or h. The value is
// bounded: anything beyond ±(2^63-1) ns (about 292 years) is refused, never
// wrapped. Errors carry Go's texts, e.g. `time: invalid duration "x"`.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/error.h"

namespace berth::duration {

// The duration s in nanoseconds; kInvalidArgument with Go's message when s
// is not a duration or does not fit.
Result<int64_t> Parse(std::string_view s);

}  // namespace berth::duration
