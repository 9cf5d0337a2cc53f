// Extra environment for a container's processes (its start and every exec),
// decided at each start by berthd's discovery (CONSUL_HTTP_ADDR,
// CONSUL_HTTP_TOKEN, --config-env values; daemon/container_env.h):
// "NAME=value" entries replace the container's own entries of that name in
// the OCI process environment, never Config.Env (inspect, commit and export
// do not see them).
//
// The hook is Options::start_env (engine.h); none: nothing is added.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::engine {

struct StartEnvInput {
  std::string id;
  std::string name;              // without the leading "/"
  std::string image_id;          // "sha256:…"
  const nlohmann::json* config;  // Docker's Config (Env, Labels, Image), image merged in
  std::string ip, gateway;       // on its bridge; "" without one
};

using StartEnvFn = std::function<std::vector<std::string>(const StartEnvInput&)>;

}  // namespace berth::engine
