#include "base/log.h"

#include "base/clock.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace berth::log {
namespace {

int g_fd = STDERR_FILENO;
Format g_format = Format::kText;
Level g_level = Level::kWarn;

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warning";
    case Level::kError: return "error";
  }
  return "info";
}

}  // namespace

Status Init(const std::string& path, Format format, Level level) {
  g_format = format;
  g_level = level;
  if (!path.empty()) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return Error::Sys("open log file " + path);
    g_fd = fd;
  }
  return Ok();
}

void SetLevel(Level level) { g_level = level; }

double ElapsedMs() {
  static const double start = [] {
    // Process start time from /proc/self/stat would be exact; the first call
    // (at the top of main) is close enough.
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
  }();
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6 - start;
}
bool ToFile() { return g_fd != STDERR_FILENO; }
bool Enabled(Level level) { return level >= g_level; }

void Write(Level level, std::string_view message) {
  if (!Enabled(level)) return;
  std::string line;
  if (g_format == Format::kJson) {
    nlohmann::json j = {{"level", LevelName(level)}, {"msg", message}, {"time", NowRfc3339Nano()}};
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else if (g_fd == STDERR_FILENO) {
    line = std::string(message) + "\n";
  } else {
    line = fmt::format("time=\"{}\" level={} msg=\"{}\"\n", NowRfc3339Nano(), LevelName(level), message);
  }
  (void)!::write(g_fd, line.data(), line.size());
}

}  // namespace berth::log
