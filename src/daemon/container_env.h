// ContainerEnv: what berthd's discovery gives a container when it starts
// (engine::Options::start_env), and the tokens it hands out.
//
//   CONSUL_HTTP_ADDR   <gateway>:<port> of the discovery listener on the
//                      container's bridge (DiscoveryService::ListenOnGateway)
//   CONSUL_HTTP_TOKEN  the container's own token: HMAC-SHA256 of its ID
//                      under a key kept in <data-root>/discovery-token.key
//                      (0600), so it stays the same across restarts of the
//                      container and of berthd without being stored
//   --config-env       (label berth.config-env=true) the values of config/
//                      for the container's service and name
//                      (discovery/config_env.h)
//
// A variable the container's own environment sets (-e, --env-file) is left
// alone: CONSUL_HTTP_ADDR and CONSUL_HTTP_TOKEN whatever set them, config
// values when the container's entry differs from the image's (config
// overrides the image's defaults, the user overrides config). A token the
// user set is that container's token all the same.
//
// Resolve() maps a token to the container's rights on the API: its own
// service instances (it is their owner), keys under containers/<name>/,
// and its address as the default Address of what it registers.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/error.h"
#include "discovery/consul_api.h"
#include "engine/start_env.h"

namespace berth::image {
class ImageStore;
}

namespace berth::daemon {

class DiscoveryService;

class ContainerEnv {
 public:
  // key_path: the HMAC key (made on first use).
  static Result<std::unique_ptr<ContainerEnv>> Open(const std::string& key_path,
                                                    DiscoveryService* discovery,
                                                    image::ImageStore* images);

  std::vector<std::string> ForStart(const engine::StartEnvInput& in);

  // The token berthd gives a container (by full ID).
  std::string TokenFor(const std::string& container_id) const;
  // Records who holds a token (at start, and at registration for containers
  // that ran before berthd restarted).
  void Remember(const std::string& token, const std::string& container_id,
                const std::string& name, const std::string& ip);
  void Forget(const std::string& container_id);
  discovery::Caller Resolve(const std::string& token);

 private:
  struct Holder {
    std::string id, name, ip;
  };
  ContainerEnv() = default;

  std::string key_;
  DiscoveryService* discovery_ = nullptr;
  image::ImageStore* images_ = nullptr;
  std::mutex mu_;
  std::map<std::string, Holder> holders_;  // by token; guarded by mu_
};

}  // namespace berth::daemon
