// The Engine API routes berthd serves, grouped as moby groups them. Each
// group sees only the backends it needs.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "build/backend.h"
#include "daemon/events.h"
#include "engine/engine.h"
#include "daemon/host_info.h"
#include "daemon/image_backend.h"
#include "http/router.h"

namespace berth::discovery {
class ConsulApi;
}

namespace berth::distribution {
class Service;
}

namespace berth::daemon {

inline constexpr const char* kApiVersion = "1.41";
inline constexpr const char* kMinApiVersion = "1.24";

// What /version and /info say about this daemon.
struct DaemonFacts {
  std::string id;    // persistent engine ID
  std::string name;  // host name
  std::string data_root;
  std::string backing_fs = "extfs";  // of data_root
  std::string version = "0.1.0";
  std::string git_commit;
  std::string build_time;
  bool debug = false;
  std::vector<std::string> warnings;  // shown by `docker info`
};

// What /info counts of containers.
struct ContainerCounts {
  int total = 0, running = 0, paused = 0, stopped = 0;
};

struct SystemDeps {
  const HostInfo* host;
  const DaemonFacts* facts;
  EventBus* events;
  ImageBackend* images;
  std::function<ContainerCounts()> containers;  // may be empty
  std::function<nlohmann::json()> volumes;      // /system/df's Volumes; may be empty
};

// /_ping, /version, /info, /events, /system/df. deps' pointees must outlive
// the router.
void AddSystemRoutes(http::Router& router, SystemDeps deps);

// /images/...: list, inspect, history, tag, delete, prune, save (get),
// load, create (import). Successful changes are published to events.
// pull (may be empty) serves POST /images/create?fromImage=….
void AddImageRoutes(http::Router& router, ImageBackend* images, EventBus* events,
                    http::Handler pull = nullptr);

// /images/{name}/push, /images/search, /auth over the registry client;
// returns the pull handler for AddImageRoutes. svc and events must outlive
// the router.
http::Handler AddDistributionRoutes(http::Router& router, distribution::Service* svc,
                                    EventBus* events);

// /containers/..., /exec/... and /commit over the container engine.
void AddContainerRoutes(http::Router& router, engine::Engine* engine);

// /volumes: list, create, inspect, remove, prune over the engine.
void AddVolumeRoutes(http::Router& router, engine::Engine* engine);
// /networks/...: the predefined networks (list, inspect); user-defined ones
// are refused with 501.
void AddNetworkRoutes(http::Router& router, engine::Engine* engine);

// /discovery/v1/...: the discovery API (consul_api.h) as the host sees it.
void AddDiscoveryRoutes(http::Router& router, discovery::ConsulApi* api);

// POST /build (the classic builder over backend) and /build/prune.
void AddBuildRoutes(http::Router& router, build::Backend* backend, EventBus* events);

// Serves with router, adding Docker's common headers (Api-Version, Ostype,
// Docker-Experimental, Server) to every response.
http::Handler WithCommonHeaders(const http::Router& router, std::string server_version);

}  // namespace berth::daemon
