// Small codecs the discovery API needs: base64 (Consul's KV values in JSON),
// Go-style durations ("10s", "1m30s", "250ms") and Consul's service JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "discovery/store.h"

namespace berth::discovery {

std::string Base64Encode(std::string_view data);
// Standard alphabet, padding optional; whitespace is an error.
Result<std::string> Base64Decode(std::string_view text);

// Go's time.ParseDuration (base/duration.h), truncated to milliseconds; a
// bare number is seconds (Consul accepts "10").
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The store's own JSON for a service (snapshots, log records, etcd values).
nlohmann::json ServiceToJson(const Service& s);
Result<Service> ServiceFromJson(const nlohmann::json& j);
nlohmann::json KvToJson(const KvEntry& e);  // value base64
Result<KvEntry> KvFromJson(const nlohmann::json& j);

}  // namespace berth::discovery
