// The /networks API over the network manager: Docker's JSON for the
// predefined networks (bridge, host, none) and the user-defined bridge
// networks, create/remove/prune, and connect/disconnect of containers
// (their EndpointsConfig, plus the endpoint itself when they run).
#include <fmt/format.h>

#include "base/json_fields.h"
#include "base/sha256.h"
#include "base/strings.h"
#include "engine/engine_impl.h"
#include "network/manager.h"

namespace berth::engine {
namespace {

std::string BuiltinId(const std::string& seed, const std::string& name) {
  return Sha256LiteHex(seed + "/" + name);
}

json Base(const std::string& name, const std::string& driver, const std::string& id) {
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
}

json NetworkJson(const network::NetworkInfo& n, int mtu) {
  json j = Base(n.name, "bridge", n.id);
  j["Created"] = n.created;
  json cfg = {{"Subnet", network::ToString(n.subnet)}, {"Gateway", network::ToString(n.gateway)}};
  if (n.ip_range) cfg["IPRange"] = network::ToString(*n.ip_range);
  j["IPAM"]["Config"] = json::array({cfg});
  j["Internal"] = n.internal;
  j["Attachable"] = n.attachable;
  if (n.is_default) {
    j["Options"] = {{"com.docker.network.bridge.default_bridge", "true"},
                    {"com.docker.network.bridge.enable_icc", "true"},
                    {"com.docker.network.bridge.enable_ip_masquerade", "true"},
                    {"com.docker.network.bridge.host_binding_ipv4", "0.0.0.0"},
                    {"com.docker.network.bridge.name", n.bridge},
                    {"com.docker.network.driver.mtu", std::to_string(mtu)}};
  } else {
    j["IPAM"]["Options"] = json::object();
    for (const auto& [k, v] : n.options) j["Options"][k] = v;
    for (const auto& [k, v] : n.labels) j["Labels"][k] = v;
  }
  for (const auto& e : n.endpoints)
    j["Containers"][e.container_id] = {
        {"Name", e.container_name},
        {"EndpointID", e.endpoint_id},
        {"MacAddress", e.mac},
        {"IPv4Address", fmt::format("{}/{}", network::ToString(e.ip), e.prefix)},
        {"IPv6Address", ""}};
  return j;
}

std::map<std::string, std::string> StringMap(const json& j) {
  std::map<std::string, std::string> m;
  if (j.is_object())
    for (const auto& [k, v] : j.items()) m[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return m;
}

// Docker's network events: type network, the network's ID, its name and
// type (and the container for connect/disconnect).
void PublishNetwork(Engine::Impl& m, const std::string& action, const std::string& id,
                    const std::string& name, const std::string& container) {
  if (!m.opts.events) return;
  std::map<std::string, std::string> attrs = {{"name", name}, {"type", "bridge"}};
  if (!container.empty()) attrs["container"] = container;
  m.opts.events("network", action, id, std::move(attrs));
}

}  // namespace

Result<json> Engine::Networks() {
  Impl& m = *impl_;
  std::string seed = m.opts.network ? m.opts.network->id() : m.opts.data_root;
  json out = json::array();
  json host = Base("host", "host", BuiltinId(seed, "host"));
  json none = Base("none", "null", BuiltinId(seed, "none"));
  std::vector<json> users;
  if (m.opts.network) {
    for (const auto& n : m.opts.network->Networks()) {
      if (n.is_default)
        out.push_back(NetworkJson(n, m.opts.network->mtu()));
      else
        users.push_back(NetworkJson(n, m.opts.network->mtu()));
    }
  }
  for (auto& c : m.All()) {
    std::lock_guard lock(c->mu);
    if (!c->Running()) continue;
    std::string mode = c->host_config.value("NetworkMode", "default");
    json* net = mode == "host" ? &host : mode == "none" ? &none : nullptr;
    if (net)
      (*net)["Containers"][c->id] = {{"Name", c->name.substr(1)}, {"EndpointID", c->id},
                                     {"MacAddress", ""}, {"IPv4Address", ""},
                                     {"IPv6Address", ""}};
  }
  out.push_back(host);
  out.push_back(none);
  for (auto& u : users) out.push_back(std::move(u));
  return out;
}

Result<json> Engine::NetworkInspect(const std::string& name) {
  json all = BERTH_TRY(Networks());
  // Docker's order: full ID, exact name, then a unique ID prefix.
  for (json& n : all)
    if (n["Id"] == name) return n;
  for (json& n : all)
    if (n["Name"] == name) return n;
  json* prefix_match = nullptr;
  int prefixes = 0;
  for (json& n : all)
    if (!name.empty() && str::StartsWith(n["Id"].get<std::string>(), name)) {
      prefix_match = &n;
      ++prefixes;
    }
  if (prefixes == 1) return *prefix_match;
  return Error::NotFound(fmt::format("network {} not found", name));
}

Result<json> Engine::NetworkCreate(const json& body) {
  Impl& m = *impl_;
  std::string name = jsonf::Str(body, "Name");
  if (name.empty()) return Error::Invalid("network name is required");
  if (name == "host" || name == "none" || name == "bridge" || name == "default")
    return Error(Code::kConflict, fmt::format("network with name {} already exists", name));
  std::string driver = jsonf::Str(body, "Driver");
  if (!driver.empty() && driver != "bridge")
    return Error::Invalid(fmt::format(
        "berth: network driver \"{}\" is not supported: only bridge networks", driver));
  if (jsonf::Bool(body, "EnableIPv6"))
    return Error::Invalid("berth: IPv6 networks are not supported: IPv4 only");
  if (!m.opts.network)
    return Error::Invalid("berth: networking is off (berthd --bridge none)");
  network::NetworkSpec s;
  s.name = name;
  s.internal = jsonf::Bool(body, "Internal");
  s.attachable = jsonf::Bool(body, "Attachable");
  s.labels = StringMap(body.value("Labels", json()));
  s.options = StringMap(body.value("Options", json()));
  const json& ipam = body.value("IPAM", json());
  if (ipam.is_object()) {
    std::string idrv = jsonf::Str(ipam, "Driver");
    if (!idrv.empty() && idrv != "default")
      return Error::Invalid(fmt::format("berth: IPAM driver \"{}\" is not supported", idrv));
    const json& cfgs = ipam.value("Config", json());
    if (cfgs.is_array() && cfgs.size() > 1)
      return Error::Invalid("berth: one IPv4 subnet per network");
    if (cfgs.is_array() && !cfgs.empty() && cfgs[0].is_object()) {
      const json& c = cfgs[0];
      std::string subnet = jsonf::Str(c, "Subnet"), gw = jsonf::Str(c, "Gateway"),
                  range = jsonf::Str(c, "IPRange");
      if (subnet.find(':') != std::string::npos)
        return Error::Invalid("berth: IPv6 subnets are not supported: IPv4 only");
      if (!subnet.empty()) {
        network::Ipv4 addr;
        auto sn = network::ParseCidr(subnet, &addr);
        if (!sn.ok()) return Error::Invalid(fmt::format("invalid subnet {}", subnet));
        if (addr != sn->base)
          return Error::Invalid(fmt::format(
              "invalid subnet {}: it should be {}", subnet, network::ToString(*sn)));
        s.subnet = *sn;
      }
      if (!gw.empty()) {
        auto g = network::ParseIpv4(gw);
        if (!g.ok()) return Error::Invalid(fmt::format("invalid gateway address {}", gw));
        s.gateway = *g;
      }
      if (!range.empty()) {
        auto r = network::ParseSubnet(range);
        if (!r.ok()) return Error::Invalid(fmt::format("invalid ip-range {}", range));
        s.ip_range = *r;
      }
    }
  }
  auto n = BERTH_TRY(m.opts.network->CreateNetwork(s));
  PublishNetwork(m, "create", n.id, n.name, "");
  return json{{"Id", n.id}, {"Warning", ""}};
}

Status Engine::NetworkRemove(const std::string& name) {
  Impl& m = *impl_;
  if (name == "host" || name == "none")
    return Error(Code::kPermissionDenied,
                 fmt::format("{} is a pre-defined network and cannot be removed", name));
  if (!m.opts.network) return Error::NotFound(fmt::format("network {} not found", name));
  json n = BERTH_TRY(NetworkInspect(name));
  std::string id = jsonf::Str(n, "Id");
  if (jsonf::Str(n, "Name") == "host" || jsonf::Str(n, "Name") == "none")
    return Error(Code::kPermissionDenied,
                 fmt::format("{} is a pre-defined network and cannot be removed",
                             jsonf::Str(n, "Name")));
  BERTH_TRY(m.opts.network->RemoveNetwork(id));
  PublishNetwork(m, "destroy", id, jsonf::Str(n, "Name"), "");
  return Ok();
}

Result<std::vector<std::string>> Engine::NetworkPrune(
    const std::function<bool(const json&)>& match) {
  json all = BERTH_TRY(Networks());
  std::vector<std::string> out;
  for (const json& n : all) {
    std::string name = jsonf::Str(n, "Name");
    if (name == "bridge" || name == "host" || name == "none") continue;
    if (!n["Containers"].empty() || !match(n)) continue;
    if (NetworkRemove(jsonf::Str(n, "Id")).ok()) out.push_back(name);
  }
  return out;
}

Status Engine::NetworkConnect(const std::string& network, const json& body) {
  Impl& m = *impl_;
  json n = BERTH_TRY(NetworkInspect(network));
  std::string net = jsonf::Str(n, "Name");
  ContainerPtr c = BERTH_TRY(m.Find(jsonf::Str(body, "Container")));
  json ep = body.value("EndpointConfig", json::object());
  if (!ep.is_object()) ep = json::object();
  std::lock_guard op(c->op_mu);
  std::string mode;
  bool running = false;
  {
    std::lock_guard lock(c->mu);
    mode = c->host_config.value("NetworkMode", "default");
    running = c->Running();
  }
  if (net == "host" || mode == "host")
    return Error(Code::kPermissionDenied,
                 "container cannot be disconnected from host network or connected to host network");
  if (net == "none" || mode == "none")
    return Error(Code::kPermissionDenied,
                 "container cannot be connected to multiple networks with one of the networks in "
                 "private (none) mode");
  if (str::StartsWith(mode, "container:"))
    return Error(Code::kPermissionDenied,
                 "conflicting options: container sharing network namespace with another container "
                 "or host cannot be connected to any other network");
  if (!m.opts.network) return Error::NotFound(fmt::format("network {} not found", network));
  auto info = BERTH_TRY(m.opts.network->FindNetwork(jsonf::Str(n, "Id")));
  const json& ipam = ep.value("IPAMConfig", json());
  std::optional<network::Ipv4> ip;
  if (ipam.is_object() && !jsonf::Str(ipam, "IPv6Address").empty())
    return Error::Invalid("berth: IPv6 addresses are not supported: IPv4 only");
  if (ipam.is_object() && !jsonf::Str(ipam, "IPv4Address").empty()) {
    if (info.is_default)
      return Error::Invalid("user specified IP address is supported on user defined networks only");
    if (!info.user_subnet)
      return Error::Invalid(
          "user specified IP address is supported only when connecting to networks with user "
          "configured subnets");
    ip = BERTH_TRY(network::ParseIpv4(jsonf::Str(ipam, "IPv4Address")));
  }
  std::string cname = c->name.empty() ? c->id.substr(0, 12) : c->name.substr(1);
  {
    std::lock_guard lock(c->mu);
    for (const auto& [k, _] : m.ContainerNetworks(*c))
      if (k == net)
        return Error(Code::kPermissionDenied,
                     fmt::format("endpoint with name {} already exists in network {}", cname, net));
  }
  if (running) {
    network::AttachRequest r;
    r.container_id = c->id;
    r.container_name = cname;
    r.network = info.id;
    r.ip = ip;
    r.mac = jsonf::Str(ep, "MacAddress");
    if (ep.contains("Aliases") && ep["Aliases"].is_array())
      for (const auto& a : ep["Aliases"])
        if (a.is_string()) r.aliases.push_back(a.get<std::string>());
    BERTH_TRY(m.opts.network->Attach(r));
  }
  std::lock_guard lock(c->mu);
  json& ec = c->networking_config["EndpointsConfig"];
  if (!ec.is_object()) ec = json::object();
  json saved = json::object();
  for (const char* k : {"IPAMConfig", "Aliases", "MacAddress", "DriverOpts"})
    if (ep.contains(k) && !ep[k].is_null()) saved[k] = ep[k];
  ec[net] = saved;
  json& gone = c->networking_config["Disconnected"];
  if (gone.is_array()) {
    json keep = json::array();
    for (const auto& g : gone)
      if (g != net) keep.push_back(g);
    gone = keep;
  }
  BERTH_TRY(m.Save(*c));
  PublishNetwork(m, "connect", info.id, net, c->id);
  return Ok();
}

Status Engine::NetworkDisconnect(const std::string& network, const std::string& container,
                                 bool force) {
  Impl& m = *impl_;
  json n = BERTH_TRY(NetworkInspect(network));
  std::string net = jsonf::Str(n, "Name");
  auto found = m.Find(container);
  if (!found.ok()) {
    if (force) return Ok();
    return std::move(found).error();
  }
  ContainerPtr c = *found;
  std::lock_guard op(c->op_mu);
  std::string mode;
  bool connected = false;
  {
    std::lock_guard lock(c->mu);
    mode = c->host_config.value("NetworkMode", "default");
    for (const auto& [k, _] : m.ContainerNetworks(*c)) connected = connected || k == net;
  }
  if (net == "host" || mode == "host")
    return Error(Code::kPermissionDenied,
                 "container cannot be disconnected from host network or connected to host network");
  if (!connected)
    return Error(Code::kPermissionDenied,
                 fmt::format("container {} is not connected to network {}", c->id, net));
  if (m.opts.network) BERTH_TRY(m.opts.network->Detach(c->id, jsonf::Str(n, "Id")));
  std::lock_guard lock(c->mu);
  json& ec = c->networking_config["EndpointsConfig"];
  if (ec.is_object()) {
    ec.erase(net);
    if (net == "bridge") ec.erase("default");
  }
  std::string primary = mode == "default" ? "bridge" : mode;
  if (primary == net) {
    json& gone = c->networking_config["Disconnected"];
    if (!gone.is_array()) gone = json::array();
    gone.push_back(net);
  }
  BERTH_TRY(m.Save(*c));
  PublishNetwork(m, "disconnect", jsonf::Str(n, "Id"), net, c->id);
  return Ok();
}

}  // namespace berth::engine
