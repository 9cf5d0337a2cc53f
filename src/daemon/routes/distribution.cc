// Registry routes over distribution::Service: POST /images/create?fromImage
// (pull), POST /images/{name}/push, GET /images/search, POST /auth.
// Progress is streamed as Docker's JSON messages; an error after the first
// message is sent as {"errorDetail":{"message"},"error"} (the status line is
// already out), before it as an ordinary error response.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/reference.h"
#include "base/strings.h"
#include "daemon/filters.h"
#include "daemon/routes/json_message.h"
#include "daemon/routes/routes.h"
#include "distribution/service.h"

namespace berth::daemon {
namespace {

using nlohmann::json;

Result<distribution::AuthConfig> AuthOf(const http::Request& req) {
  return distribution::DecodeRegistryAuth(req.headers.Get("X-Registry-Auth").value_or(""));
}

class DistributionRoutes {
 public:
  DistributionRoutes(distribution::Service* svc, EventBus* events) : svc_(*svc), events_(*events) {}

  Status Pull(http::Request& req, http::ResponseWriter& w) {
    distribution::PullRequest p;
    p.image = req.query.Get("fromImage");
    p.tag = req.query.Get("tag");
    p.auth = BERTH_TRY(AuthOf(req));
    std::string platform = req.query.Get("platform");
    if (!platform.empty() && platform != "linux" && platform != "linux/amd64")
      return Error(Code::kNotImplemented, "pull of platform " + platform + " is not supported (only linux/amd64)");
    auto named = BERTH_TRY(ref::ParseNormalized(p.image));
    // The Engine API: an empty (or absent) tag with a name-only fromImage
    // pulls every tag. docker's CLI sends that only for `pull -a`; `pull
    // NAME`, `run NAME` and `create NAME` send tag=latest.
    p.all_tags = p.tag.empty() && named.NameOnly();
    JsonMessageWriter out(w);
    Status s = svc_.Pull(p, [&](const json& j) { (void)out.Send(j); });
    if (s.ok()) {
      ref::Reference r = named;
      if (!p.tag.empty() && !str::StartsWith(p.tag, "sha256:")) r.tag = p.tag;
      Publish("pull", r.WithDefaultTag().Familiar());
    }
    return out.Finish(std::move(s));
  }

  Status Push(http::Request& req, http::ResponseWriter& w) {
    distribution::PushRequest p;
    p.image = std::string(req.Param("name"));
    p.tag = req.query.Get("tag");
    p.auth = BERTH_TRY(AuthOf(req));
    JsonMessageWriter out(w);
    Status s = svc_.Push(p, [&](const json& j) { (void)out.Send(j); });
    if (s.ok()) Publish("push", p.tag.empty() ? p.image : p.image + ":" + p.tag);
    return out.Finish(std::move(s));
  }

  Status Search(http::Request& req, http::ResponseWriter& w) {
    std::string term = req.query.Get("term");
    if (term.empty()) return Error::Invalid("term is required");
    int limit = 25;
    if (std::string l = req.query.Get("limit"); !l.empty()) {
      try {
        limit = std::stoi(l);
      } catch (...) {
        return Error::Invalid("invalid limit " + l);
      }
    }
    Filters f = BERTH_TRY(Filters::Parse(req.query.Get("filters")));
    int min_stars = 0;
    for (const std::string& v : f.Get("stars")) {
      try {
        min_stars = std::max(min_stars, std::stoi(v));
      } catch (...) {
        return Error::Invalid("invalid filter 'stars=" + v + "'");
      }
    }
    auto official = BERTH_TRY(f.GetBool("is-official", false));
    bool want_official = f.Has("is-official");
    auto automated = BERTH_TRY(f.GetBool("is-automated", false));
    bool want_automated = f.Has("is-automated");
    for (const std::string& k : f.Keys())
      if (k != "stars" && k != "is-official" && k != "is-automated")
        return Error::Invalid("invalid filter '" + k + "'");
    distribution::AuthConfig auth = BERTH_TRY(AuthOf(req));
    json results = BERTH_TRY(svc_.Search(term, limit, auth));
    json out = json::array();
    for (const json& e : results) {
      if (e.value("star_count", 0) < min_stars) continue;
      if (want_official && e.value("is_official", false) != official) continue;
      if (want_automated && e.value("is_automated", false) != automated) continue;
      out.push_back(e);
    }
    return w.SendJson(200, Dump(out));
  }

  Status Auth(http::Request& req, http::ResponseWriter& w) {
    std::string body = BERTH_TRY(req.ReadBody());
    distribution::AuthConfig a = BERTH_TRY(distribution::ParseAuthConfig(body));
    std::string status = BERTH_TRY(svc_.Login(a));
    return w.SendJson(200, Dump({{"Status", status}, {"IdentityToken", ""}}));
  }

 private:
  void Publish(const std::string& action, const std::string& name) {
    Event e;
    e.type = "image";
    e.action = action;
    e.actor_id = name;
    e.attributes["name"] = name;
    events_.Publish(std::move(e));
  }

  distribution::Service& svc_;
  EventBus& events_;
};

}  // namespace

http::Handler AddDistributionRoutes(http::Router& r, distribution::Service* svc, EventBus* events) {
  auto routes = std::make_shared<DistributionRoutes>(svc, events);
  r.Post("/images/{name:.*}/push", [routes](http::Request& req, http::ResponseWriter& w) {
    return routes->Push(req, w);
  });
  r.Get("/images/search", [routes](http::Request& req, http::ResponseWriter& w) {
    return routes->Search(req, w);
  });
  r.Post("/auth", [routes](http::Request& req, http::ResponseWriter& w) { return routes->Auth(req, w); });
  return [routes](http::Request& req, http::ResponseWriter& w) { return routes->Pull(req, w); };
}

}  // namespace berth::daemon
