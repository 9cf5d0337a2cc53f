// /discovery/v1/...: the Consul-compatible discovery API through berthd's
// own socket (berth kv / berth service use it: no second address to find,
// and it goes wherever -H goes). Callers are the host's (privileged), as on
// the host listener.
#include "base/strings.h"
#include "daemon/routes/routes.h"
#include "discovery/consul_api.h"

namespace berth::daemon {

void AddDiscoveryRoutes(http::Router& r, discovery::ConsulApi* api) {
  http::Handler host = api->HostHandler();
  auto h = [host](http::Request& req, http::ResponseWriter& w) -> Status {
    std::string_view p = req.path;
    p.remove_prefix(std::string_view("/discovery").size());
    req.path = std::string(p);
    return host(req, w);
  };
  for (const char* m : {"GET", "HEAD", "PUT", "POST", "DELETE"})
    r.Add(m, "/discovery/{rest:.*}", h);
}

}  // namespace berth::daemon
