#include "network/manager.h"

#include <fcntl.h>

#include <chrono>
#include <unistd.h>

#include <fmt/format.h>

#include "base/fs.h"
#include "base/log.h"
#include "base/random.h"
#include "network/netns.h"

namespace berth::network {

using nlohmann::json;

namespace {

Status WriteSysctl(const std::string& path, const std::string& value) {
  auto cur = fs::ReadFile(path);
  if (cur.ok() && !cur->empty() && cur->substr(0, cur->find('\n')) == value) return Ok();
  return fs::WriteFile(path, value).Context("sysctl " + path);
}

json PortJson(const PortMapping& p) {
  return {{"Proto", p.proto},
          {"HostIp", ToString(p.host_ip)},
          {"HostPort", p.host_port},
          {"ContainerIp", ToString(p.container_ip)},
          {"ContainerPort", p.container_port}};
}

}  // namespace

json Endpoint::ToJson() const {
  json ports = json::array();
  for (const auto& p : this->ports) ports.push_back(PortJson(p));
  return {{"ContainerID", container_id}, {"EndpointID", endpoint_id}, {"IPAddress", ToString(ip)},
          {"Gateway", ToString(gateway)}, {"IPPrefixLen", prefix},   {"MacAddress", mac},
          {"Veth", veth},                 {"Netns", netns},          {"Ports", ports}};
}

Result<Endpoint> Endpoint::FromJson(const json& j) {
  Endpoint e;
  e.container_id = j.value("ContainerID", "");
  e.endpoint_id = j.value("EndpointID", "");
  e.ip = BERTH_TRY(ParseIpv4(j.value("IPAddress", "")));
  e.gateway = BERTH_TRY(ParseIpv4(j.value("Gateway", "")));
  e.prefix = j.value("IPPrefixLen", 0);
  e.mac = j.value("MacAddress", "");
  e.veth = j.value("Veth", "");
  e.netns = j.value("Netns", "");
  for (const json& p : j.value("Ports", json::array())) {
    PortMapping m;
    m.proto = p.value("Proto", "tcp");
    m.host_ip = BERTH_TRY(ParseIpv4(p.value("HostIp", "0.0.0.0")));
    m.host_port = p.value("HostPort", uint16_t{0});
    m.container_ip = BERTH_TRY(ParseIpv4(p.value("ContainerIp", "")));
    m.container_port = p.value("ContainerPort", uint16_t{0});
    e.ports.push_back(m);
  }
  return e;
}

Manager::Manager(ManagerOptions o) : o_(std::move(o)) {
  if (o_.table.empty()) o_.table = "berth_" + o_.bridge;
}

Manager::~Manager() = default;

Subnet Manager::subnet() const { return subnet_; }
Ipv4 Manager::gateway() const { return gw_; }

Result<std::unique_ptr<Manager>> Manager::Open(const ManagerOptions& o) {
  std::unique_ptr<Manager> m(new Manager(o));
  if (m->o_.bridge.empty() || m->o_.bridge.size() > 15)
    return Error::Invalid(fmt::format("invalid bridge name \"{}\": 1 to 15 characters", o.bridge));
  m->subnet_ = BERTH_TRY_CTX(ParseCidr(m->o_.bip, &m->gw_), "--bip");
  if (m->subnet_.prefix > 30 || m->gw_ == m->subnet_.base)
    return Error::Invalid("--bip " + m->o_.bip + ": give the gateway address and a prefix of at most 30");
  BERTH_TRY(fs::MkdirAll(m->o_.state_dir, 0700));
  BERTH_TRY(fs::MkdirAll(m->o_.netns_dir, 0700));
  m->nl_ = BERTH_TRY(Netlink::Open());
  BERTH_TRY_CTX(m->SetupBridge(), "bridge " + m->o_.bridge);

  // Saved state: the same subnet keeps its allocations; another starts afresh.
  m->ipam_ = Ipam(m->subnet_, m->gw_);
  std::string path = fs::Join(m->o_.state_dir, "bridge.json");
  auto text = fs::ReadFile(path);
  if (!text.ok()) text = fs::ReadFile(path + ".new");
  if (text.ok()) {
    json j = json::parse(*text, nullptr, false);
    if (!j.is_discarded()) {
      m->id_ = j.value("ID", "");
      if (auto ipam = Ipam::FromJson(j.value("IPAM", json())); ipam.ok() && ipam->subnet() == m->subnet_)
        m->ipam_ = std::move(*ipam);
      for (const json& ej : j.value("Endpoints", json::array()))
        if (auto e = Endpoint::FromJson(ej); e.ok() && m->subnet_.Contains(e->ip))
          m->endpoints_[e->container_id] = std::move(*e);
    }
  }
  if (m->id_.size() != 64) m->id_ = rnd::Hex(32);
  // Allocations without an endpoint (a crash between the two) are freed.
  std::vector<std::string> owners;
  for (const auto& [ip, owner] : m->ipam_.Allocated())
    if (!m->endpoints_.count(owner)) owners.push_back(owner);
  for (const auto& owner : owners) m->ipam_.Release(owner);
  // Host ports of the restored endpoints are held again (best effort).
  for (auto& [id, e] : m->endpoints_)
    for (const auto& p : e.ports) {
      uint16_t got = 0;
      if (auto fd = ReservePort(p.proto, p.host_ip, p.host_port, &got); fd.ok())
        m->reserved_[id].push_back(std::move(*fd));
    }
  std::lock_guard lock(m->mu_);
  BERTH_TRY_CTX(m->nft_.Run(TableScript(m->o_.table, {{m->o_.bridge, m->subnet_, false}},
                                        m->AllPortsLocked())),
                "create the nftables table " + m->o_.table);
  BERTH_TRY(m->SaveLocked());
  return m;
}

Status Manager::SetupBridge() {
  Status st = nl_.CreateBridge(o_.bridge, o_.mtu);
  if (!st.ok() && st.error().code() != Code::kAlreadyExists) return st;
  bridge_index_ = BERTH_TRY(nl_.LinkIndex(o_.bridge));
  if (int mtu = BERTH_TRY(nl_.LinkMtu(o_.bridge)); mtu > 0 && !st.ok()) o_.mtu = mtu;
  st = nl_.AddAddress(bridge_index_, gw_, subnet_.prefix);
  if (!st.ok() && st.error().code() != Code::kAlreadyExists) return st;
  BERTH_TRY(nl_.SetUp(o_.bridge));
  BERTH_TRY(WriteSysctl("/proc/sys/net/ipv4/ip_forward", "1"));
  // DNAT of 127.0.0.1 to a container needs loopback sources routed out of
  // the bridge (they are masqueraded there).
  BERTH_TRY(WriteSysctl(fmt::format("/proc/sys/net/ipv4/conf/{}/route_localnet", o_.bridge), "1"));
  return Ok();
}

std::vector<PortMapping> Manager::AllPortsLocked() const {
  std::vector<PortMapping> all;
  for (const auto& [id, e] : endpoints_) all.insert(all.end(), e.ports.begin(), e.ports.end());
  return all;
}

Status Manager::SaveLocked() {
  json eps = json::array();
  for (const auto& [id, e] : endpoints_) eps.push_back(e.ToJson());
  json j = {{"ID", id_}, {"Bridge", o_.bridge}, {"IPAM", ipam_.ToJson()}, {"Endpoints", eps}};
  // Not a rename over the old file: ext4 flushes the new file's data on
  // such a rename (auto_da_alloc), 3-4 ms on every start. The old one is
  // unlinked first; Open reads bridge.json.new when a crash came between.
  std::string path = fs::Join(o_.state_dir, "bridge.json");
  std::string tmp = path + ".new";
  ::unlink(tmp.c_str());  // no truncation of old data either (same heuristic)
  {
    unique_fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) return Error::Sys("create " + tmp);
    BERTH_TRY_CTX(fs::WriteAll(fd.get(), j.dump()), "write " + tmp);
  }
  ::unlink(path.c_str());
  if (::rename(tmp.c_str(), path.c_str()) < 0) return Error::Sys("rename " + tmp + " to " + path);
  return Ok();
}

Result<Endpoint> Manager::Attach(const AttachRequest& r) {
  std::lock_guard lock(mu_);
  const std::string& id = r.container_id;
  if (endpoints_.count(id)) DetachLocked(id);  // left from a crash
  Endpoint e;
  e.container_id = id;
  e.endpoint_id = id;  // one endpoint per container on this network
  e.gateway = gw_;
  e.prefix = subnet_.prefix;
  e.veth = "veth" + id.substr(0, 11);
  e.netns = fs::Join(o_.netns_dir, id);
  std::string label = fmt::format("{} ({})", r.container_name, id.substr(0, 12));
  if (r.ip && !subnet_.Contains(*r.ip))
    return Error::Invalid(fmt::format("no configured subnet or ip-range contain the IP address {}",
                                      ToString(*r.ip)));
  e.ip = BERTH_TRY(ipam_.Allocate(id, r.ip));
  e.mac = r.mac.empty() ? MacForIp(e.ip) : r.mac;
  std::array<uint8_t, 6> mac;
  if (auto st = ParseMac(e.mac, mac.data()); !st.ok()) {
    ipam_.Release(id);
    return st.error();
  }
  // Saved once, at the end: a crash before leaves a namespace without an
  // endpoint (removed by Prune at the next start; its veth goes with it)
  // and an allocation that was never saved.
  endpoints_[id] = e;
  auto fail = [&](Error err) {
    DetachLocked(id);
    return err;
  };

  // Ports first: a clash fails before anything is set up.
  std::vector<unique_fd> held;
  for (const PortRequest& p : r.ports) {
    Result<unique_fd> fd = Error::Internal("no port");
    uint16_t got = 0;
    if (p.host_lo == 0) {
      fd = ReservePort(p.proto, p.host_ip, 0, &got);
    } else {
      for (uint32_t port = p.host_lo; port <= p.host_hi; ++port) {
        fd = ReservePort(p.proto, p.host_ip, static_cast<uint16_t>(port), &got);
        if (fd.ok() || fd.error().code() != Code::kConflict) break;
      }
    }
    if (!fd.ok())
      return fail(std::move(fd).error().Context(fmt::format(
          "driver failed programming external connectivity on endpoint {}", label)));
    held.push_back(std::move(*fd));
    e.ports.push_back({p.proto, p.host_ip, got, e.ip, p.container_port});
  }

  (void)RemoveNetns(e.netns);  // a stale one from a crash
  auto t0 = std::chrono::steady_clock::now();
  auto us = [&t0] {
    auto now = std::chrono::steady_clock::now();
    auto d = std::chrono::duration_cast<std::chrono::microseconds>(now - t0).count();
    t0 = now;
    return d;
  };
  auto ns = CreateNetns(e.netns);
  int64_t t_ns = us();
  if (!ns.ok()) return fail(std::move(ns).error());
  VethSpec v;
  v.host_name = e.veth;
  v.peer_name = "eth0";
  v.peer_netns_fd = ns->fd.get();
  v.master_index = bridge_index_;
  v.mtu = o_.mtu;
  v.peer_mac = mac;
  if (auto st = nl_.CreateVeth(v); !st.ok()) return fail(std::move(st).error());
  int64_t t_veth = us();
  int eth0 = 0;
  if (auto idx = ns->nl.LinkIndex("eth0"); idx.ok())
    eth0 = *idx;
  else
    return fail(std::move(idx).error());
  ns->nl.Begin();
  (void)ns->nl.SetUp("lo");
  (void)ns->nl.SetUp("eth0");
  (void)ns->nl.AddAddress(eth0, e.ip, e.prefix);
  (void)ns->nl.AddDefaultRoute(gw_, eth0);
  if (auto st = ns->nl.Commit(); !st.ok()) return fail(std::move(st).error().Context("configure eth0"));
  int64_t t_cfg = us();

  if (!e.ports.empty())
    if (auto st = nft_.Run(AddPortsScript(o_.table, e.ports)); !st.ok())
      return fail(std::move(st).error().Context("publish ports"));
  endpoints_[id] = e;
  reserved_[id] = std::move(held);
  if (auto st = SaveLocked(); !st.ok()) return fail(std::move(st).error());
  log::Debug("network: netns {} us, veth {} us, eth0 {} us, ports+save {} us", t_ns, t_veth, t_cfg,
             us());
  return e;
}

void Manager::DeletePortsLocked(const Endpoint& e) {
  if (e.ports.empty()) return;
  // One transaction for all; if it fails (an element already gone fails
  // it whole), one per element so the others still go.
  if (nft_.Run(DeletePortsScript(o_.table, e.ports)).ok()) return;
  for (const PortMapping& p : e.ports)
    if (auto st = nft_.Run(DeletePortsScript(o_.table, {p})); !st.ok())
      log::Warn("network: detach {}: delete port {}:{}/{} -> {}:{}: {}", e.container_id,
                ToString(p.host_ip), p.host_port, p.proto, ToString(p.container_ip),
                p.container_port, st.error().message());
}

void Manager::DetachLocked(const std::string& id) {
  auto it = endpoints_.find(id);
  if (it != endpoints_.end()) {
    const Endpoint& e = it->second;
    if (auto st = nl_.DeleteLink(e.veth); !st.ok() && st.error().code() != Code::kNotFound)
      log::Warn("network: detach {}: {}", id, st.error().message());
    if (auto st = RemoveNetns(e.netns); !st.ok())
      log::Warn("network: detach {}: {}", id, st.error().message());
    DeletePortsLocked(e);
    endpoints_.erase(it);
  }
  reserved_.erase(id);
  ipam_.Release(id);
  if (auto st = SaveLocked(); !st.ok())
    log::Warn("network: detach {}: save state: {}", id, st.error().message());
}

void Manager::Detach(const std::string& id) {
  std::lock_guard lock(mu_);
  if (!endpoints_.count(id) && !ipam_.Of(id)) {
    (void)RemoveNetns(fs::Join(o_.netns_dir, id));
    return;
  }
  DetachLocked(id);
}

std::optional<Endpoint> Manager::Get(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return std::nullopt;
  return it->second;
}

void Manager::Prune(const std::function<bool(const std::string&)>& keep) {
  // keep() takes the engine's locks: it runs without mu_ (lock order in
  // manager.h). An endpoint attached meanwhile was not in the copy.
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, e] : endpoints_) ids.push_back(id);
  }
  std::vector<std::string> gone;
  for (const auto& id : ids)
    if (!keep(id)) gone.push_back(id);
  std::lock_guard lock(mu_);
  for (const auto& id : gone)
    if (endpoints_.count(id)) DetachLocked(id);
  // Namespaces left without an endpoint.
  if (auto names = fs::ListDir(o_.netns_dir); names.ok())
    for (const auto& n : *names)
      if (!endpoints_.count(n)) (void)RemoveNetns(fs::Join(o_.netns_dir, n));
}

void Manager::Close() {
  std::lock_guard lock(mu_);
  if (!endpoints_.empty()) {
    log::Info("network: {} endpoints stay (live restore); table {} and bridge {} kept",
              endpoints_.size(), o_.table, o_.bridge);
    return;
  }
  if (auto st = nft_.Run(DeleteTableScript(o_.table)); !st.ok())
    log::Warn("network: {}", st.error().message());
  if (auto st = nl_.DeleteLink(o_.bridge); !st.ok())
    log::Warn("network: {}", st.error().message());
  (void)fs::RemoveAll(fs::Join(o_.state_dir, "bridge.json"));
}

}  // namespace berth::network
