// The configuration store: keys under config/ that override an
// application's built-in defaults at run time, at three levels:
//
//   config/global/<VAR>                      every container
//   config/<service>/<VAR>                   every instance of <service>
//   config/<service>/<instance>/<VAR>        one instance (the container name)
//
// <VAR> is the environment variable's name ([A-Za-z_][A-Za-z0-9_]*); keys
// deeper than that, or whose last segment is not a valid name, are not
// environment (an application may still read them through any Consul
// client). A more specific level wins: instance over service over global.
// The service "global" is reserved for the global level.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "discovery/store.h"

namespace berth::discovery {

inline constexpr std::string_view kConfigPrefix = "config/";

// "NAME=value" entries resolved from entries (keys under config/), sorted by
// name.
std::vector<std::string> ResolveConfigEnv(const std::vector<KvEntry>& entries,
                                          const std::string& service,
                                          const std::string& instance);

// Reads config/ from the store and resolves it.
Result<std::vector<std::string>> ConfigEnv(Store& store, const std::string& service,
                                           const std::string& instance);

bool ValidEnvName(std::string_view name);

}  // namespace berth::discovery
