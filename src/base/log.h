// Process-wide logging. Text ("level=info msg=...") or JSON lines
// ({"level":"info","msg":"...","time":"..."}) as runc writes them, to stderr
// or a file chosen with --log.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/error.h"

namespace berth::log {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kText, kJson };

// Sends log lines to path (appending), or stderr when path is empty.
Status Init(const std::string& path, Format format, Level level);
void SetLevel(Level level);
// True when lines go to a file given to Init rather than stderr.
bool ToFile();
bool Enabled(Level level);
void Write(Level level, std::string_view message);
// Milliseconds since the process started (CLOCK_MONOTONIC), for phase
// timings in debug logs.
double ElapsedMs();

template <typename... Args>
void Debug(fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Info(fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Warn(fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Error(fmt::format_string<Args...> f, Args&&... args) {
  Write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace berth::log
