// Docker's JSON progress messages (jsonmessage.JSONMessage) as pull and
// push stream them: {"status","id"}, {"status","id","progressDetail":
// {"current","total"},"progress":"[==>  ] 1.2MB/5MB"}, {"aux":{...}}.
// Emitter serialises messages from several threads onto one sink.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace berth::distribution {

using MessageFn = std::function<void(const nlohmann::json&)>;

class Emitter {
 public:
  explicit Emitter(MessageFn sink) : sink_(std::move(sink)) {}
  // A status line. Per-layer statuses (detail) carry an empty
  // "progressDetail", which makes docker's CLI draw them in place.
  void Status(const std::string& id, const std::string& status, bool detail = true);
  // A progress message; Downloading/Pushing updates are rate-limited per
  // call site by the caller (see Throttle).
  void Progress(const std::string& id, const std::string& status, int64_t current, int64_t total);
  void Aux(const nlohmann::json& aux);
  void Send(const nlohmann::json& j);

 private:
  std::mutex mu_;
  MessageFn sink_;
};

// True at most every 100 ms (and always for the last update).
class Throttle {
 public:
  bool Ready(bool last = false) {
    auto now = std::chrono::steady_clock::now();
    if (!last && now - last_ < std::chrono::milliseconds(100)) return false;
    last_ = now;
    return true;
  }

 private:
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace berth::distribution
