#include "discovery/container_services.h"

#include <cctype>
#include <map>
#include <set>

#include "base/strings.h"

namespace berth::discovery {

using nlohmann::json;

std::string ImageBaseName(const std::string& image) {
  std::string s = image;
  if (size_t at = s.find('@'); at != std::string::npos) s = s.substr(0, at);
  if (size_t slash = s.rfind('/'); slash != std::string::npos) s = s.substr(slash + 1);
  if (size_t colon = s.find(':'); colon != std::string::npos) s = s.substr(0, colon);
  return s;
}

std::string CheckStatusForHealth(const std::string& health) {
  if (health == "healthy") return std::string(kPassing);
  if (health == "starting") return std::string(kWarning);
  return std::string(kCritical);
}

namespace {

std::vector<std::string> Tags(const std::string& csv) {
  std::vector<std::string> out;
  for (const std::string& t : str::Split(csv, ','))
    if (!str::Trim(t).empty()) out.emplace_back(str::Trim(t));
  return out;
}

}  // namespace

bool Truthy(const std::string& v) {
  std::string l = str::ToLower(v);
  return !v.empty() && l != "0" && l != "false" && l != "no";
}

std::map<std::string, std::string> EnvMap(const json& cfg) {
  std::map<std::string, std::string> env;
  for (const json& e : cfg.value("Env", json::array()))
    if (e.is_string()) {
      auto [k, v] = str::Cut(e.get<std::string>(), '=');
      env[k] = v;
    }
  return env;
}

std::string Label(const json& cfg, const std::string& key) {
  if (cfg.contains("Labels") && cfg["Labels"].is_object() && cfg["Labels"].contains(key) &&
      cfg["Labels"][key].is_string())
    return cfg["Labels"][key].get<std::string>();
  return "";
}

std::string ServiceBaseName(const json& cfg) {
  auto env = EnvMap(cfg);
  std::string name = env.count("SERVICE_NAME") ? env["SERVICE_NAME"] : "";
  if (name.empty()) name = Label(cfg, "berth.service.name");
  if (name.empty()) name = ImageBaseName(cfg.value("Image", ""));
  return name;
}

std::vector<Service> ServicesForContainer(const json& in, const std::string& host_address) {
  const json cfg = in.value("Config", json::object());
  const json host = in.value("HostConfig", json::object());
  std::map<std::string, std::string> env = EnvMap(cfg);
  std::map<std::string, std::string> labels;
  if (cfg.contains("Labels") && cfg["Labels"].is_object())
    for (auto it = cfg["Labels"].begin(); it != cfg["Labels"].end(); ++it)
      if (it.value().is_string()) labels[it.key()] = it.value().get<std::string>();
  auto get = [&](const std::string& k) {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  };
  if (Truthy(get("SERVICE_IGNORE")) || Truthy(labels["berth.service.ignore"])) return {};

  std::set<std::string> ports;
  if (cfg.contains("ExposedPorts") && cfg["ExposedPorts"].is_object())
    for (auto it = cfg["ExposedPorts"].begin(); it != cfg["ExposedPorts"].end(); ++it)
      ports.insert(it.key());
  json bindings = host.value("PortBindings", json::object());
  if (bindings.is_object())
    for (auto it = bindings.begin(); it != bindings.end(); ++it) ports.insert(it.key());

  std::string cname = in.value("Name", "");
  if (!cname.empty() && cname[0] == '/') cname = cname.substr(1);
  std::string id = in.value("Id", "");
  std::string ip;
  const json ns = in.value("NetworkSettings", json::object());
  ip = ns.value("IPAddress", "");
  if (ip.empty() && ns.contains("Networks") && ns["Networks"].is_object())
    for (auto it = ns["Networks"].begin(); it != ns["Networks"].end() && ip.empty(); ++it)
      ip = it.value().value("IPAddress", "");
  std::string health;
  const json state = in.value("State", json::object());
  if (state.contains("Health") && state["Health"].is_object())
    health = state["Health"].value("Status", "");

  std::string base_name = get("SERVICE_NAME");
  if (base_name.empty()) base_name = labels["berth.service.name"];
  if (base_name.empty()) base_name = ImageBaseName(cfg.value("Image", in.value("Image", "")));
  std::string base_tags = get("SERVICE_TAGS");
  if (base_tags.empty()) base_tags = labels["berth.service.tags"];

  std::vector<Service> out;
  for (const std::string& port_proto : ports) {
    auto [port, proto] = str::Cut(port_proto, '/');
    if (Truthy(get("SERVICE_" + port + "_IGNORE"))) continue;
    Service s;
    s.name = get("SERVICE_" + port + "_NAME");
    if (s.name.empty()) s.name = ports.size() > 1 ? base_name + "-" + port : base_name;
    std::string tags = get("SERVICE_" + port + "_TAGS");
    s.tags = Tags(tags.empty() ? base_tags : tags);
    for (const auto& [k, v] : env) {
      if (!str::StartsWith(k, "SERVICE_")) continue;
      std::string key = k.substr(8);
      if (str::StartsWith(key, port + "_")) key = key.substr(port.size() + 1);
      else if (!key.empty() && std::isdigit(static_cast<unsigned char>(key[0]))) continue;
      if (key == "NAME" || key == "TAGS" || key == "IGNORE" || key == "ID" || key.empty()) continue;
      s.meta[str::ToLower(key)] = v;
    }
    s.meta["berth_container"] = id;
    s.id = "berth:" + cname + ":" + port + (proto == "udp" ? ":udp" : "");
    s.address = ip;
    s.port = str::ParseInt(port).value_or(0);
    if (bindings.contains(port_proto) && bindings[port_proto].is_array() &&
        !bindings[port_proto].empty()) {
      const json& b = bindings[port_proto][0];
      std::string hip = b.value("HostIp", "");
      if (hip.empty() || hip == "0.0.0.0" || hip == "::") hip = host_address;
      std::string hport = b.value("HostPort", "");
      // Actual host ports (chosen ones included) are in NetworkSettings.Ports.
      if (ns.contains("Ports") && ns["Ports"].is_object() && ns["Ports"].contains(port_proto) &&
          ns["Ports"][port_proto].is_array() && !ns["Ports"][port_proto].empty())
        hport = ns["Ports"][port_proto][0].value("HostPort", hport);
      if (!hport.empty()) {
        s.meta["berth_host_address"] = hip;
        s.meta["berth_host_port"] = hport;
        if (s.address.empty()) {
          s.address = hip;
          s.port = str::ParseInt(hport).value_or(s.port);
        }
      }
    }
    if (s.address.empty()) s.address = host_address;
    if (!health.empty()) {
      Check c;
      c.id = "berth:health:" + s.id;
      c.name = "container health";
      c.status = CheckStatusForHealth(health);
      c.output = "HEALTHCHECK: " + health;
      s.checks.push_back(c);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace berth::discovery
