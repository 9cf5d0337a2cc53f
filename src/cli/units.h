// Docker's human-readable units and times (go-units, stringid, Go's time
// formats), so berth prints sizes, ages and IDs exactly as docker does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/units.h"

namespace berth::cli {

// Sizes: base/units.h (the daemon renders them too).
using units::BytesSize;
using units::HumanSize;
using units::HumanSizeWithPrecision;
// units.HumanDuration: "Less than a second", "About a minute", "2 weeks".
std::string HumanDuration(int64_t seconds);
// HumanDuration(now - unix_seconds) + " ago", as docker's CREATED column.
std::string Since(int64_t unix_seconds, int64_t now_seconds);

// Go's time.Time.String() in local time: "2023-01-02 15:04:05 +0100 CET".
std::string GoTimeString(int64_t unix_seconds);
// RFC 3339 in local time: "2023-01-02T15:04:05+01:00" (Z for UTC).
std::string Rfc3339(int64_t unix_seconds);
// jsonmessage.RFC3339NanoFixed: "2023-01-02T15:04:05.000000000+01:00".
std::string Rfc3339NanoFixed(int64_t unix_nanos);
// Parses an RFC 3339 time ("2023-01-02T15:04:05Z", fractions allowed);
// false when s is not one.
bool ParseRfc3339(std::string_view s, int64_t* unix_seconds, int64_t* nanos);

// stringid.TruncateID: drops "sha256:" (anything up to ':') and keeps 12.
std::string TruncateID(std::string_view id);
// formatter.Ellipsis: s cut to max_width code points, the last one "…".
std::string Ellipsis(std::string_view s, size_t max_width);
// UTF-8 code points in s (the width tabwriter uses).
size_t RuneCount(std::string_view s);

}  // namespace berth::cli
