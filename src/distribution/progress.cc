#include "distribution/progress.h"

#include <fmt/format.h>

#include "base/units.h"

namespace berth::distribution {

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
                      {"progress", units::ProgressBar(current, total)},
                      {"id", id}};
  Send(j);
}

void Emitter::Aux(const nlohmann::json& aux) {
  Send({{"progressDetail", nlohmann::json::object()}, {"aux", aux}});
}

}  // namespace berth::distribution
