// /images/...: the image routes over an ImageBackend. Each successful change
// is published to the event bus in Docker's shape (Actor.ID is the image
// ID, Attributes carry the image's labels and "name").
#include <fmt/format.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "base/reference.h"
#include "base/strings.h"
#include "daemon/filters.h"
#include "daemon/routes/json_message.h"
#include "daemon/routes/pipes.h"
#include "daemon/routes/routes.h"

namespace berth::daemon {
namespace {

using nlohmann::json;

void Publish(EventBus& bus, const std::string& action, const ImageRef& img,
             const std::string& name) {
  Event e;
  e.type = "image";
  e.action = action;
  e.actor_id = img.id;
  e.attributes = img.labels;
  e.attributes["name"] = name;
  bus.Publish(std::move(e));
}

image::Filters ToStoreFilters(const Filters& f, std::initializer_list<std::string_view> skip) {
  image::Filters out;
  for (const std::string& key : f.Keys()) {
    if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
    out[key] = f.Get(key);
  }
  return out;
}

json ProgressMessage(const image::Progress& p) {
  json detail = json::object();
  if (p.total > 0) detail = {{"current", p.current}, {"total", p.total}};
  return {{"status", p.status}, {"progressDetail", detail}, {"id", p.id}};
}

class ImageRoutes {
 public:
  ImageRoutes(ImageBackend* images, EventBus* events, http::Handler pull)
      : images_(*images), events_(*events), pull_(std::move(pull)) {}

  Status List(http::Request& req, http::ResponseWriter& w) {
    Filters f = BERTH_TRY(Filters::Parse(req.query.Get("filters")));
    // API < 1.41 clients may still send the old "filter" (a reference).
    if (std::string legacy = req.query.Get("filter"); !legacy.empty()) f.Add("reference", legacy);
    image::ListOptions opts;
    opts.all = req.query.Bool("all");
    opts.filters = ToStoreFilters(f, {});
    std::vector<image::ImageSummary> list = BERTH_TRY(images_.Images(opts));
    json out = json::array();
    for (const image::ImageSummary& s : list) out.push_back(image::ToJson(s));
    return w.SendJson(200, Dump(out));
  }

  Status Inspect(http::Request& req, http::ResponseWriter& w) {
    json j = BERTH_TRY(images_.InspectImage(req.Param("name")));
    return w.SendJson(200, Dump(j));
  }

  Status History(http::Request& req, http::ResponseWriter& w) {
    std::vector<image::HistoryItem> items = BERTH_TRY(images_.ImageHistory(req.Param("name")));
    json out = json::array();
    for (const image::HistoryItem& h : items) out.push_back(image::ToJson(h));
    return w.SendJson(200, Dump(out));
  }

  Status Tag(http::Request& req, http::ResponseWriter& w) {
    std::string repo = req.query.Get("repo"), tag = req.query.Get("tag");
    if (repo.empty()) return Error::Invalid("invalid reference format: repository name is empty");
    std::string target = tag.empty() ? repo : repo + ":" + tag;
    ref::Reference parsed = BERTH_TRY(ref::ParseNormalized(target));
    if (!parsed.digest.empty())
      return Error::Invalid("refusing to create a tag with a digest reference");
    BERTH_TRY(images_.TagImage(req.Param("name"), target));
    if (auto img = images_.ResolveImage(target); img.ok())
      Publish(events_, "tag", *img, parsed.WithDefaultTag().Familiar());
    return w.Send(201, "", "text/plain");
  }

  Status Delete(http::Request& req, http::ResponseWriter& w) {
    std::string name(req.Param("name"));
    Result<ImageRef> img = images_.ResolveImage(name);
    std::vector<image::DeleteItem> items =
        BERTH_TRY(images_.DeleteImage(name, req.query.Bool("force"), !req.query.Bool("noprune")));
    json out = json::array();
    for (const image::DeleteItem& d : items) {
      out.push_back(image::ToJson(d));
      if (!img.ok()) continue;
      if (!d.untagged.empty()) Publish(events_, "untag", *img, img->id);
      if (d.deleted == img->id) Publish(events_, "delete", *img, img->id);
    }
    return w.SendJson(200, Dump(out));
  }

  Status Prune(http::Request& req, http::ResponseWriter& w) {
    Filters f = BERTH_TRY(Filters::Parse(req.query.Get("filters")));
    // `docker image prune -a` sends dangling=false: every unused image.
    bool dangling_only = BERTH_TRY(f.GetBool("dangling", true));
    image::PruneReport report =
        BERTH_TRY(images_.PruneImages(!dangling_only, ToStoreFilters(f, {"dangling"})));
    Event e;
    e.type = "image";
    e.action = "prune";
    e.attributes["reclaimed"] = std::to_string(report.space_reclaimed);
    events_.Publish(std::move(e));
    return w.SendJson(200, Dump(image::ToJson(report)));
  }

  // GET /images/get?names=… and GET /images/{name}/get.
  Status Save(const std::vector<std::string>& names, http::ResponseWriter& w) {
    if (names.empty()) return Error::Invalid("no images named: use names=IMAGE");
    std::vector<ImageRef> refs;
    for (const std::string& n : names) refs.push_back(BERTH_TRY(images_.ResolveImage(n)));
    auto sink = [&w](std::string_view data) -> Status {
      if (!w.started()) BERTH_TRY(w.Start(200, "application/x-tar"));
      return w.Write(data);
    };
    BERTH_TRY(DrainToSink([&](int fd) { return images_.SaveImages(names, fd); }, sink));
    if (!w.started()) BERTH_TRY(w.Start(200, "application/x-tar"));
    std::set<std::string> seen;  // one event per image, however many names it had
    for (const ImageRef& r : refs)
      if (seen.insert(r.id).second) Publish(events_, "save", r, r.id);
    return Ok();
  }

  // POST /images/load: the body is a docker-archive or OCI layout tar.
  Status Load(http::Request& req, http::ResponseWriter& w) {
    bool quiet = req.query.Bool("quiet");
    std::mutex mu;
    std::vector<json> progress;  // guarded by mu: sent once the load is done
    image::ProgressFn on_progress;
    if (!quiet) {
      on_progress = [&](const image::Progress& p) {
        std::lock_guard lock(mu);
        progress.push_back(ProgressMessage(p));
      };
    }
    std::vector<std::string> lines;
    BERTH_TRY(FeedFromBody(*req.body, [&](int fd) -> Status {
      lines = BERTH_TRY(images_.LoadImages(fd, on_progress));
      return Ok();
    }));
    JsonMessageWriter out(w);
    for (const json& m : progress) BERTH_TRY(out.Send(m));
    std::set<std::string> seen;
    for (const std::string& line : lines) {
      BERTH_TRY(out.Send({{"stream", line + "\n"}}));
      PublishLoad(line, &seen);
    }
    return out.Finish(Ok());
  }

  // POST /images/create: import (fromSrc) or pull (fromImage).
  Status Create(http::Request& req, http::ResponseWriter& w) {
    if (req.query.Has("fromImage") && !req.query.Get("fromImage").empty()) {
      if (pull_) return pull_(req, w);
      return Error(Code::kNotImplemented, "pulling images is not available in this daemon");
    }
    std::string src = req.query.Get("fromSrc");
    if (src.empty()) return Error::Invalid("fromImage or fromSrc is required");
    if (src != "-")
      return Error(Code::kNotImplemented,
                   fmt::format("cannot import from {}: berthd works offline and does not "
                               "download; fetch the file and import it from a file or stdin",
                               src));
    std::string repo = req.query.Get("repo"), tag = req.query.Get("tag");
    std::string target = repo.empty() || tag.empty() ? repo : repo + ":" + tag;
    if (!target.empty()) BERTH_TRY(ref::ParseNormalized(target));
    std::vector<std::string> changes = req.query.GetAll("changes");
    std::string message = req.query.Get("message");
    std::string id;
    BERTH_TRY(FeedFromBody(*req.body, [&](int fd) -> Status {
      id = BERTH_TRY(images_.ImportImage(fd, target, changes, message));
      return Ok();
    }));
    Publish(events_, "import", ImageRefOf(id), id);
    JsonMessageWriter out(w);
    return out.Send({{"status", id}});
  }

 private:
  ImageRef ImageRefOf(const std::string& name) {
    if (auto r = images_.ResolveImage(name); r.ok()) return *r;
    return ImageRef{name, {}};
  }

  // One "load" event per image ID named by a "Loaded image…" line.
  void PublishLoad(const std::string& line, std::set<std::string>* seen) {
    for (std::string_view prefix : {"Loaded image ID: ", "Loaded image: "}) {
      if (!str::StartsWith(line, prefix)) continue;
      ImageRef img = ImageRefOf(line.substr(prefix.size()));
      if (seen->insert(img.id).second) Publish(events_, "load", img, img.id);
      return;
    }
  }

  ImageBackend& images_;
  EventBus& events_;
  http::Handler pull_;
};

}  // namespace

void AddImageRoutes(http::Router& r, ImageBackend* images, EventBus* events, http::Handler pull) {
  auto routes = std::make_shared<ImageRoutes>(images, events, std::move(pull));
  auto bind = [routes](Status (ImageRoutes::*fn)(http::Request&, http::ResponseWriter&)) {
    return [routes, fn](http::Request& req, http::ResponseWriter& w) {
      return ((*routes).*fn)(req, w);
    };
  };
  r.Get("/images/json", bind(&ImageRoutes::List));
  r.Get("/images/get", [routes](http::Request& req, http::ResponseWriter& w) {
    return routes->Save(req.query.GetAll("names"), w);
  });
  r.Post("/images/load", bind(&ImageRoutes::Load));
  r.Post("/images/create", bind(&ImageRoutes::Create));
  r.Post("/images/prune", bind(&ImageRoutes::Prune));
  r.Get("/images/{name:.*}/json", bind(&ImageRoutes::Inspect));
  r.Get("/images/{name:.*}/history", bind(&ImageRoutes::History));
  r.Get("/images/{name:.*}/get", [routes](http::Request& req, http::ResponseWriter& w) {
    return routes->Save({std::string(req.Param("name"))}, w);
  });
  r.Post("/images/{name:.*}/tag", bind(&ImageRoutes::Tag));
  r.Delete("/images/{name:.*}", bind(&ImageRoutes::Delete));
}

}  // namespace berth::daemon
