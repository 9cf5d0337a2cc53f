// DiscoveryService: berthd's discovery store (embedded under
// <data-root>/discovery, or etcd) and the listeners of its Consul-compatible
// API: the host's (--discovery-addr, default 127.0.0.1:8500) and one on each
// bridge gateway for containers (default bridge and user-defined networks),
// on the same port (so --discovery-addr
// moves both; "none" turns both off).
//
// The host listener's address is written to <exec-root>/discovery.addr once
// bound ("127.0.0.1:8500"), so tools and tests find a port chosen with ":0".
// Failing to bind it is logged and berthd carries on (many daemons on one
// host cannot all have :8500). With port 0 the kernel picks the gateway
// listeners' ports too; each is kept in <exec-root>/discovery.gateways
// ("<gateway> <port>" lines) and asked for again after a berthd restart, so
// running containers' CONSUL_HTTP_ADDR stays right.
//
// DNS: <name>.service.berth from the catalog (servicedns/service_resolver.h)
// on --discovery-dns-addr (default 127.0.0.1:8600, udp and tcp) for the
// host; the bound address goes to <exec-root>/discovery-dns.addr.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "daemon/options.h"
#include "discovery/consul_api.h"
#include "discovery/store.h"
#include "dns/server.h"
#include "http/server.h"
#include "servicedns/service_resolver.h"

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
  // Serves the containers of a bridge on its gateway address, on the port of
  // --discovery-addr. Nothing when --discovery-addr is none; a bind failure
  // is logged (containers of that bridge then get no CONSUL_HTTP_ADDR).
  void ListenOnGateway(const std::string& gateway);
  // "gateway:port" the containers of that gateway reach the API at, or "".
  std::string ContainerAddress(const std::string& gateway);
  // The catalog as DNS (<name>.service.berth): also for the containers'
  // embedded DNS server.
  std::shared_ptr<servicedns::ServiceResolver> resolver() const { return resolver_; }

  void Stop();

 private:
  DiscoveryService() = default;

  std::unique_ptr<discovery::Store> store_;
  std::unique_ptr<discovery::ConsulApi> api_;
  std::unique_ptr<http::Server> host_server_;
  // --discovery-dns-addr: a DNS server of its own answering only
  // *.service.berth (REFUSED for the rest: no forwarding for the host).
  std::shared_ptr<servicedns::ServiceResolver> resolver_;
  std::unique_ptr<dns::Server> dns_;
  std::string dns_addr_file_;
  std::mutex listen_mu_;  // serialises ListenOnGateway; guards failed_gateways_
  std::set<std::string> failed_gateways_;
  std::mutex mu_;  // guards container_servers_, gateways_
  std::vector<std::unique_ptr<http::Server>> container_servers_;
  std::map<std::string, uint16_t> gateways_;  // gateway address -> bound port
  bool serve_containers_ = false;
  uint16_t container_port_ = 0;  // the port of --discovery-addr (0: any)
  std::string gateways_file_;
  std::string host_address_;
  std::string addr_file_;
  bool stopped_ = false;
};

}  // namespace berth::daemon
