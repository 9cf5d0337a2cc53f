#include "distribution/service.h"

#include "base/fs.h"
#include "base/reference.h"
#include "base/strings.h"
#include "distribution/registry.h"

namespace berth::distribution {

using nlohmann::json;

Service::Service(ServiceOptions opts)
    : opts_(std::move(opts)), meta_(opts_.store->root() + "/distribution.json") {
  GlobalInit();
}

std::string DomainOfServer(std::string_view s) {
  s = str::Trim(s);
  for (std::string_view p : {"http://", "https://"})
    if (str::StartsWith(s, p)) s.remove_prefix(p.size());
  if (auto slash = s.find('/'); slash != std::string_view::npos) s = s.substr(0, slash);
  if (s.empty() || s == "index.docker.io" || s == "registry-1.docker.io" || s == "docker.io")
    return "docker.io";
  return std::string(s);
}

std::pair<std::string, std::string> SplitSearchTerm(std::string_view term) {
  auto slash = term.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = term.substr(0, slash);
    if (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
        first == "localhost")
      return {DomainOfServer(first), std::string(term.substr(slash + 1))};
  }
  return {"docker.io", std::string(term)};
}

Result<json> Service::Search(const std::string& term, int limit, const AuthConfig& auth) {
  if (limit < 0 || limit > 100) return Error::Invalid("Limit " + std::to_string(limit) + " is outside the range of [1, 100]");
  auto [domain, q] = SplitSearchTerm(term);
  Endpoint ep = ResolveEndpoint(domain, opts_.insecure_registries);
  Registry reg(ep, auth, {});
  BERTH_TRY(reg.Ping());
  json j = BERTH_TRY(reg.Search(q, limit));
  json results = j.contains("results") && j["results"].is_array() ? j["results"] : json::array();
  json out = json::array();
  for (const json& e : results) {
    if (!e.is_object()) continue;
    out.push_back({{"name", e.value("name", "")},
                   {"description", e.value("description", "")},
                   {"star_count", e.value("star_count", 0)},
                   {"is_official", e.value("is_official", false)},
                   {"is_automated", e.value("is_automated", false)}});
  }
  return out;
}

Result<std::string> Service::Login(const AuthConfig& auth) {
  std::string domain = DomainOfServer(auth.server_address);
  Endpoint ep = ResolveEndpoint(domain, opts_.insecure_registries);
  Registry reg(ep, auth, {});
  BERTH_TRY(reg.Ping(true));
  return std::string("Login Succeeded");
}

std::string PendingUploads::Take(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = uploads_.find(key);
  if (it == uploads_.end()) return "";
  std::string loc = std::move(it->second);
  uploads_.erase(it);
  return loc;
}

void PendingUploads::Put(const std::string& key, const std::string& location) {
  std::lock_guard lock(mu_);
  uploads_[key] = location;
}

}  // namespace berth::distribution
