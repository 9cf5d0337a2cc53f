#include "distribution/progress.h"

#include <fmt/format.h>

#include <cmath>

namespace berth::distribution {

std::string HumanSize(double size) {
  static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  int i = 0;
  while (size >= 1000.0 && i < 8) {
    size /= 1000.0;
    ++i;
  }
  return fmt::format("{:.4g}{}", size, units[i]);
}

std::string ProgressString(int64_t current, int64_t total) {
  if (current <= 0 && total <= 0) return "";
  if (total <= 0) return fmt::format("{:>8}", HumanSize(static_cast<double>(current)));
  int pct = static_cast<int>(static_cast<double>(current) / static_cast<double>(total) * 100) / 2;
  if (pct > 50) pct = 50;
  std::string bar = "[" + std::string(pct, '=') + ">" + std::string(50 - pct, ' ') + "] ";
  std::string numbers;
  if (current <= total)
    numbers = fmt::format("{:>8}/{}", HumanSize(static_cast<double>(current)),
                          HumanSize(static_cast<double>(total)));
  return bar + numbers;
}

void Emitter::Send(const nlohmann::json& j) {
  std::lock_guard lock(mu_);
  if (sink_) sink_(j);
}

void Emitter::Status(const std::string& id, const std::string& status, bool detail) {
  nlohmann::json j = {{"status", status}};
  if (!id.empty() && detail) j["progressDetail"] = nlohmann::json::object();
  if (!id.empty()) j["id"] = id;
  Send(j);
}

void Emitter::Progress(const std::string& id, const std::string& status, int64_t current,
                       int64_t total) {
  nlohmann::json j = {{"status", status},
                      {"progressDetail", {{"current", current}, {"total", total}}},
                      {"progress", ProgressString(current, total)},
                      {"id", id}};
  Send(j);
}

void Emitter::Aux(const nlohmann::json& aux) {
  Send({{"progressDetail", nlohmann::json::object()}, {"aux", aux}});
}

}  // namespace berth::distribution
