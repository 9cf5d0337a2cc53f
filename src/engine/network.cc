// A container's networking as the engine sees it: which namespace a start
// joins (NetworkMode), its endpoints on the default bridge and user-defined
// networks, and Docker's NetworkSettings / ps Ports views of them
// (src/network does the work).
//
// The networks a container joins, in order (eth0, eth1, ...): NetworkMode's
// ("default" is "bridge"), then the other keys of its
// NetworkingConfig.EndpointsConfig (network connect adds one, disconnect
// removes it), less those in NetworkingConfig.Disconnected (NetworkMode's
// network after a disconnect: berth's own key, never shown). Keys are
// network names (create and connect resolve IDs to names).
#include <set>

#include <fmt/format.h>

#include "base/json_fields.h"
#include "base/log.h"
#include "base/strings.h"
#include "engine/engine_impl.h"
#include "network/manager.h"

namespace berth::engine {
namespace {

bool BridgeMode(const std::string& mode) { return mode == "default" || mode == "bridge"; }

std::string ContainerName(const Container& c) {
  return c.name.empty() ? c.id.substr(0, 12) : c.name.substr(1);
}

}  // namespace

std::vector<std::pair<std::string, json>> Engine::Impl::ContainerNetworks(const Container& c) {
  std::vector<std::pair<std::string, json>> out;
  std::string mode = c.host_config.value("NetworkMode", "default");
  if (mode == "host" || mode == "none" || str::StartsWith(mode, "container:")) return out;
  std::string primary = BridgeMode(mode) ? "bridge" : mode;
  const json& ec = c.networking_config.value("EndpointsConfig", json::object());
  std::set<std::string> gone;
  for (const auto& n : jsonf::Strings(c.networking_config.value("Disconnected", json()))) gone.insert(n);
  auto settings = [&](const std::string& key) {
    if (!ec.is_object()) return json::object();
    for (const std::string& k : {key, key == "bridge" ? std::string("default") : key})
      if (ec.contains(k) && ec[k].is_object()) return ec[k];
    return json::object();
  };
  if (!gone.count(primary)) out.emplace_back(primary, settings(primary));
  if (ec.is_object())
    for (const auto& [k, v] : ec.items()) {
      std::string name = BridgeMode(k) ? "bridge" : k;
      if (name == primary || gone.count(name)) continue;
      out.emplace_back(name, v.is_object() ? v : json::object());
    }
  return out;
}

Status CheckNetworkMode(Engine::Impl& m, const json& host_config, json* networking_config) {
  std::string mode = host_config.value("NetworkMode", "default");
  json& ec = (*networking_config)["EndpointsConfig"];
  if (!ec.is_object()) ec = json::object();
  auto user_ip = [](const json& e) {
    const json& ipam = e.is_object() ? e.value("IPAMConfig", json()) : json();
    return ipam.is_object() && !jsonf::Str(ipam, "IPv4Address").empty();
  };
  for (const auto& [k, e] : ec.items()) {
    const json& ipam = e.is_object() ? e.value("IPAMConfig", json()) : json();
    if (ipam.is_object() && !jsonf::Str(ipam, "IPv6Address").empty())
      return Error::Invalid("berth: IPv6 addresses (--ip6) are not supported: IPv4 only");
  }
  if (str::StartsWith(mode, "container:")) {
    std::string other = mode.substr(10);
    if (other.empty()) return Error::Invalid("invalid container format container:<name|id>");
    // Not kNotFound: the CLI would take a 404 for a missing image and pull.
    if (auto c = m.Find(other); !c.ok()) return Error::Invalid(c.error().message());
    return Ok();
  }
  if (mode == "host" || mode == "none") return Ok();
  // Endpoint keys become network names; every network must exist.
  json named = json::object();
  for (const auto& [k, e] : ec.items()) {
    std::string name = k;
    if (BridgeMode(k)) {
      name = "bridge";
      if (user_ip(e))
        return Error::Invalid("user specified IP address is supported on user defined networks only");
    } else if (k != "host" && k != "none") {
      if (!m.opts.network) return Error::Invalid(fmt::format("network {} not found", k));
      auto n = m.opts.network->FindNetwork(k);
      if (!n.ok()) return Error::Invalid(fmt::format("network {} not found", k));
      name = n->name;
      if (user_ip(e) && !n->user_subnet)
        return Error::Invalid(
            "user specified IP address is supported only when connecting to networks with user "
            "configured subnets");
    }
    named[name] = e;
  }
  ec = std::move(named);
  if (BridgeMode(mode)) return Ok();
  if (!m.opts.network || !m.opts.network->FindNetwork(mode).ok())
    return Error::Invalid(fmt::format("network {} not found", mode));
  return Ok();
}

Result<Engine::Impl::NetworkSetup> Engine::Impl::SetupNetwork(const ContainerPtr& c) {
  std::string mode = c->host_config.value("NetworkMode", "default");
  if (mode == "host") return NetworkSetup{"host", ""};
  if (str::StartsWith(mode, "container:")) {
    ContainerPtr other = BERTH_TRY(Find(mode.substr(10)));
    std::lock_guard lock(other->mu);
    if (other->state.status != ContainerStatus::kRunning || other->state.pid <= 0)
      return Error(Code::kConflict, fmt::format("cannot join network of a non running container: {}",
                                                other->id));
    return NetworkSetup{fmt::format("/proc/{}/ns/net", other->state.pid), ""};
  }
  if (mode == "none" || !opts.network) return NetworkSetup{};
  auto joins = ContainerNetworks(*c);
  if (joins.empty()) return NetworkSetup{};  // disconnected from all: lo only
  std::vector<network::AttachRequest> rs;
  for (const auto& [net, e] : joins) {
    network::AttachRequest r;
    r.container_id = c->id;
    r.container_name = ContainerName(*c);
    r.network = net == "bridge" ? "" : net;
    const json& ipam = e.value("IPAMConfig", json());
    if (ipam.is_object() && !jsonf::Str(ipam, "IPv4Address").empty())
      r.ip = BERTH_TRY(network::ParseIpv4(jsonf::Str(ipam, "IPv4Address")));
    r.mac = jsonf::Str(e, "MacAddress");
    if (rs.empty() && r.mac.empty()) r.mac = jsonf::Str(c->config, "MacAddress");
    if (net != "bridge") r.aliases = jsonf::Strings(e.value("Aliases", json()));
    if (rs.empty())
      r.ports = BERTH_TRY(network::PortRequests(c->host_config.value("PortBindings", json()),
                                                jsonf::Bool(c->host_config, "PublishAllPorts"),
                                                c->config.value("ExposedPorts", json())));
    rs.push_back(std::move(r));
  }
  auto eps = BERTH_TRY(opts.network->AttachAll(rs));
  if (EmbeddedDns(*c))
    if (Status st = OpenDns(*c, eps.front().netns); !st.ok()) {
      TeardownNetwork(c->id);
      return std::move(st).error();
    }
  return NetworkSetup{eps.front().netns, network::ToString(eps.front().ip),
                      network::ToString(eps.front().gateway)};
}

void Engine::Impl::TeardownNetwork(const std::string& id) {
  CloseDns(id);
  if (opts.network) opts.network->DetachAll(id);
}

json Engine::Impl::NetworkSettingsJson(const Container& c) {
  json ns = {{"Bridge", ""},
             {"SandboxID", ""},
             {"HairpinMode", false},
             {"LinkLocalIPv6Address", ""},
             {"LinkLocalIPv6PrefixLen", 0},
             {"Ports", json::object()},
             {"SandboxKey", ""},
             {"SecondaryIPAddresses", nullptr},
             {"SecondaryIPv6Addresses", nullptr},
             {"EndpointID", ""},
             {"Gateway", ""},
             {"GlobalIPv6Address", ""},
             {"GlobalIPv6PrefixLen", 0},
             {"IPAddress", ""},
             {"IPPrefixLen", 0},
             {"IPv6Gateway", ""},
             {"MacAddress", ""},
             {"Networks", json::object()}};
  std::string mode = c.host_config.value("NetworkMode", "default");
  if (str::StartsWith(mode, "container:")) return ns;
  bool running = c.state.status == ContainerStatus::kRunning ||
                 c.state.status == ContainerStatus::kPaused;
  std::vector<network::Endpoint> eps;
  if (opts.network && running) eps = opts.network->Endpoints(c.id);
  auto joins = ContainerNetworks(c);
  if (mode == "host" || mode == "none") joins = {{mode, json::object()}};
  bool any = false;
  for (const auto& [net, settings] : joins) {
    json ep = {{"IPAMConfig", nullptr}, {"Links", nullptr},  {"Aliases", nullptr},
               {"NetworkID", ""},       {"EndpointID", ""},  {"Gateway", ""},
               {"IPAddress", ""},       {"IPPrefixLen", 0},  {"IPv6Gateway", ""},
               {"GlobalIPv6Address", ""}, {"GlobalIPv6PrefixLen", 0}, {"MacAddress", ""},
               {"DriverOpts", nullptr}};
    if (settings.contains("IPAMConfig") && settings["IPAMConfig"].is_object())
      ep["IPAMConfig"] = settings["IPAMConfig"];
    std::vector<std::string> aliases = jsonf::Strings(settings.value("Aliases", json()));
    std::optional<network::NetworkInfo> info;
    if (opts.network && net != "host" && net != "none")
      if (auto n = opts.network->FindNetwork(net == "bridge" ? opts.network->id() : net); n.ok())
        info = std::move(*n);
    if (info) ep["NetworkID"] = info->id;
    const network::Endpoint* e = nullptr;
    for (const auto& x : eps)
      if (info && x.network_id == info->id) e = &x;
    if (e) {
      any = true;
      ep["EndpointID"] = e->endpoint_id;
      ep["Gateway"] = network::ToString(e->gateway);
      ep["IPAddress"] = network::ToString(e->ip);
      ep["IPPrefixLen"] = e->prefix;
      ep["MacAddress"] = e->mac;
      if (info && !info->is_default) {
        // 20.10's view: the aliases given and the short ID; 28's DNSNames.
        json al = aliases;
        al.push_back(c.id.substr(0, 12));
        ep["Aliases"] = al;
        json dns = json::array({ContainerName(c)});
        for (const auto& a : aliases) dns.push_back(a);
        dns.push_back(c.id.substr(0, 12));
        ep["DNSNames"] = dns;
      }
      if (info && info->is_default)
        for (const char* k : {"EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "MacAddress"})
          ns[k] = ep[k];
      for (const auto& p : e->ports) {
        std::string key = fmt::format("{}/{}", p.container_port, p.proto);
        if (!ns["Ports"][key].is_array()) ns["Ports"][key] = json::array();
        ns["Ports"][key].push_back({{"HostIp", network::ToString(p.host_ip)},
                                    {"HostPort", std::to_string(p.host_port)}});
      }
    } else if (!aliases.empty()) {
      ep["Aliases"] = aliases;
    }
    ns["Networks"][net] = ep;
  }
  if (any) {
    ns["SandboxID"] = c.id;
    ns["SandboxKey"] = eps.front().netns;
    // Exposed ports show (unpublished: null) while the container runs.
    const json& exposed = c.config.value("ExposedPorts", json());
    if (exposed.is_object())
      for (const auto& [k, _] : exposed.items())
        if (!ns["Ports"].contains(k)) ns["Ports"][k] = nullptr;
  }
  return ns;
}

json Engine::Impl::PortsList(const Container& c) {
  json out = json::array();
  std::set<std::string> published;
  bool running = c.state.status == ContainerStatus::kRunning ||
                 c.state.status == ContainerStatus::kPaused;
  if (opts.network && running)
    for (const auto& e : opts.network->Endpoints(c.id))
      for (const auto& p : e.ports) {
        out.push_back({{"IP", network::ToString(p.host_ip)},
                       {"PrivatePort", p.container_port},
                       {"PublicPort", p.host_port},
                       {"Type", p.proto}});
        published.insert(fmt::format("{}/{}", p.container_port, p.proto));
      }
  const json& exposed = c.config.value("ExposedPorts", json());
  if (exposed.is_object())
    for (const auto& [k, _] : exposed.items()) {
      if (published.count(k)) continue;
      auto pp = network::ParsePortProto(k);
      if (pp.ok()) out.push_back({{"PrivatePort", pp->first}, {"Type", pp->second}});
    }
  return out;
}

std::vector<network::Ipv4> Engine::ResolvePeer(const std::string& requester_container_id,
                                               const std::string& name) {
  if (!impl_->opts.network) return {};
  return impl_->opts.network->Peers(requester_container_id, name);
}

}  // namespace berth::engine
