#include "network/manager.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/random.h"
#include "base/strings.h"
#include "network/netns.h"

namespace berth::network {

using nlohmann::json;

namespace {

constexpr const char* kBridgeNameOpt = "com.docker.network.bridge.name";

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

json StringMap(const std::map<std::string, std::string>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

std::map<std::string, std::string> MapOf(const json& j) {
  std::map<std::string, std::string> m;
  if (j.is_object())
    for (const auto& [k, v] : j.items())
      if (v.is_string()) m[k] = v.get<std::string>();
  return m;
}

// The host's IPv4 routes (/proc/net/route: destination and mask, hex in
// network byte order), the default route left out.
std::vector<Subnet> HostRoutes() {
  std::vector<Subnet> out;
  auto text = fs::ReadFile("/proc/net/route");
  if (!text.ok()) return out;
  for (const auto& line : str::Split(*text, '\n')) {
    std::vector<std::string> f;
    for (const auto& w : str::Split(line, '\t'))
      if (!w.empty()) f.push_back(std::string(str::Trim(w)));
    if (f.size() < 8 || f[0] == "Iface") continue;
    uint32_t dst = static_cast<uint32_t>(std::stoul(f[1], nullptr, 16));
    uint32_t mask = static_cast<uint32_t>(std::stoul(f[7], nullptr, 16));
    if (mask == 0) continue;
    Subnet s;
    s.base = Ipv4{__builtin_bswap32(dst)};
    s.prefix = __builtin_popcount(mask);
    out.push_back(s);
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

json Endpoint::ToJson() const {
  json ports = json::array();
  for (const auto& p : this->ports) ports.push_back(PortJson(p));
  return {{"ContainerID", container_id}, {"ContainerName", container_name},
          {"NetworkID", network_id},     {"EndpointID", endpoint_id},
          {"Iface", iface},              {"IPAddress", ToString(ip)},
          {"Gateway", ToString(gateway)}, {"IPPrefixLen", prefix},
          {"MacAddress", mac},           {"Veth", veth},
          {"Netns", netns},              {"Aliases", aliases},
          {"DefaultRoute", default_route}, {"Ports", ports}};
}

Result<Endpoint> Endpoint::FromJson(const json& j) {
  Endpoint e;
  e.container_id = j.value("ContainerID", "");
  e.container_name = j.value("ContainerName", "");
  e.network_id = j.value("NetworkID", "");
  e.endpoint_id = j.value("EndpointID", "");
  e.iface = j.value("Iface", "eth0");
  e.ip = BERTH_TRY(ParseIpv4(j.value("IPAddress", "")));
  e.gateway = BERTH_TRY(ParseIpv4(j.value("Gateway", "")));
  e.prefix = j.value("IPPrefixLen", 0);
  e.mac = j.value("MacAddress", "");
  e.veth = j.value("Veth", "");
  e.netns = j.value("Netns", "");
  for (const json& a : j.value("Aliases", json::array()))
    if (a.is_string()) e.aliases.push_back(a.get<std::string>());
  e.default_route = j.value("DefaultRoute", true);
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

Subnet Manager::subnet() const { return default_subnet_; }
Ipv4 Manager::gateway() const { return default_gw_; }

Result<std::unique_ptr<Manager>> Manager::Open(const ManagerOptions& o) {
  std::unique_ptr<Manager> m(new Manager(o));
  if (m->o_.bridge.empty() || m->o_.bridge.size() > 15)
    return Error::Invalid(fmt::format("invalid bridge name \"{}\": 1 to 15 characters", o.bridge));
  Ipv4 gw;
  Subnet subnet = BERTH_TRY_CTX(ParseCidr(m->o_.bip, &gw), "--bip");
  if (subnet.prefix > 30 || gw == subnet.base)
    return Error::Invalid("--bip " + m->o_.bip + ": give the gateway address and a prefix of at most 30");
  m->pool_ = BERTH_TRY_CTX(ParseSubnet(m->o_.pool), "--default-address-pool");
  if (m->o_.pool_size < m->pool_.prefix || m->o_.pool_size > 30)
    return Error::Invalid(fmt::format("--default-address-pool: size {} must be between {} and 30",
                                      m->o_.pool_size, m->pool_.prefix));
  BERTH_TRY(fs::MkdirAll(fs::Join(m->o_.state_dir, "networks"), 0700));
  BERTH_TRY(fs::MkdirAll(m->o_.netns_dir, 0700));
  m->nl_ = BERTH_TRY(Netlink::Open());

  // The default bridge: the same subnet keeps its saved allocations.
  std::string path = fs::Join(m->o_.state_dir, "bridge.json");
  auto text = fs::ReadFile(path);
  if (!text.ok()) text = fs::ReadFile(path + ".new");
  json saved = text.ok() ? json::parse(*text, nullptr, false) : json();
  if (!saved.is_object()) saved = json::object();
  std::string id = saved.value("ID", "");
  if (id.size() != 64) id = rnd::Hex(32);
  m->default_id_ = id;
  m->default_subnet_ = subnet;
  m->default_gw_ = gw;
  {
    Net n;
    n.info.id = id;
    n.info.name = "bridge";
    n.info.bridge = m->o_.bridge;
    n.info.is_default = true;
    n.info.subnet = subnet;
    n.info.gateway = gw;
    n.info.created = "0001-01-01T00:00:00Z";
    n.ipam = Ipam(subnet, gw);
    if (auto ipam = Ipam::FromJson(saved.value("IPAM", json())); ipam.ok() && ipam->subnet() == subnet)
      n.ipam = std::move(*ipam);
    for (const json& ej : saved.value("Endpoints", json::array()))
      if (auto e = Endpoint::FromJson(ej); e.ok() && subnet.Contains(e->ip)) {
        e->network_id = id;
        n.endpoints[e->container_id] = std::move(*e);
      }
    m->nets_[id] = std::move(n);
  }
  BERTH_TRY_CTX(m->SetupBridge(m->nets_[id]), "bridge " + m->o_.bridge);

  // User-defined networks.
  std::string dir = fs::Join(m->o_.state_dir, "networks");
  if (auto names = fs::ListDir(dir); names.ok())
    for (const auto& f : *names) {
      if (!str::EndsWith(f, ".json")) continue;
      auto t = fs::ReadFile(fs::Join(dir, f));
      json j = t.ok() ? json::parse(*t, nullptr, false) : json();
      if (auto st = j.is_object() ? m->LoadNetwork(j, false) : Status(Error::Invalid("not JSON"));
          !st.ok())
        log::Warn("network: state {}: {}", f, st.error().message());
    }

  std::lock_guard lock(m->mu_);
  for (auto& [nid, n] : m->nets_) {
    // Allocations without an endpoint (a crash between the two) are freed.
    std::vector<std::string> owners;
    for (const auto& [ip, owner] : n.ipam.Allocated())
      if (!n.endpoints.count(owner)) owners.push_back(owner);
    for (const auto& owner : owners) n.ipam.Release(owner);
    // Host ports of the restored endpoints are held again (best effort).
    for (auto& [cid, e] : n.endpoints)
      for (const auto& p : e.ports) {
        uint16_t got = 0;
        if (auto fd = ReservePort(p.proto, p.host_ip, p.host_port, &got); fd.ok())
          m->reserved_[cid].push_back(std::move(*fd));
      }
  }
  BERTH_TRY_CTX(m->RebuildTableLocked(), "create the nftables table " + m->o_.table);
  for (const auto& [nid, n] : m->nets_) BERTH_TRY(m->SaveLocked(n));
  return m;
}

Status Manager::LoadNetwork(const json& j, bool is_default) {
  Net n;
  NetworkInfo& i = n.info;
  i.id = j.value("ID", "");
  i.name = j.value("Name", "");
  i.bridge = j.value("Bridge", "");
  i.created = j.value("Created", "");
  i.is_default = is_default;
  i.user_subnet = j.value("UserSubnet", false);
  i.internal = j.value("Internal", false);
  i.attachable = j.value("Attachable", false);
  i.labels = MapOf(j.value("Labels", json()));
  i.options = MapOf(j.value("Options", json()));
  if (i.id.size() != 64 || i.name.empty() || i.bridge.empty())
    return Error::Invalid("no ID, name or bridge");
  n.ipam = BERTH_TRY(Ipam::FromJson(j.value("IPAM", json())));
  i.subnet = n.ipam.subnet();
  i.gateway = n.ipam.gateway();
  if (j.contains("IPRange")) i.ip_range = BERTH_TRY(ParseSubnet(j.value("IPRange", "")));
  for (const json& ej : j.value("Endpoints", json::array()))
    if (auto e = Endpoint::FromJson(ej); e.ok() && i.subnet.Contains(e->ip)) {
      e->network_id = i.id;
      n.endpoints[e->container_id] = std::move(*e);
    }
  BERTH_TRY_CTX(SetupBridge(n), fmt::format("network {}: bridge {}", i.name, i.bridge));
  nets_[i.id] = std::move(n);
  return Ok();
}

Status Manager::SetupBridge(Net& n) {
  const std::string& name = n.info.bridge;
  Status st = nl_.CreateBridge(name, o_.mtu);
  if (!st.ok() && st.error().code() != Code::kAlreadyExists) return st;
  n.bridge_index = BERTH_TRY(nl_.LinkIndex(name));
  if (n.info.is_default)
    if (int mtu = BERTH_TRY(nl_.LinkMtu(name)); mtu > 0 && !st.ok()) o_.mtu = mtu;
  st = nl_.AddAddress(n.bridge_index, n.info.gateway, n.info.subnet.prefix);
  if (!st.ok() && st.error().code() != Code::kAlreadyExists) return st;
  BERTH_TRY(nl_.SetUp(name));
  BERTH_TRY(WriteSysctl("/proc/sys/net/ipv4/ip_forward", "1"));
  // DNAT of 127.0.0.1 to a container needs loopback sources routed out of
  // the bridge (they are masqueraded there).
  BERTH_TRY(WriteSysctl(fmt::format("/proc/sys/net/ipv4/conf/{}/route_localnet", name), "1"));
  return Ok();
}

std::vector<PortMapping> Manager::AllPortsLocked() const {
  std::vector<PortMapping> all;
  for (const auto& [nid, n] : nets_)
    for (const auto& [cid, e] : n.endpoints) all.insert(all.end(), e.ports.begin(), e.ports.end());
  return all;
}

Status Manager::RebuildTableLocked() {
  std::vector<NatNetwork> nets;
  for (const auto& [nid, n] : nets_) nets.push_back({n.info.bridge, n.info.subnet, n.info.internal});
  BERTH_TRY(nft_.Run(TableScript(o_.table, nets, AllPortsLocked())));
  return Ok();
}

Status Manager::SaveLocked(const Net& n) {
  json eps = json::array();
  for (const auto& [cid, e] : n.endpoints) eps.push_back(e.ToJson());
  const NetworkInfo& i = n.info;
  json j = {{"ID", i.id}, {"Bridge", i.bridge}, {"IPAM", n.ipam.ToJson()}, {"Endpoints", eps}};
  std::string path = fs::Join(o_.state_dir, "bridge.json");
  if (!i.is_default) {
    j["Name"] = i.name;
    j["Created"] = i.created;
    j["UserSubnet"] = i.user_subnet;
    j["Internal"] = i.internal;
    j["Attachable"] = i.attachable;
    j["Labels"] = StringMap(i.labels);
    j["Options"] = StringMap(i.options);
    if (i.ip_range) j["IPRange"] = ToString(*i.ip_range);
    path = fs::Join(fs::Join(o_.state_dir, "networks"), i.id + ".json");
  }
  // Not a rename over the old file: ext4 flushes the new file's data on
  // such a rename (auto_da_alloc), 3-4 ms on every start. The old one is
  // unlinked first; Open reads bridge.json.new when a crash came between.
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

NetworkInfo Manager::InfoLocked(const Net& n) const {
  NetworkInfo i = n.info;
  for (const auto& [cid, e] : n.endpoints) i.endpoints.push_back(e);
  return i;
}

Manager::Net* Manager::FindLocked(const std::string& key) {
  if (key.empty()) return nullptr;
  if (auto it = nets_.find(key); it != nets_.end()) return &it->second;
  for (auto& [id, n] : nets_)
    if (n.info.name == key) return &n;
  Net* found = nullptr;
  for (auto& [id, n] : nets_)
    if (str::StartsWith(id, key)) {
      if (found) return nullptr;  // ambiguous
      found = &n;
    }
  return found;
}

Result<NetworkInfo> Manager::FindNetwork(const std::string& key) {
  std::lock_guard lock(mu_);
  Net* n = FindLocked(key);
  if (!n) return Error::NotFound(fmt::format("network {} not found", key));
  return InfoLocked(*n);
}

std::vector<NetworkInfo> Manager::Networks() {
  std::lock_guard lock(mu_);
  std::vector<NetworkInfo> out;
  for (const auto& [id, n] : nets_) out.push_back(InfoLocked(n));
  return out;
}

Result<Subnet> Manager::AllocateSubnetLocked() {
  std::vector<Subnet> taken = HostRoutes();
  for (const auto& [id, n] : nets_) taken.push_back(n.info.subnet);
  uint64_t count = uint64_t{1} << (o_.pool_size - pool_.prefix);
  for (uint64_t k = 0; k < count; ++k) {
    Subnet s{Ipv4{pool_.base.v + static_cast<uint32_t>(k << (32 - o_.pool_size))}, o_.pool_size};
    if (std::none_of(taken.begin(), taken.end(), [&](const Subnet& t) { return t.Overlaps(s); }))
      return s;
  }
  return Error(Code::kUnavailable,
               "could not find an available, non-overlapping IPv4 address pool among the "
               "defaults to assign to the network");
}

Result<NetworkInfo> Manager::CreateNetwork(const NetworkSpec& spec) {
  std::lock_guard lock(mu_);
  for (const auto& [id, n] : nets_)
    if (n.info.name == spec.name)
      return Error(Code::kConflict, fmt::format("network with name {} already exists", spec.name));
  Net n;
  NetworkInfo& i = n.info;
  i.id = rnd::Hex(32);
  i.name = spec.name;
  i.created = NowRfc3339Nano();
  i.internal = spec.internal;
  i.attachable = spec.attachable;
  i.labels = spec.labels;
  i.options = spec.options;
  i.bridge = "bb-" + i.id.substr(0, 12);
  if (auto it = spec.options.find(kBridgeNameOpt); it != spec.options.end() && !it->second.empty())
    i.bridge = it->second;
  if (i.bridge.size() > 15)
    return Error::Invalid(fmt::format("invalid bridge name \"{}\": at most 15 characters", i.bridge));
  for (const auto& [id, o] : nets_)
    if (o.info.bridge == i.bridge)
      return Error(Code::kConflict, fmt::format("bridge name {} is used by network {}", i.bridge,
                                                o.info.name));
  // Never adopted: rm (or a failed create) deletes the bridge.
  if (nl_.LinkIndex(i.bridge).ok())
    return Error(Code::kConflict,
                 fmt::format("bridge name {}: a link of that name exists on the host", i.bridge));
  if (spec.subnet) {
    i.subnet = *spec.subnet;
    i.user_subnet = true;
    if (i.subnet.prefix > 30)
      return Error::Invalid(fmt::format("invalid subnet {}: prefix at most 30",
                                        ToString(i.subnet)));
    for (const auto& [id, o] : nets_)
      if (o.info.subnet.Overlaps(i.subnet))
        return Error(Code::kPermissionDenied,
                     "invalid pool request: Pool overlaps with other one on this address space");
  } else {
    if (spec.gateway || spec.ip_range)
      return Error::Invalid("invalid pool request: subnet is required when gateway or ip-range is given");
    i.subnet = BERTH_TRY(AllocateSubnetLocked());
  }
  i.gateway = Ipv4{i.subnet.base.v + 1};
  if (spec.gateway) {
    if (!i.subnet.Contains(*spec.gateway) || *spec.gateway == i.subnet.base ||
        *spec.gateway == i.subnet.Broadcast())
      return Error(Code::kPermissionDenied,
                   fmt::format("no matching subnet for gateway {}", ToString(*spec.gateway)));
    i.gateway = *spec.gateway;
  }
  if (spec.ip_range) {
    if (!i.subnet.Contains(spec.ip_range->base) || spec.ip_range->prefix < i.subnet.prefix)
      return Error(Code::kPermissionDenied,
                   fmt::format("no matching subnet for range {}", ToString(*spec.ip_range)));
    i.ip_range = spec.ip_range;
  }
  n.ipam = Ipam(i.subnet, i.gateway, i.ip_range);
  std::string bridge = i.bridge, id = i.id;
  if (auto st = SetupBridge(n); !st.ok()) {
    (void)nl_.DeleteLink(bridge);
    return std::move(st).error().Context("create bridge " + bridge);
  }
  nets_[id] = std::move(n);
  auto undo = [&](Error e) {
    nets_.erase(id);
    (void)nl_.DeleteLink(bridge);
    (void)RebuildTableLocked();
    return e;
  };
  if (auto st = RebuildTableLocked(); !st.ok()) return undo(std::move(st).error());
  if (auto st = SaveLocked(nets_[id]); !st.ok()) return undo(std::move(st).error());
  return InfoLocked(nets_[id]);
}

Status Manager::RemoveNetwork(const std::string& key) {
  std::lock_guard lock(mu_);
  Net* n = FindLocked(key);
  if (!n) return Error::NotFound(fmt::format("network {} not found", key));
  if (n->info.is_default)
    return Error(Code::kPermissionDenied,
                 fmt::format("{} is a pre-defined network and cannot be removed", n->info.name));
  if (!n->endpoints.empty())  // dockerd 20.10's words
    return Error(Code::kPermissionDenied,
                 fmt::format("error while removing network: network {} id {} has active endpoints",
                             n->info.name, n->info.id));
  std::string id = n->info.id, bridge = n->info.bridge;
  nets_.erase(id);
  if (auto st = RebuildTableLocked(); !st.ok())
    log::Warn("network: remove {}: rebuild table: {}", id.substr(0, 12), st.error().message());
  if (auto st = nl_.DeleteLink(bridge); !st.ok() && st.error().code() != Code::kNotFound)
    log::Warn("network: remove {}: {}", id.substr(0, 12), st.error().message());
  std::string path = fs::Join(fs::Join(o_.state_dir, "networks"), id + ".json");
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) return Error::Sys("remove " + path);
  return Ok();
}

bool Manager::HasEndpointsLocked(const std::string& cid) const {
  for (const auto& [nid, n] : nets_)
    if (n.endpoints.count(cid)) return true;
  return false;
}

Result<Endpoint> Manager::AttachLocked(Net& n, const AttachRequest& r, const std::string& iface,
                                       bool default_route, int netns_fd, Netlink& ns_nl) {
  const std::string& id = r.container_id;
  const NetworkInfo& ni = n.info;
  Endpoint e;
  e.container_id = id;
  e.container_name = r.container_name;
  e.network_id = ni.id;
  e.endpoint_id = ni.is_default ? id : rnd::Hex(32);
  e.iface = iface;
  e.gateway = ni.gateway;
  e.prefix = ni.subnet.prefix;
  e.aliases = r.aliases;
  e.default_route = default_route;
  e.veth = ni.is_default ? "veth" + id.substr(0, 11) : "veth" + id.substr(0, 6) + ni.id.substr(0, 5);
  e.netns = fs::Join(o_.netns_dir, id);
  std::string label = fmt::format("{} ({})", r.container_name, id.substr(0, 12));
  if (r.ip && !ni.subnet.Contains(*r.ip))
    return Error::Invalid(fmt::format(
        "Invalid address {}: It does not belong to any of this network's subnets", ToString(*r.ip)));
  e.ip = BERTH_TRY(n.ipam.Allocate(id, r.ip));
  e.mac = r.mac.empty() ? MacForIp(e.ip) : r.mac;
  std::array<uint8_t, 6> mac;
  if (auto st = ParseMac(e.mac, mac.data()); !st.ok()) {
    n.ipam.Release(id);
    return st.error();
  }
  // Saved once, at the end: a crash before leaves a namespace without an
  // endpoint (removed by Prune at the next start; its veth goes with it)
  // and an allocation that was never saved.
  n.endpoints[id] = e;
  auto fail = [&](Error err) {
    DetachLocked(n, id);
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

  VethSpec v;
  v.host_name = e.veth;
  v.peer_name = iface;
  v.peer_netns_fd = netns_fd;
  v.master_index = n.bridge_index;
  v.mtu = o_.mtu;
  v.peer_mac = mac;
  if (auto st = nl_.CreateVeth(v); !st.ok()) return fail(std::move(st).error());
  int idx = 0;
  if (auto i = ns_nl.LinkIndex(iface); i.ok())
    idx = *i;
  else
    return fail(std::move(i).error());
  ns_nl.Begin();
  (void)ns_nl.SetUp("lo");
  (void)ns_nl.SetUp(iface);
  (void)ns_nl.AddAddress(idx, e.ip, e.prefix);
  if (default_route) (void)ns_nl.AddDefaultRoute(ni.gateway, idx);
  if (auto st = ns_nl.Commit(); !st.ok())
    return fail(std::move(st).error().Context("configure " + iface));

  if (!e.ports.empty())
    if (auto st = nft_.Run(AddPortsScript(o_.table, e.ports)); !st.ok())
      return fail(std::move(st).error().Context("publish ports"));
  n.endpoints[id] = e;
  for (auto& fd : held) reserved_[id].push_back(std::move(fd));
  if (auto st = SaveLocked(n); !st.ok()) return fail(std::move(st).error());
  return e;
}

Result<std::vector<Endpoint>> Manager::AttachAll(const std::vector<AttachRequest>& rs) {
  if (rs.empty()) return std::vector<Endpoint>{};
  std::lock_guard lock(mu_);
  const std::string& id = rs[0].container_id;
  // Resolve every network first: a missing one fails before anything.
  std::vector<Net*> nets;
  for (const AttachRequest& r : rs) {
    Net* n = r.network.empty() ? &nets_.at(default_id_) : FindLocked(r.network);
    if (!n) return Error::NotFound(fmt::format("network {} not found", r.network));
    nets.push_back(n);
  }
  DetachAllLocked(id);  // left from a crash
  std::string path = fs::Join(o_.netns_dir, id);
  auto t0 = std::chrono::steady_clock::now();
  auto ns = CreateNetns(path);
  if (!ns.ok()) return std::move(ns).error();
  std::vector<Endpoint> out;
  bool have_route = false;
  for (size_t k = 0; k < rs.size(); ++k) {
    bool route = !have_route && !nets[k]->info.internal;
    AttachRequest r = rs[k];
    if (!route) r.ports.clear();  // published on the endpoint with the way out
    auto e = AttachLocked(*nets[k], r, fmt::format("eth{}", k), route, ns->fd.get(), ns->nl);
    if (!e.ok()) {
      DetachAllLocked(id);
      return std::move(e).error();
    }
    have_route = have_route || route;
    out.push_back(std::move(*e));
  }
  log::Debug("network: attach {} to {} networks: {} us", id.substr(0, 12), rs.size(),
             std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::steady_clock::now() - t0)
                 .count());
  return out;
}

Result<Endpoint> Manager::Attach(const AttachRequest& r) {
  {
    std::lock_guard lock(mu_);
    if (HasEndpointsLocked(r.container_id)) {
      Net* n = r.network.empty() ? &nets_.at(default_id_) : FindLocked(r.network);
      if (!n) return Error::NotFound(fmt::format("network {} not found", r.network));
      if (n->endpoints.count(r.container_id))
        return Error(Code::kPermissionDenied,
                     fmt::format("endpoint with name {} already exists in network {}",
                                 r.container_name, n->info.name));
      // The next free ethN; the default route only when there is none.
      std::set<std::string> used;
      bool route = !n->info.internal;
      for (const auto& [nid, o] : nets_)
        if (auto it = o.endpoints.find(r.container_id); it != o.endpoints.end()) {
          used.insert(it->second.iface);
          if (it->second.default_route) route = false;
        }
      std::string iface;
      for (int k = 0; iface.empty(); ++k)
        if (!used.count(fmt::format("eth{}", k))) iface = fmt::format("eth{}", k);
      std::string path = fs::Join(o_.netns_dir, r.container_id);
      auto ns = OpenNetns(path);
      if (!ns.ok()) return std::move(ns).error();
      AttachRequest one = r;
      if (!route) one.ports.clear();
      return AttachLocked(*n, one, iface, route, ns->fd.get(), ns->nl);
    }
  }
  auto all = BERTH_TRY(AttachAll({r}));
  return all.front();
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

void Manager::DetachLocked(Net& n, const std::string& id) {
  auto it = n.endpoints.find(id);
  if (it != n.endpoints.end()) {
    const Endpoint& e = it->second;
    if (auto st = nl_.DeleteLink(e.veth); !st.ok() && st.error().code() != Code::kNotFound)
      log::Warn("network: detach {}: {}", id, st.error().message());
    DeletePortsLocked(e);
    if (!e.ports.empty()) reserved_.erase(id);
    n.endpoints.erase(it);
  }
  n.ipam.Release(id);
  if (auto st = SaveLocked(n); !st.ok())
    log::Warn("network: detach {}: save state: {}", id, st.error().message());
}

void Manager::DetachAllLocked(const std::string& id) {
  for (auto& [nid, n] : nets_)
    if (n.endpoints.count(id) || n.ipam.Of(id)) DetachLocked(n, id);
  reserved_.erase(id);
  if (auto st = RemoveNetns(fs::Join(o_.netns_dir, id)); !st.ok())
    log::Warn("network: detach {}: {}", id, st.error().message());
}

Status Manager::Detach(const std::string& id, const std::string& network_id) {
  std::lock_guard lock(mu_);
  Net* n = FindLocked(network_id);
  if (!n) return Error::NotFound(fmt::format("network {} not found", network_id));
  DetachLocked(*n, id);
  return Ok();
}

void Manager::DetachAll(const std::string& id) {
  std::lock_guard lock(mu_);
  DetachAllLocked(id);
}

std::vector<Endpoint> Manager::Endpoints(const std::string& id) {
  std::lock_guard lock(mu_);
  std::vector<Endpoint> out;
  for (const auto& [nid, n] : nets_)
    if (auto it = n.endpoints.find(id); it != n.endpoints.end()) out.push_back(it->second);
  std::sort(out.begin(), out.end(), [](const Endpoint& a, const Endpoint& b) {
    return a.iface.size() != b.iface.size() ? a.iface.size() < b.iface.size() : a.iface < b.iface;
  });
  return out;
}

std::optional<Endpoint> Manager::Get(const std::string& id) {
  auto all = Endpoints(id);
  if (all.empty()) return std::nullopt;
  return all.front();
}

void Manager::RenameContainer(const std::string& container_id, const std::string& new_name) {
  std::lock_guard lock(mu_);
  for (auto& [nid, n] : nets_) {
    auto it = n.endpoints.find(container_id);
    if (it == n.endpoints.end() || it->second.container_name == new_name) continue;
    it->second.container_name = new_name;
    if (Status st = SaveLocked(n); !st.ok())
      log::Warn("network {}: rename of {}: {}", n.info.name, container_id.substr(0, 12),
                st.error().message());
  }
}

std::vector<Ipv4> Manager::Peers(const std::string& requester, const std::string& name) {
  std::string want = Lower(name);
  while (!want.empty() && want.back() == '.') want.pop_back();
  std::vector<Ipv4> out;
  if (want.empty()) return out;
  std::lock_guard lock(mu_);
  for (const auto& [nid, n] : nets_) {
    if (n.info.is_default || !n.endpoints.count(requester)) continue;
    for (const auto& [cid, e] : n.endpoints) {
      bool match = Lower(e.container_name) == want || (want.size() == 12 && str::StartsWith(cid, want));
      for (const auto& a : e.aliases) match = match || Lower(a) == want;
      if (match && std::find(out.begin(), out.end(), e.ip) == out.end()) out.push_back(e.ip);
    }
  }
  return out;
}

void Manager::Prune(const std::function<bool(const std::string&)>& keep) {
  // keep() takes the engine's locks: it runs without mu_ (lock order in
  // manager.h). An endpoint attached meanwhile was not in the copy.
  std::set<std::string> ids;
  {
    std::lock_guard lock(mu_);
    for (const auto& [nid, n] : nets_)
      for (const auto& [cid, e] : n.endpoints) ids.insert(cid);
  }
  std::vector<std::string> gone;
  for (const auto& id : ids)
    if (!keep(id)) gone.push_back(id);
  std::lock_guard lock(mu_);
  for (const auto& id : gone)
    if (HasEndpointsLocked(id)) DetachAllLocked(id);
  // Namespaces left without an endpoint.
  if (auto names = fs::ListDir(o_.netns_dir); names.ok())
    for (const auto& n : *names)
      if (!HasEndpointsLocked(n)) (void)RemoveNetns(fs::Join(o_.netns_dir, n));
}

void Manager::Close() {
  std::lock_guard lock(mu_);
  size_t left = 0;
  for (const auto& [nid, n] : nets_) left += n.endpoints.size();
  if (left > 0) {
    log::Info("network: {} endpoints stay (live restore); table {} and the bridges kept", left,
              o_.table);
    return;
  }
  if (auto st = nft_.Run(DeleteTableScript(o_.table)); !st.ok())
    log::Warn("network: {}", st.error().message());
  // The bridges go; user-defined networks stay in the state (rebuilt by Open).
  for (const auto& [nid, n] : nets_)
    if (auto st = nl_.DeleteLink(n.info.bridge); !st.ok())
      log::Warn("network: {}", st.error().message());
  (void)fs::RemoveAll(fs::Join(o_.state_dir, "bridge.json"));
}

}  // namespace berth::network
