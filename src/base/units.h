// Docker's human-readable sizes (go-units) and its progress bar
// (jsonmessage.JSONProgress.String()), shared by the daemon, which renders
// the "progress" field of pull/push messages, and the CLI, which draws them.
#pragma once

#include <cstdint>
#include <string>

namespace berth::units {

// units.HumanSizeWithPrecision: decimal units, %.*g ("1.24MB", "4.26kB", "0B").
std::string HumanSizeWithPrecision(double size, int precision);
// units.HumanSize: precision 4 ("2.153MB").
std::string HumanSize(double size);
// units.BytesSize: binary units, precision 4 ("7.771GiB").
std::string BytesSize(double size);
// JSONProgress.String(): "[====>     ]      1MB/2MB" for a terminal `width`
// columns wide (the bar only when width > 110, as docker; the daemon renders
// with 200); "current" alone when total is unknown; "" when nothing to show.
std::string ProgressBar(int64_t current, int64_t total, int width = 200);

}  // namespace berth::units
