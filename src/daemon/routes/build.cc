// POST /build: a classic (non-BuildKit) build as Engine API v1.41 serves
// it. The body is the context tar; the answer streams Docker's JSON
// messages: {"stream": text}, {"aux": {"ID": id}}, and on failure
// {"errorDetail": {...}, "error": text}. Errors found before any output
// (bad parameters, an unreadable context or Dockerfile, a parse error) are
// plain HTTP errors, as moby answers them.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "base/reference.h"
#include "base/strings.h"
#include "build/builder.h"
#include "build/context.h"
#include "build/digest_cache.h"
#include "build/dockerfile/parser.h"
#include "build/temp.h"
#include "daemon/routes/json_message.h"
#include "daemon/routes/pipes.h"
#include "daemon/routes/routes.h"

namespace berth::daemon {
namespace {

using nlohmann::json;

// A JSON-object query parameter (buildargs, labels): {} when absent.
Result<json> JsonParam(const http::Request& req, const char* key) {
  std::string v = req.query.Get(key);
  if (v.empty()) return json::object();
  json j = json::parse(v, nullptr, false);
  if (j.is_discarded() || j.is_null()) return Error::Invalid(fmt::format("invalid {} parameter: {}", key, v));
  return j;
}

Result<build::BuildOptions> Options(const http::Request& req) {
  build::BuildOptions o;
  if (!req.query.Get("remote").empty())
    return Error(Code::kNotImplemented,
                 "remote build contexts are not supported: berthd builds offline; send the "
                 "context in the request body");
  if (req.query.Get("version") == "2")
    return Error(Code::kNotImplemented, "BuildKit is not supported by berthd: use the classic builder (DOCKER_BUILDKIT=0)");
  for (const std::string& t : req.query.GetAll("t")) {
    if (t.empty()) continue;
    ref::Reference r = BERTH_TRY(ref::ParseNormalized(t));
    if (!r.digest.empty()) return Error::Invalid("refusing to create a tag with a digest reference");
    o.tags.push_back(r.WithDefaultTag().Familiar());
  }
  json args = BERTH_TRY(JsonParam(req, "buildargs"));
  if (!args.is_object()) return Error::Invalid("invalid buildargs parameter: expected an object");
  for (auto& [k, v] : args.items())
    o.build_args[k] = v.is_string() ? std::optional<std::string>(v.get<std::string>()) : std::nullopt;
  json labels = BERTH_TRY(JsonParam(req, "labels"));
  if (!labels.is_object()) return Error::Invalid("invalid labels parameter: expected an object");
  for (auto& [k, v] : labels.items()) o.labels[k] = v.is_string() ? v.get<std::string>() : v.dump();
  std::string cache_from = req.query.Get("cachefrom");
  if (!cache_from.empty()) {
    json cf = json::parse(cache_from, nullptr, false);
    if (!cf.is_array()) return Error::Invalid("invalid cachefrom parameter: expected an array");
    for (const json& c : cf)
      if (c.is_string()) o.cache_from.push_back(c.get<std::string>());
  }
  o.target = req.query.Get("target");
  o.no_cache = req.query.Bool("nocache");
  o.remove = req.query.BoolOr("rm", true);
  o.force_remove = req.query.Bool("forcerm");
  o.network_mode = req.query.Get("networkmode");
  if (o.network_mode == "default") o.network_mode.clear();
  return o;
}

class BuildRoutes {
 public:
  BuildRoutes(build::Backend* backend, EventBus* events) : backend_(*backend), events_(*events) {}

  Status Build(http::Request& req, http::ResponseWriter& w) {
    build::BuildOptions o = BERTH_TRY(Options(req));
    const bool quiet = req.query.Bool("q");
    auto ctx = BERTH_TRY(build::TempDir::Create(backend_.ScratchDir(), "context-"));
    // Files by reference (berth's CLI on this host): only on the unix socket.
    build::UnpackOptions unpack{.allow_sources = req.remote.empty(), .cache = &digests_};
    BERTH_TRY(FeedFromBody(*req.body, [&](int fd) {
      return build::UnpackContext(fd, ctx->path(), &o.context_digests, unpack);
    }));
    o.context_dir = ctx->path();
    std::string name = req.query.Get("dockerfile");
    if (name.empty()) name = "Dockerfile";
    std::string clean = fs::Clean(name);
    while (!clean.empty() && clean[0] == '/') clean.erase(0, 1);
    if (clean == ".." || str::StartsWith(clean, "../"))
      return Error::Invalid("Cannot locate specified Dockerfile: " + name);
    auto text = fs::ReadFile(ctx->path() + "/" + clean);
    if (!text.ok()) {
      // Docker also accepts the lower-case name for the default.
      if (name == "Dockerfile") text = fs::ReadFile(ctx->path() + "/dockerfile");
      if (!text.ok()) return Error::Invalid("Cannot locate specified Dockerfile: " + name);
    }
    o.dockerfile = std::move(*text);
    o.dockerfile_name = name;
    // Parse errors are answered as HTTP errors, before any output.
    if (auto parsed = build::dockerfile::Parse(o.dockerfile, name); !parsed.ok())
      return std::move(parsed).error();

    JsonMessageWriter msgs(w);
    build::BuildOutput out;
    out.stream = [&](std::string_view text) {
      if (!quiet) (void)msgs.Send({{"stream", std::string(text)}});
    };
    out.aux = [&](const std::string& id) { (void)msgs.Send({{"aux", {{"ID", id}}}}); };
    int failed_code = 0;
    out.run_failed = [&](int code) { failed_code = code; };
    auto id = build::Build(backend_, o, out);
    // A failed RUN's exit status goes with the error, in the stream even
    // when -q kept everything else out.
    if (!id.ok()) return msgs.Finish(std::move(id).error(), failed_code);
    if (quiet) (void)msgs.Send({{"stream", *id + "\n"}});
    for (const std::string& t : o.tags) {
      Event e;
      e.type = "image";
      e.action = "tag";
      e.actor_id = *id;
      e.attributes["name"] = t;
      events_.Publish(std::move(e));
    }
    return msgs.Finish(Ok());
  }

  // POST /build/prune: berth keeps no build cache apart from images.
  Status Prune(http::Request&, http::ResponseWriter& w) {
    return w.SendJson(200, Dump({{"CachesDeleted", nullptr}, {"SpaceReclaimed", 0}}) + "\n");
  }

 private:
  build::Backend& backend_;
  EventBus& events_;
  build::DigestCache digests_;  // of local context files, across builds
};

}  // namespace

void AddBuildRoutes(http::Router& r, build::Backend* backend, EventBus* events) {
  auto routes = std::make_shared<BuildRoutes>(backend, events);
  r.Post("/build", [routes](http::Request& req, http::ResponseWriter& w) { return routes->Build(req, w); });
  r.Post("/build/prune", [routes](http::Request& req, http::ResponseWriter& w) { return routes->Prune(req, w); });
}

}  // namespace berth::daemon
