// The service instances a container stands for, from its Docker inspect
// JSON (what registrator did from outside, decided here from inside):
//
//   - one instance per exposed or published port ("80/tcp"), unless
//     SERVICE_IGNORE (env) or the label berth.service.ignore is set, or
//     SERVICE_<port>_IGNORE for that port;
//   - name: SERVICE_<port>_NAME, else SERVICE_NAME or the label
//     berth.service.name, else the image's base name ("reg:5000/team/web:1"
//     -> "web"); the last two get "-<port>" when the container has several
//     ports;
//   - tags: SERVICE_<port>_TAGS, else SERVICE_TAGS or berth.service.tags
//     (comma-separated);
//   - meta: every other SERVICE_<KEY> / SERVICE_<port>_<KEY> as <key>
//     (lower case), plus berth_container (the ID) and, when published,
//     berth_host_address / berth_host_port;
//   - address/port: the container's address and port; without one (no
//     network of its own) the published host address and port;
//   - ID "berth:<container name>:<port>" (":udp" appended for UDP);
//   - a check "berth:health:<ID>" mirroring the container's HEALTHCHECK
//     status (healthy: passing, starting: warning, unhealthy: critical)
//     when it has one.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "discovery/store.h"

namespace berth::discovery {

// host_address: the address published ports are reached at from outside
// when they bind 0.0.0.0 (the host's address).
std::vector<Service> ServicesForContainer(const nlohmann::json& inspect,
                                          const std::string& host_address);

// The service name of a container (its Docker Config: Env, Labels, Image)
// before any "-<port>": SERVICE_NAME, else the label berth.service.name,
// else the image's base name. The configuration store's <service>.
std::string ServiceBaseName(const nlohmann::json& config);

// Helpers on a container's Config: a yes-like value ("", "0", "false", "no"
// are no), its Env as a map, one of its labels ("" when unset).
bool Truthy(const std::string& v);
std::map<std::string, std::string> EnvMap(const nlohmann::json& config);
std::string Label(const nlohmann::json& config, const std::string& key);

// The image's base name: "registry:5000/team/web:1.2" -> "web".
std::string ImageBaseName(const std::string& image);

// Docker health status -> check status.
std::string CheckStatusForHealth(const std::string& health);

}  // namespace berth::discovery
