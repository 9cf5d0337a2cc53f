// /volumes: list, create, inspect, remove, prune over the engine's volumes.
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "daemon/filters.h"
#include "daemon/routes/json_message.h"
#include "daemon/routes/routes.h"

namespace berth::daemon {
namespace {

using nlohmann::json;

Result<std::map<std::string, std::vector<std::string>>> FilterMap(const http::Request& req) {
  Filters f = BERTH_TRY(Filters::Parse(req.query.Get("filters")));
  std::map<std::string, std::vector<std::string>> out;
  for (const std::string& k : f.Keys()) out[k] = f.Get(k);
  return out;
}

}  // namespace

void AddVolumeRoutes(http::Router& r, engine::Engine* engine) {
  engine::Engine& e = *engine;
  r.Get("/volumes", [&e](http::Request& req, http::ResponseWriter& w) -> Status {
    auto f = BERTH_TRY(FilterMap(req));
    json out = BERTH_TRY(e.VolumeList(f));
    return w.SendJson(200, Dump(out));
  });
  r.Post("/volumes/create", [&e](http::Request& req, http::ResponseWriter& w) -> Status {
    std::string text = BERTH_TRY(req.ReadBody());
    json body = str::Trim(text).empty() ? json::object() : json::parse(text, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return Error::Invalid("invalid JSON in request body");
    json v = BERTH_TRY(e.VolumeCreate(body));
    return w.SendJson(201, Dump(v));
  });
  r.Post("/volumes/prune", [&e](http::Request& req, http::ResponseWriter& w) -> Status {
    auto f = BERTH_TRY(FilterMap(req));
    json out = BERTH_TRY(e.VolumePrune(f));
    return w.SendJson(200, Dump(out));
  });
  r.Get("/volumes/{name}", [&e](http::Request& req, http::ResponseWriter& w) -> Status {
    json v = BERTH_TRY(e.VolumeInspect(std::string(req.Param("name"))));
    return w.SendJson(200, Dump(v));
  });
  r.Delete("/volumes/{name}", [&e](http::Request& req, http::ResponseWriter& w) -> Status {
    BERTH_TRY(e.VolumeRemove(std::string(req.Param("name")), req.query.Bool("force")));
    return w.Send(204, "", "");
  });
}

}  // namespace berth::daemon
