// /networks: the predefined networks (bridge, host, none) and user-defined
// bridge networks: list (filters name, id, label, driver, type, scope),
// inspect, create, remove, prune (filters label, label!), connect and
// disconnect.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/json_fields.h"
#include "base/strings.h"
#include "daemon/filters.h"
#include "daemon/routes/routes.h"

namespace berth::daemon {
namespace {

using nlohmann::json;

bool Builtin(const json& n) {
  std::string name = jsonf::Str(n, "Name");
  return name == "bridge" || name == "host" || name == "none";
}

std::map<std::string, std::string> Labels(const json& n) {
  std::map<std::string, std::string> m;
  const json& l = n.value("Labels", json());
  if (l.is_object())
    for (const auto& [k, v] : l.items())
      if (v.is_string()) m[k] = v.get<std::string>();
  return m;
}

Result<json> Body(http::Request& req) {
  std::string text = BERTH_TRY(req.ReadBody());
  json body = str::Trim(text).empty() ? json::object() : json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return Error::Invalid("invalid JSON in request body");
  return body;
}

}  // namespace

void AddNetworkRoutes(http::Router& router, engine::Engine* e) {
  router.Get("/networks", [e](http::Request& req, http::ResponseWriter& w) -> Status {
    Filters f = BERTH_TRY(Filters::Parse(req.query.Get("filters")));
    BERTH_TRY(f.Validate({"name", "id", "label", "driver", "type", "scope", "dangling"}));
    for (const std::string& v : f.Get("type"))
      if (v != "builtin" && v != "custom")
        return Error::Invalid(fmt::format("invalid filter: 'type'='{}'", v));
    json all = BERTH_TRY(e->Networks());
    json out = json::array();
    for (json& n : all) {
      auto any = [&](const char* key, auto pred) {
        auto vs = f.Get(key);
        if (vs.empty()) return true;
        for (const std::string& v : vs)
          if (pred(v)) return true;
        return false;
      };
      std::string name = jsonf::Str(n, "Name"), id = jsonf::Str(n, "Id");
      bool ok = any("name", [&](const std::string& v) { return name.find(v) != std::string::npos; }) &&
                any("id", [&](const std::string& v) { return id.rfind(v, 0) == 0; }) &&
                any("driver", [&](const std::string& v) { return n["Driver"] == v; }) &&
                any("scope", [&](const std::string& v) { return v == "local"; }) &&
                any("type", [&](const std::string& v) { return (v == "builtin") == Builtin(n); }) &&
                any("dangling", [&](const std::string& v) {
                  bool dangling = !Builtin(n) && n["Containers"].empty();
                  return (v == "true" || v == "1") == dangling;
                }) &&
                f.MatchLabels("label", Labels(n));
      if (ok) out.push_back(std::move(n));
    }
    return w.SendJson(200, out.dump());
  });
  router.Get("/networks/{id}", [e](http::Request& req, http::ResponseWriter& w) -> Status {
    json n = BERTH_TRY(e->NetworkInspect(std::string(req.Param("id"))));
    return w.SendJson(200, n.dump());
  });
  router.Post("/networks/create", [e](http::Request& req, http::ResponseWriter& w) -> Status {
    json body = BERTH_TRY(Body(req));
    json r = BERTH_TRY(e->NetworkCreate(body));
    return w.SendJson(201, r.dump());
  });
  router.Post("/networks/prune", [e](http::Request& req, http::ResponseWriter& w) -> Status {
    Filters f = BERTH_TRY(Filters::Parse(req.query.Get("filters")));
    BERTH_TRY(f.Validate({"label", "label!", "until"}));
    auto names = BERTH_TRY(e->NetworkPrune([&](const json& n) {
      auto labels = Labels(n);
      if (!f.MatchLabels("label", labels)) return false;
      for (const std::string& v : f.Get("label!")) {
        auto [k, val] = str::Cut(v, '=');
        auto it = labels.find(std::string(k));
        if (it != labels.end() && (v.find('=') == std::string::npos || it->second == val))
          return false;
      }
      return true;
    }));
    json del = names.empty() ? json(nullptr) : json(names);
    return w.SendJson(200, json{{"NetworksDeleted", del}}.dump());
  });
  router.Delete("/networks/{id}", [e](http::Request& req, http::ResponseWriter& w) -> Status {
    BERTH_TRY(e->NetworkRemove(std::string(req.Param("id"))));
    return w.Send(204, "", "");
  });
  router.Post("/networks/{id}/connect", [e](http::Request& req, http::ResponseWriter& w) -> Status {
    json body = BERTH_TRY(Body(req));
    BERTH_TRY(e->NetworkConnect(std::string(req.Param("id")), body));
    return w.Send(200, "", "");
  });
  router.Post("/networks/{id}/disconnect",
              [e](http::Request& req, http::ResponseWriter& w) -> Status {
                json body = BERTH_TRY(Body(req));
                BERTH_TRY(e->NetworkDisconnect(std::string(req.Param("id")),
                                               jsonf::Str(body, "Container"),
                                               jsonf::Bool(body, "Force")));
                return w.Send(200, "", "");
              });
}

}  // namespace berth::daemon
