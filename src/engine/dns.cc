// The embedded DNS for containers: a listener at 127.0.0.11:53 inside each
// bridge container's namespace (opened at network setup and again after a
// berthd restart, closed at teardown), served by the daemon's one
// dns::Server; the engine's resolver (names and aliases a container may
// see: its links, and its user-defined networks' peers); and the
// resolv.conf that points at it.
#include <chrono>

#include <fmt/format.h>

#include "base/json_fields.h"
#include "base/log.h"
#include "base/strings.h"
#include "dns/lookup_resolver.h"
#include "dns/server.h"
#include "engine/engine_impl.h"
#include "network/manager.h"

namespace berth::engine {
namespace {

constexpr const char* kEmbeddedDns = "127.0.0.11";

}  // namespace

void Engine::Impl::RegisterDnsResolver() {
  if (!opts.dns) return;
  opts.dns->AddResolver(std::make_shared<dns::LookupResolver>(
      [this](const dns::Client& who, const std::string& name) {
        return who.container_id.empty() ? std::vector<std::string>{}
                                        : LookupName(who.container_id, name);
      },
      [this](const dns::Client& who, const std::string& ip) -> std::optional<std::string> {
        if (who.container_id.empty()) return std::nullopt;
        return LookupAddr(who.container_id, ip);
      }));
}

Status Engine::Impl::OpenDns(const Container& c, const std::string& netns) {
  if (!opts.dns || netns.empty()) return Ok();
  CloseDns(c.id);
  dns::ListenerConfig cfg;
  cfg.client.container_id = c.id;
  for (const std::string& s : jsonf::Strings(c.host_config.value("Dns", json()))) {
    auto u = dns::Upstream::Parse(s);
    if (u.ok()) cfg.upstreams.push_back(std::move(*u));
  }
  if (cfg.upstreams.empty()) cfg.upstreams = opts.dns_upstreams;
  auto t0 = std::chrono::steady_clock::now();
  dns::Sockets socks =
      BERTH_TRY_CTX(dns::OpenInNetns(netns, kEmbeddedDns, 53), "embedded DNS listener");
  dns::Server::ListenerId id = BERTH_TRY(opts.dns->AddListener(std::move(socks), std::move(cfg)));
  log::Debug("dns listener {} {} us", c.id.substr(0, 12),
             std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::steady_clock::now() - t0)
                 .count());
  std::lock_guard lock(dns_mu);
  dns_listeners[c.id] = id;
  return Ok();
}

void Engine::Impl::CloseDns(const std::string& id) {
  if (!opts.dns) return;
  std::optional<dns::Server::ListenerId> lid;
  {
    std::lock_guard lock(dns_mu);
    if (auto it = dns_listeners.find(id); it != dns_listeners.end()) {
      lid = it->second;
      dns_listeners.erase(it);
    }
  }
  if (lid) opts.dns->RemoveListener(*lid);
}

bool Engine::Impl::EmbeddedDns(const Container& c) {
  if (!opts.dns || !opts.network) return false;
  // Every bridge network, the default one included (docs/architecture.md).
  std::string mode = c.host_config.value("NetworkMode", "default");
  return !(mode == "host" || mode == "none" || str::StartsWith(mode, "container:"));
}

void Engine::Impl::RestoreDns() {
  if (!opts.dns || !opts.network) return;
  for (const ContainerPtr& c : All()) {
    std::unique_lock lock(c->mu);
    if (!c->Running() || !EmbeddedDns(*c)) continue;
    auto e = opts.network->Get(c->id);
    if (!e) continue;
    if (Status st = OpenDns(*c, e->netns); !st.ok())
      log::Warn("container {}: {}", c->id.substr(0, 12), st.error().message());
  }
}

std::string EmbeddedResolvConf(const std::string& host_resolv_conf,
                               const std::vector<std::string>& dns_search,
                               const std::vector<std::string>& dns_options) {
  // Docker's file on a user-defined network: the search domains and options
  // given (else the host's), the embedded server, ndots:0 unless set.
  auto last_words = [&](std::string_view keyword) {
    std::vector<std::string> out;
    for (const std::string& line : str::Split(host_resolv_conf, '\n')) {
      std::string t(str::Trim(line));
      for (char& ch : t)
        if (ch == '\t') ch = ' ';
      if (!str::StartsWith(t, std::string(keyword) + " ")) continue;
      out.clear();
      for (const std::string& w : str::Split(t.substr(keyword.size()), ' '))
        if (!w.empty()) out.push_back(w);
    }
    return out;
  };
  std::vector<std::string> search = dns_search.empty() ? last_words("search") : dns_search;
  std::vector<std::string> options = dns_options.empty() ? last_words("options") : dns_options;
  bool ndots = false;
  for (const std::string& o : options) ndots = ndots || str::StartsWith(o, "ndots:");
  if (!ndots) options.push_back("ndots:0");
  std::string out;
  if (!search.empty() && !(search.size() == 1 && search[0] == "."))
    out += "search " + str::Join(search, " ") + "\n";
  out += fmt::format("nameserver {}\n", kEmbeddedDns);
  out += "options " + str::Join(options, " ") + "\n";
  return out;
}

}  // namespace berth::engine
