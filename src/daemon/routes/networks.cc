// /networks: the predefined networks (bridge, host, none). User-defined
// networks are not implemented: create answers 501 with a clear message.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "daemon/filters.h"
#include "daemon/routes/routes.h"

namespace berth::daemon {
namespace {

using nlohmann::json;

}  // namespace

void AddNetworkRoutes(http::Router& router, engine::Engine* e) {
  router.Get("/networks", [e](http::Request& req, http::ResponseWriter& w) -> Status {
    Filters f = BERTH_TRY(Filters::Parse(req.query.Get("filters")));
    json all = BERTH_TRY(e->Networks());
    json out = json::array();
    for (json& n : all) {
      bool ok = true;
      for (const std::string& v : f.Get("name"))
        if (n["Name"].get<std::string>().find(v) == std::string::npos) ok = false;
      for (const std::string& v : f.Get("id"))
        if (n["Id"].get<std::string>().rfind(v, 0) != 0) ok = false;
      for (const std::string& v : f.Get("driver"))
        if (n["Driver"] != v) ok = false;
      for (const std::string& v : f.Get("type"))
        if (v != "builtin") ok = false;
      if (!f.Get("label").empty()) ok = false;
      if (ok) out.push_back(std::move(n));
    }
    return w.SendJson(200, out.dump());
  });
  router.Get("/networks/{id}", [e](http::Request& req, http::ResponseWriter& w) -> Status {
    json n = BERTH_TRY(e->NetworkInspect(std::string(req.Param("id"))));
    return w.SendJson(200, n.dump());
  });
  router.Post("/networks/create", [](http::Request&, http::ResponseWriter&) -> Status {
    return Error(Code::kNotImplemented, "berth: user-defined networks are not supported yet");
  });
  router.Post("/networks/prune", [](http::Request&, http::ResponseWriter& w) -> Status {
    return w.SendJson(200, json{{"NetworksDeleted", nullptr}}.dump());
  });
  router.Delete("/networks/{id}", [e](http::Request& req, http::ResponseWriter&) -> Status {
    json n = BERTH_TRY(e->NetworkInspect(std::string(req.Param("id"))));
    return Error(Code::kPermissionDenied,
                 n.value("Name", "") + " is a pre-defined network and cannot be removed");
  });
  for (const char* verb : {"connect", "disconnect"})
    router.Post(std::string("/networks/{id}/") + verb,
                [e, verb](http::Request& req, http::ResponseWriter&) -> Status {
                  json n = BERTH_TRY(e->NetworkInspect(std::string(req.Param("id"))));
                  return Error(Code::kPermissionDenied,
                               fmt::format("container cannot be {} network {}: not supported for "
                                           "predefined networks yet",
                                           std::string(verb) == "connect" ? "connected to"
                                                                          : "disconnected from",
                                           n.value("Name", "")));
                });
}

}  // namespace berth::daemon
