#include "daemon/discovery_service.h"

#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "discovery/embedded_store.h"
#include "discovery/etcd_store.h"
#include "http/socket.h"

namespace berth::daemon {

Result<std::unique_ptr<DiscoveryService>> DiscoveryService::Start(const Options& o,
                                                                  const std::string& node) {
  std::unique_ptr<DiscoveryService> d(new DiscoveryService());
  if (o.discovery == "embedded") {
    discovery::EmbeddedStore::Options so;
    so.dir = fs::Join(o.data_root, "discovery");
    so.node = node;
    d->store_ = BERTH_TRY_CTX(discovery::EmbeddedStore::Open(so), "open the discovery store");
  } else {
    discovery::EtcdStore::Options eo;
    eo.url = o.discovery;
    eo.node = node;
    d->store_ = BERTH_TRY_CTX(discovery::EtcdStore::Open(eo), "open the discovery store");
  }
  discovery::ApiOptions ao;
  ao.node = node;
  d->api_ = std::make_unique<discovery::ConsulApi>(d->store_.get(), ao);

  d->addr_file_ = fs::Join(o.exec_root, "discovery.addr");
  (void)::unlink(d->addr_file_.c_str());
  if (o.discovery_addr.empty() || o.discovery_addr == "none") return d;
  http::Endpoint ep = BERTH_TRY(http::ParseEndpoint("tcp://" + o.discovery_addr));
  auto server = std::make_unique<http::Server>(d->api_->HostHandler());
  auto port = server->ListenTcp(ep.host, ep.port);
  if (!port.ok()) {
    log::Warn("discovery API not served on {}: {} (use --discovery-addr to pick another)",
              o.discovery_addr, port.error().message());
    return d;
  }
  BERTH_TRY(server->Start());
  d->host_server_ = std::move(server);
  d->host_address_ = fmt::format("{}:{}", ep.host, *port);
  BERTH_TRY(fs::AtomicWrite(d->addr_file_, d->host_address_ + "\n", 0644, false));
  log::Info("discovery API ({} store) listen on {}", d->store_->Name(), d->host_address_);
  return d;
}

Result<uint16_t> DiscoveryService::ListenForContainers(const std::string& addr, uint16_t port) {
  auto server = std::make_unique<http::Server>(api_->ContainerHandler());
  uint16_t bound = BERTH_TRY_CTX(server->ListenTcp(addr, port),
                                 fmt::format("discovery API on {}:{}", addr, port));
  BERTH_TRY(server->Start());
  std::lock_guard<std::mutex> l(mu_);
  container_servers_.push_back(std::move(server));
  return bound;
}

DiscoveryService::~DiscoveryService() { Stop(); }

void DiscoveryService::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (host_server_) host_server_->Stop(std::chrono::seconds(2));
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& s : container_servers_) s->Stop(std::chrono::seconds(2));
    container_servers_.clear();
  }
  host_server_.reset();
  api_.reset();
  store_.reset();
  if (!addr_file_.empty()) (void)::unlink(addr_file_.c_str());
}

}  // namespace berth::daemon
