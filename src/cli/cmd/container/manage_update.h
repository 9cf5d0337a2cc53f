// Value parsers for `update` (docker's opts package and go-units), kept
// apart so they are unit-tested.
#pragma once

#include <cstdint>
#include <string>

#include "base/error.h"
#include "client/client.h"

namespace berth::cli {

// units.RAMInBytes: "512m" → 536870912 (binary units, optional "b"/"ib").
Result<int64_t> RamInBytes(const std::string& s);
// opts.NanoCPUs: "1.5" → 1500000000.
Result<int64_t> ParseNanoCpus(const std::string& s);
// opts.ParseRestartPolicy: "on-failure:3" → {"Name":"on-failure","MaximumRetryCount":3}.
Result<client::json> ParseRestartPolicy(const std::string& s);

}  // namespace berth::cli
