#include "daemon/discovery_service.h"

#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "base/strings.h"
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

  d->resolver_ = std::make_shared<servicedns::ServiceResolver>(d->store_.get());
  d->dns_addr_file_ = fs::Join(o.exec_root, "discovery-dns.addr");
  (void)::unlink(d->dns_addr_file_.c_str());
  std::string dns_addr = o.discovery_dns_addr;
  if (dns_addr.empty() && !o.discovery_addr.empty() && o.discovery_addr != "none") {
    http::Endpoint api = BERTH_TRY(http::ParseEndpoint("tcp://" + o.discovery_addr));
    dns_addr = fmt::format("{}:{}", api.host, api.port == 0 ? 0 : 8600);
  }
  if (!dns_addr.empty() && dns_addr != "none") {
    http::Endpoint ep = BERTH_TRY(http::ParseEndpoint("tcp://" + dns_addr));
    auto socks = dns::Open(ep.host, ep.port);
    if (!socks.ok()) {
      log::Warn("service DNS not served on {}: {} (use --discovery-dns-addr to pick another)",
                dns_addr, socks.error().message());
    } else {
      uint16_t port = BERTH_TRY(dns::BoundPort(socks->udp.get()));
      d->dns_ = BERTH_TRY_CTX(dns::Server::Start({}), "start the service DNS");
      d->dns_->AddResolver(d->resolver_);
      BERTH_TRY(d->dns_->AddListener(std::move(*socks), {dns::Client{""}, {}}));
      std::string bound = fmt::format("{}:{}", ep.host, port);
      BERTH_TRY(fs::AtomicWrite(d->dns_addr_file_, bound + "\n", 0644, false));
      log::Info("service DNS (*.service.berth) listen on {}", bound);
    }
  }

  d->addr_file_ = fs::Join(o.exec_root, "discovery.addr");
  d->gateways_file_ = fs::Join(o.exec_root, "discovery.gateways");
  (void)::unlink(d->addr_file_.c_str());
  if (o.discovery_addr.empty() || o.discovery_addr == "none") return d;
  http::Endpoint ep = BERTH_TRY(http::ParseEndpoint("tcp://" + o.discovery_addr));
  d->serve_containers_ = true;
  d->container_port_ = ep.port;
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

namespace {

// The ports the gateway listeners had before ("<gateway> <port>" lines).
std::map<std::string, uint16_t> ReadGateways(const std::string& path) {
  std::map<std::string, uint16_t> out;
  auto text = fs::ReadFile(path);
  if (!text.ok()) return out;
  for (const std::string& line : str::Split(*text, '\n')) {
    auto [gw, port] = str::Cut(line, ' ');
    auto p = str::ParseUint(str::Trim(port));
    if (!gw.empty() && p && *p > 0 && *p < 65536) out[gw] = static_cast<uint16_t>(*p);
  }
  return out;
}

}  // namespace

void DiscoveryService::ListenOnGateway(const std::string& gateway) {
  // One caller at a time (starts run concurrently): two first containers of
  // a network must not both bind its gateway.
  std::lock_guard<std::mutex> once(listen_mu_);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!serve_containers_ || gateway.empty() || gateways_.count(gateway)) return;
  }
  if (failed_gateways_.count(gateway)) return;  // logged once; not retried on every start
  uint16_t want = container_port_;
  if (want == 0) {
    auto before = ReadGateways(gateways_file_);
    if (auto it = before.find(gateway); it != before.end()) want = it->second;
  }
  auto port = ListenForContainers(gateway, want);
  if (!port.ok() && want != container_port_) port = ListenForContainers(gateway, container_port_);
  if (!port.ok()) {
    log::Warn("discovery API not served to containers on {}: {}", gateway,
              port.error().message());
    failed_gateways_.insert(gateway);
    return;
  }
  std::string text;
  {
    std::lock_guard<std::mutex> l(mu_);
    gateways_[gateway] = *port;
    for (const auto& [gw, p] : gateways_) text += fmt::format("{} {}\n", gw, p);
  }
  if (Status st = fs::AtomicWrite(gateways_file_, text, 0644, false); !st.ok())
    log::Warn("discovery: {}", st.error().message());
  log::Info("discovery API for containers listen on {}:{}", gateway, *port);
}

std::string DiscoveryService::ContainerAddress(const std::string& gateway) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = gateways_.find(gateway);
  return it == gateways_.end() ? "" : fmt::format("{}:{}", gateway, it->second);
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
    gateways_.clear();
  }
  host_server_.reset();
  dns_.reset();
  if (resolver_) resolver_->Stop();  // the containers' DNS may keep it: no more store reads
  resolver_.reset();
  if (!dns_addr_file_.empty()) (void)::unlink(dns_addr_file_.c_str());
  api_.reset();
  store_.reset();
  if (!addr_file_.empty()) (void)::unlink(addr_file_.c_str());
}

}  // namespace berth::daemon
