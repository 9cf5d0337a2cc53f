// A container's networking as the engine sees it: which namespace a start
// joins (NetworkMode), its endpoint on the default bridge, and Docker's
// NetworkSettings / ps Ports views of it (src/network does the work).
#include <chrono>
#include <set>

#include <fmt/format.h>

#include "base/log.h"
#include "base/sha256.h"
#include "base/strings.h"
#include "engine/engine_impl.h"
#include "network/manager.h"

namespace berth::engine {
namespace {

bool BridgeMode(const std::string& mode) { return mode == "default" || mode == "bridge"; }

// The endpoint settings the client asked for (--ip, --mac-address) on the
// container's network.
void Requested(const Container& c, const std::string& net, network::AttachRequest* r) {
  std::string mac = c.config.value("MacAddress", "");
  const json& ec = c.networking_config.value("EndpointsConfig", json::object());
  for (const std::string& key : {net, std::string("bridge"), std::string("default")}) {
    if (!ec.is_object() || !ec.contains(key) || !ec[key].is_object()) continue;
    const json& e = ec[key];
    const json& ipam = e.value("IPAMConfig", json());
    if (ipam.is_object())
      if (auto ip = network::ParseIpv4(ipam.value("IPv4Address", "")); ip.ok()) r->ip = *ip;
    if (mac.empty()) mac = e.value("MacAddress", "");
    break;
  }
  r->mac = mac;
}

}  // namespace

Status CheckNetworkMode(Engine::Impl& m, const json& host_config, const json& networking_config) {
  std::string mode = host_config.value("NetworkMode", "default");
  if (mode == "default" || mode == "bridge" || mode == "host" || mode == "none") {
    const json& ec = networking_config.value("EndpointsConfig", json::object());
    bool user_ip = false;
    if (ec.is_object())
      for (const auto& [_, e] : ec.items())
        if (e.is_object() && e.value("IPAMConfig", json()).is_object() &&
            !e["IPAMConfig"].value("IPv4Address", "").empty())
          user_ip = true;
    if (user_ip && BridgeMode(mode))
      return Error::Invalid("user specified IP address is supported on user defined networks only");
    return Ok();
  }
  if (str::StartsWith(mode, "container:")) {
    std::string other = mode.substr(10);
    if (other.empty()) return Error::Invalid("invalid container format container:<name|id>");
    // Not kNotFound: the CLI would take a 404 for a missing image and pull.
    if (auto c = m.Find(other); !c.ok()) return Error::Invalid(c.error().message());
    return Ok();
  }
  return Error::Invalid(fmt::format("network {} not found", mode));
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
  if (mode == "none" || !BridgeMode(mode) || !opts.network) return NetworkSetup{};
  network::AttachRequest r;
  r.container_id = c->id;
  r.container_name = c->name.empty() ? c->id : c->name.substr(1);
  Requested(*c, mode, &r);
  r.ports = BERTH_TRY(network::PortRequests(c->host_config.value("PortBindings", json()),
                                            c->host_config.value("PublishAllPorts", false),
                                            c->config.value("ExposedPorts", json())));
  auto t0 = std::chrono::steady_clock::now();
  network::Endpoint e = BERTH_TRY(opts.network->Attach(r));
  log::Debug("network attach {} {} us", c->id.substr(0, 12),
             std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::steady_clock::now() - t0)
                 .count());
  if (EmbeddedDns(*c))
    if (Status st = OpenDns(*c, e.netns); !st.ok()) {
      TeardownNetwork(c->id);
      return std::move(st).error();
    }
  return NetworkSetup{e.netns, network::ToString(e.ip)};
}

void Engine::Impl::TeardownNetwork(const std::string& id) {
  CloseDns(id);
  if (opts.network) opts.network->Detach(id);
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
  std::string net = BridgeMode(mode) ? "bridge" : mode;
  json ep = {{"IPAMConfig", nullptr}, {"Links", nullptr},  {"Aliases", nullptr},
             {"NetworkID", ""},       {"EndpointID", ""},  {"Gateway", ""},
             {"IPAddress", ""},       {"IPPrefixLen", 0},  {"IPv6Gateway", ""},
             {"GlobalIPv6Address", ""}, {"GlobalIPv6PrefixLen", 0}, {"MacAddress", ""},
             {"DriverOpts", nullptr}};
  if (net == "bridge" && opts.network) ep["NetworkID"] = opts.network->id();
  // Exposed ports show (unpublished: null) while the container runs.
  bool running = c.state.status == ContainerStatus::kRunning ||
                 c.state.status == ContainerStatus::kPaused;
  std::optional<network::Endpoint> e;
  if (net == "bridge" && opts.network && running) e = opts.network->Get(c.id);
  if (e) {
    ns["SandboxID"] = c.id;
    ns["SandboxKey"] = e->netns;
    for (json* j : {&ns, &ep}) {
      (*j)["EndpointID"] = e->endpoint_id;
      (*j)["Gateway"] = network::ToString(e->gateway);
      (*j)["IPAddress"] = network::ToString(e->ip);
      (*j)["IPPrefixLen"] = e->prefix;
      (*j)["MacAddress"] = e->mac;
    }
    const json& exposed = c.config.value("ExposedPorts", json());
    if (exposed.is_object())
      for (const auto& [k, _] : exposed.items()) ns["Ports"][k] = nullptr;
    for (const auto& p : e->ports) {
      std::string key = fmt::format("{}/{}", p.container_port, p.proto);
      if (!ns["Ports"][key].is_array()) ns["Ports"][key] = json::array();
      ns["Ports"][key].push_back(
          {{"HostIp", network::ToString(p.host_ip)}, {"HostPort", std::to_string(p.host_port)}});
    }
  }
  ns["Networks"][net] = ep;
  return ns;
}

json Engine::Impl::PortsList(const Container& c) {
  json out = json::array();
  std::set<std::string> published;
  bool running = c.state.status == ContainerStatus::kRunning ||
                 c.state.status == ContainerStatus::kPaused;
  if (opts.network && running)
    if (auto e = opts.network->Get(c.id))
      for (const auto& p : e->ports) {
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

}  // namespace berth::engine

namespace berth::engine {
namespace {

std::string BuiltinId(const std::string& seed, const std::string& name) {
  return Sha256LiteHex(seed + "/" + name);
}

}  // namespace

// Docker's network list entries for the three predefined networks.
Result<json> Engine::Networks() {
  Impl& m = *impl_;
  std::string seed = m.opts.network ? m.opts.network->id() : m.opts.data_root;
  auto base = [&](const std::string& name, const std::string& driver, const std::string& id) {
    return json{{"Name", name},
                {"Id", id},
                {"Created", "0001-01-01T00:00:00Z"},
                {"Scope", "local"},
                {"Driver", driver},
                {"EnableIPv6", false},
                {"IPAM", {{"Driver", "default"}, {"Options", nullptr}, {"Config", json::array()}}},
                {"Internal", false},
                {"Attachable", false},
                {"Ingress", false},
                {"ConfigFrom", {{"Network", ""}}},
                {"ConfigOnly", false},
                {"Containers", json::object()},
                {"Options", json::object()},
                {"Labels", json::object()}};
  };
  json out = json::array();
  json host = base("host", "host", BuiltinId(seed, "host"));
  json none = base("none", "null", BuiltinId(seed, "none"));
  if (m.opts.network) {
    network::Manager& n = *m.opts.network;
    json br = base("bridge", "bridge", n.id());
    br["IPAM"]["Config"] = json::array(
        {{{"Subnet", network::ToString(n.subnet())}, {"Gateway", network::ToString(n.gateway())}}});
    br["Options"] = {{"com.docker.network.bridge.default_bridge", "true"},
                     {"com.docker.network.bridge.enable_icc", "true"},
                     {"com.docker.network.bridge.enable_ip_masquerade", "true"},
                     {"com.docker.network.bridge.host_binding_ipv4", "0.0.0.0"},
                     {"com.docker.network.bridge.name", n.bridge()},
                     {"com.docker.network.driver.mtu", std::to_string(n.mtu())}};
    for (auto& c : m.All()) {
      std::lock_guard lock(c->mu);
      if (!c->Running()) continue;
      std::string mode = c->host_config.value("NetworkMode", "default");
      json* net = mode == "host" ? &host : mode == "none" ? &none : nullptr;
      if (mode == "default" || mode == "bridge") {
        auto e = n.Get(c->id);
        if (!e) continue;
        br["Containers"][c->id] = {{"Name", c->name.substr(1)},
                                   {"EndpointID", e->endpoint_id},
                                   {"MacAddress", e->mac},
                                   {"IPv4Address", fmt::format("{}/{}", network::ToString(e->ip),
                                                               e->prefix)},
                                   {"IPv6Address", ""}};
      } else if (net) {
        (*net)["Containers"][c->id] = {{"Name", c->name.substr(1)}, {"EndpointID", c->id},
                                       {"MacAddress", ""}, {"IPv4Address", ""},
                                       {"IPv6Address", ""}};
      }
    }
    out.push_back(br);
  }
  out.push_back(host);
  out.push_back(none);
  return out;
}

Result<json> Engine::NetworkInspect(const std::string& name) {
  json all = BERTH_TRY(Networks());
  json* prefix_match = nullptr;
  int prefixes = 0;
  for (json& n : all) {
    if (n["Name"] == name || n["Id"] == name) return n;
    if (!name.empty() && str::StartsWith(n["Id"].get<std::string>(), name)) {
      prefix_match = &n;
      ++prefixes;
    }
  }
  if (prefixes == 1) return *prefix_match;
  return Error::NotFound(fmt::format("network {} not found", name));
}

}  // namespace berth::engine
