#include "base/units.h"

#include <fmt/format.h>

#include <cstdio>

namespace berth::units {
namespace {

const char* const kDecimal[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
const char* const kBinary[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};

std::string Custom(double size, double base, const char* const* units, int precision) {
  int i = 0;
  while (size >= base && i < 8) {
    size /= base;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", precision, size);
  return std::string(buf) + units[i];
}

}  // namespace

std::string HumanSizeWithPrecision(double size, int precision) {
  return Custom(size, 1000.0, kDecimal, precision);
}

std::string HumanSize(double size) { return HumanSizeWithPrecision(size, 4); }

std::string BytesSize(double size) { return Custom(size, 1024.0, kBinary, 4); }

std::string ProgressBar(int64_t current, int64_t total, int width) {
  if (current <= 0 && total <= 0) return "";
  if (total <= 0) return fmt::format("{:>8}", HumanSize(static_cast<double>(current)));
  std::string bar;
  if (width > 110) {
    int pct = static_cast<int>(static_cast<double>(current) / static_cast<double>(total) * 100) / 2;
    if (pct > 50) pct = 50;
    bar = "[" + std::string(pct, '=') + ">" + std::string(50 - pct, ' ') + "] ";
  }
  std::string numbers;
  if (current <= total)
    numbers = fmt::format("{:>8}/{}", HumanSize(static_cast<double>(current)),
                          HumanSize(static_cast<double>(total)));
  return bar + numbers;
}

}  // namespace berth::units
