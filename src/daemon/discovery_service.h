// DiscoveryService: berthd's discovery store (embedded under
// <data-root>/discovery, or etcd) and the listeners of its Consul-compatible
// API: the host's (--discovery-addr, default 127.0.0.1:8500) and, added by
// networking, one per bridge gateway for containers.
//
// The host listener's address is written to <exec-root>/discovery.addr once
// bound ("127.0.0.1:8500"), so tools and tests find a port chosen with ":0".
// Failing to bind it is logged and berthd carries on (many daemons on one
// host cannot all have :8500).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/error.h"
#include "daemon/options.h"
#include "discovery/consul_api.h"
#include "discovery/store.h"
#include "http/server.h"

namespace berth::daemon {

class DiscoveryService {
 public:
  static Result<std::unique_ptr<DiscoveryService>> Start(const Options& options,
                                                         const std::string& node);
  ~DiscoveryService();  // Stop()

  discovery::Store* store() const { return store_.get(); }
  discovery::ConsulApi* api() const { return api_.get(); }
  // "host:port" of the host listener, or "" when there is none.
  const std::string& host_address() const { return host_address_; }

  // Serves the containers' view of the API on addr:port (a bridge gateway).
  // Returns the bound port.
  Result<uint16_t> ListenForContainers(const std::string& addr, uint16_t port);

  void Stop();

 private:
  DiscoveryService() = default;

  std::unique_ptr<discovery::Store> store_;
  std::unique_ptr<discovery::ConsulApi> api_;
  std::unique_ptr<http::Server> host_server_;
  std::mutex mu_;  // guards container_servers_
  std::vector<std::unique_ptr<http::Server>> container_servers_;
  std::string host_address_;
  std::string addr_file_;
  bool stopped_ = false;
};

}  // namespace berth::daemon
