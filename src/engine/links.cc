// Legacy links (--link name[:alias]) as Docker's default bridge has them:
// resolved to the linked container's ID at create; at start a line in
// /etc/hosts ("IP alias hostname [name]") and the ALIAS_* variables;
// /etc/hosts rewritten in place when the linked container starts again with
// another address; inspect's HostConfig.Links ("/db:/web/alias"). The
// embedded DNS answers the alias and the name to the linking container too.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include <fmt/format.h>

#include "base/fs.h"
#include "base/json_fields.h"
#include "base/log.h"
#include "base/strings.h"
#include "engine/engine_impl.h"
#include "engine/spec/spec_builder.h"
#include "network/addr.h"
#include "network/manager.h"

namespace berth::engine {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string LastPart(std::string s) {
  if (auto slash = s.rfind('/'); slash != std::string::npos) s = s.substr(slash + 1);
  return s;
}

// The container's address on the default bridge ("" when it has none).
std::string IpOf(Engine::Impl& m, const std::string& id) {
  if (!m.opts.network) return "";
  auto e = m.opts.network->Get(id);
  return e ? network::ToString(e->ip) : "";
}

struct Port {
  int number;
  std::string proto;
};

// ExposedPorts sorted by number, tcp first on a tie (Docker's order).
std::vector<Port> SortedPorts(const json& exposed) {
  std::vector<Port> out;
  if (exposed.is_object())
    for (const auto& [k, _] : exposed.items()) {
      auto [num, proto] = str::Cut(k, '/');
      auto n = str::ParseInt(num);
      if (n) out.push_back({static_cast<int>(*n), proto.empty() ? "tcp" : str::ToLower(proto)});
    }
  std::sort(out.begin(), out.end(), [](const Port& a, const Port& b) {
    if (a.number != b.number) return a.number < b.number;
    return a.proto == "tcp" && b.proto != "tcp";
  });
  return out;
}

}  // namespace

std::vector<std::string> LinkEnv(const std::string& link_name, const std::string& ip,
                                 const json& exposed_ports, const std::vector<std::string>& env) {
  std::string alias = Upper(LastPart(link_name));
  std::replace(alias.begin(), alias.end(), '-', '_');
  std::vector<std::string> out;
  std::vector<Port> ports = SortedPorts(exposed_ports);
  if (!ports.empty())
    out.push_back(fmt::format("{}_PORT={}://{}:{}", alias, ports[0].proto, ip, ports[0].number));
  // Every port gets its four variables (Docker 20.10 sets no range ones).
  for (const Port& p : ports) {
    std::string pre = fmt::format("{}_PORT_{}_{}", alias, p.number, Upper(p.proto));
    out.push_back(fmt::format("{}={}://{}:{}", pre, p.proto, ip, p.number));
    out.push_back(fmt::format("{}_ADDR={}", pre, ip));
    out.push_back(fmt::format("{}_PORT={}", pre, p.number));
    out.push_back(fmt::format("{}_PROTO={}", pre, p.proto));
  }
  out.push_back(fmt::format("{}_NAME={}", alias, link_name));
  for (const std::string& e : env) {
    bool found = false;
    auto [k, v] = str::Cut(e, '=', &found);
    if (!found || k == "HOME" || k == "PATH") continue;
    out.push_back(fmt::format("{}_ENV_{}={}", alias, k, v));
  }
  return out;
}

Result<std::vector<Link>> Engine::Impl::ResolveLinks(const json& host_config) {
  std::vector<std::string> given = jsonf::Strings(host_config.value("Links", json()));
  if (given.empty()) return std::vector<Link>{};
  std::string mode = host_config.value("NetworkMode", "default");
  if (mode == "host")
    return Error::Invalid(
        "conflicting options: host type networking can't be used with links. This would result "
        "in undefined behavior");
  if (str::StartsWith(mode, "container:"))
    return Error::Invalid(
        "conflicting options: container type network can't be used with links. This would "
        "result in undefined behavior");
  std::vector<Link> out;
  for (const std::string& l : given) {
    bool has_alias = false;
    auto [name, alias] = str::Cut(l, ':', &has_alias);
    if (!name.empty() && name[0] == '/') name = name.substr(1);
    alias = has_alias ? LastPart(alias) : name;
    if (name.empty() || alias.empty())
      return Error::Invalid(fmt::format("invalid link format: {}", l));
    auto child = Find(name);
    // Not kNotFound: the CLI would take a 404 for a missing image and pull.
    if (!child.ok())
      return Error::Invalid(
          fmt::format("could not get container for {}: {}", name, child.error().message()));
    out.push_back({(*child)->id, alias});
  }
  return out;
}

// The running linked containers of c: (link, child name, hostname, env, ports, ip).
struct LinkedChild {
  Link link;
  std::string name;  // "/db"
  std::string hostname;
  std::vector<std::string> env;
  json exposed;
  std::string ip;
  bool running = false;
};

static std::vector<LinkedChild> Children(Engine::Impl& m, const std::vector<Link>& links) {
  std::vector<LinkedChild> out;
  for (const Link& l : links) {
    LinkedChild lc;
    lc.link = l;
    ContainerPtr child;
    {
      std::lock_guard lock(m.mu);
      auto it = m.containers.find(l.child_id);
      if (it != m.containers.end()) child = it->second;
    }
    if (child) {
      std::lock_guard lock(child->mu);
      lc.name = child->name;
      lc.hostname = child->config.value("Hostname", child->id.substr(0, 12));
      lc.env = jsonf::Strings(child->config.value("Env", json()));
      lc.exposed = child->config.value("ExposedPorts", json());
      lc.running = child->state.status == ContainerStatus::kRunning ||
                   child->state.status == ContainerStatus::kPaused;
    }
    if (child && lc.running) lc.ip = IpOf(m, l.child_id);
    out.push_back(std::move(lc));
  }
  return out;
}

Result<std::vector<std::string>> Engine::Impl::CheckLinks(const Container& c,
                                                          const std::vector<Link>& links) {
  std::vector<std::string> env;
  for (const LinkedChild& lc : Children(*this, links)) {
    std::string alias_path = c.name + "/" + lc.link.alias;
    if (lc.name.empty())
      return Error(Code::kConflict,
                   fmt::format("Cannot link to {}, as it does not exist", lc.link.child_id));
    if (!lc.running)
      return Error(Code::kConflict, fmt::format("Cannot link to a non running container: {} AS {}",
                                                lc.name, alias_path));
    for (std::string& e : LinkEnv(alias_path, lc.ip, lc.exposed, lc.env)) env.push_back(std::move(e));
  }
  return env;
}

std::string Engine::Impl::HostsText(const Container& c, const std::vector<Link>& links,
                                    const std::string& ip) {
  std::string hostname = c.config.value("Hostname", c.id.substr(0, 12));
  std::vector<std::string> extra = jsonf::Strings(c.host_config.value("ExtraHosts", json()));
  for (const LinkedChild& lc : Children(*this, links)) {
    if (lc.ip.empty()) continue;
    std::string names = lc.link.alias + " " + lc.hostname;
    if (lc.name.size() > 1 && lc.link.alias != lc.name.substr(1)) names += " " + lc.name.substr(1);
    extra.push_back(names + ":" + lc.ip);
  }
  return HostsFile(hostname, ip, extra);
}

void Engine::Impl::UpdateLinkedHosts(const std::string& child_id) {
  for (const ContainerPtr& p : All()) {
    std::vector<Link> links;
    Container copy;
    {
      std::lock_guard lock(p->mu);
      if (!p->Running() || p->id == child_id) continue;
      bool linked = false;
      for (const Link& l : p->links) linked = linked || l.child_id == child_id;
      if (!linked) continue;
      links = p->links;
      copy.id = p->id;
      copy.name = p->name;
      copy.config = p->config;
      copy.host_config = p->host_config;
    }
    std::string text = HostsText(copy, links, IpOf(*this, p->id));
    // In place: the file is bind-mounted into the container, a rename
    // would leave the container with the old one.
    std::string path = fs::Join(ContainerDir(p->id), "hosts");
    unique_fd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      log::Warn("container {}: update {} for a linked container: {}", p->id.substr(0, 12), path,
                std::strerror(errno));
  }
}

json Engine::Impl::LinksJson(const Container& c) {
  if (c.links.empty()) return nullptr;
  json out = json::array();
  for (const LinkedChild& lc : Children(*this, c.links)) {
    if (lc.name.empty()) continue;
    out.push_back(lc.name + ":" + c.name + "/" + lc.link.alias);
  }
  return out;
}

// The links of a container (none when it is unknown). Takes mu, then (not
// nested) the container's mu.
static std::vector<Link> LinksOf(Engine::Impl& m, const std::string& id) {
  ContainerPtr c;
  {
    std::lock_guard lock(m.mu);
    auto it = m.containers.find(id);
    if (it == m.containers.end()) return {};
    c = it->second;
  }
  std::lock_guard lock(c->mu);
  return c->links;
}

std::vector<std::string> Engine::Impl::LookupName(const std::string& requester,
                                                  const std::string& name) {
  std::vector<Link> links = LinksOf(*this, requester);
  for (const LinkedChild& lc : Children(*this, links)) {
    if (lc.ip.empty()) continue;
    if (str::ToLower(lc.link.alias) == name ||
        (lc.name.size() > 1 && str::ToLower(lc.name.substr(1)) == name))
      return {lc.ip};
  }
  std::vector<std::string> out;
  for (const network::Ipv4& ip : owner->ResolvePeer(requester, name))
    out.push_back(network::ToString(ip));
  return out;
}

std::optional<std::string> Engine::Impl::LookupAddr(const std::string& requester,
                                                    const std::string& ip) {
  std::vector<Link> links = LinksOf(*this, requester);
  for (const LinkedChild& lc : Children(*this, links))
    if (!lc.ip.empty() && lc.ip == ip) return lc.name.substr(1);
  return std::nullopt;
}

Status Engine::RemoveLink(const std::string& link_name) {
  Impl& m = *impl_;
  std::string n = link_name;
  if (!n.empty() && n[0] == '/') n = n.substr(1);
  size_t slash = n.rfind('/');
  if (slash == std::string::npos)
    return Error(Code::kConflict, "Conflict, cannot remove the default link name of the container");
  std::string parent = n.substr(0, slash), alias = n.substr(slash + 1);
  auto c = m.Find(parent);
  if (!c.ok()) return Error::NotFound("No such container: " + n);
  std::lock_guard lock((*c)->mu);
  auto& links = (*c)->links;
  auto it = std::find_if(links.begin(), links.end(), [&](const Link& l) { return l.alias == alias; });
  if (it == links.end()) return Error::NotFound("No such container: " + n);
  links.erase(it);
  return m.Save(**c);
}

}  // namespace berth::engine
