// /_ping, /version, /info, /events and /system/df.
#include <fmt/format.h>
#include <time.h>

#include <nlohmann/json.hpp>

#include "base/log.h"
#include "daemon/filters.h"
#include "daemon/routes/routes.h"

namespace berth::daemon {
namespace {

using nlohmann::json;

std::string Rfc3339Nano(int64_t nano) {
  time_t secs = static_cast<time_t>(nano / 1000000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%09lldZ", static_cast<long long>(nano % 1000000000));
  return buf;
}

Status Ping(http::Request& req, http::ResponseWriter& w) {
  http::Headers& h = w.headers();
  h.Set("API-Version", kApiVersion);
  h.Set("Builder-Version", "1");
  h.Set("Docker-Experimental", "false");
  h.Set("OSType", "linux");
  // berth's CLI may send build-context files by reference (build/context.h).
  h.Set("Berth-Build-Sources", "1");
  h.Set("Cache-Control", "no-cache, no-store, must-revalidate");
  h.Set("Pragma", "no-cache");
  return w.Send(200, req.method == "HEAD" ? "" : "OK", "text/plain; charset=utf-8");
}

json VersionJson(const SystemDeps& d) {
  const HostInfo& host = *d.host;
  const DaemonFacts& f = *d.facts;
  json details = {{"ApiVersion", kApiVersion},
                  {"Arch", host.go_arch},
                  {"BuildTime", f.build_time},
                  {"Experimental", "false"},
                  {"GitCommit", f.git_commit},
                  {"GoVersion", "n/a"},
                  {"KernelVersion", host.kernel_version},
                  {"MinAPIVersion", kMinApiVersion},
                  {"Os", "linux"}};
  return {
      {"Platform", {{"Name", "berth " + f.version}}},
      {"Components",
       json::array({{{"Name", "Engine"}, {"Version", f.version}, {"Details", details}}})},
      {"Version", f.version},
      {"ApiVersion", kApiVersion},
      {"MinAPIVersion", kMinApiVersion},
      {"GitCommit", f.git_commit},
      {"GoVersion", "n/a"},
      {"Os", "linux"},
      {"Arch", host.go_arch},
      {"KernelVersion", host.kernel_version},
      {"BuildTime", f.build_time},
  };
}

json RegistryConfig() {
  return {
      {"AllowNondistributableArtifactsCIDRs", json::array()},
      {"AllowNondistributableArtifactsHostnames", json::array()},
      {"InsecureRegistryCIDRs", json::array({"127.0.0.0/8"})},
      {"IndexConfigs",
       {{"docker.io",
         {{"Name", "docker.io"},
          {"Mirrors", json::array()},
          {"Secure", true},
          {"Official", true}}}}},
      {"Mirrors", json::array()},
  };
}

Result<json> InfoJson(const SystemDeps& d) {
  const HostInfo& host = *d.host;
  const DaemonFacts& f = *d.facts;
  image::ListOptions all;
  all.all = true;
  std::vector<image::ImageSummary> images = BERTH_TRY(d.images->Images(all));
  json commit = {{"ID", "n/a"}, {"Expected", "n/a"}};
  json warnings = f.warnings.empty() ? json(nullptr) : json(f.warnings);
  ContainerCounts n = d.containers ? d.containers() : ContainerCounts{};
  return json{
      {"ID", f.id},
      {"Containers", n.total},
      {"ContainersRunning", n.running},
      {"ContainersPaused", n.paused},
      {"ContainersStopped", n.stopped},
      {"Images", images.size()},
      {"Driver", "overlay2"},
      {"DriverStatus", json::array({json::array({"Backing Filesystem", f.backing_fs}),
                                    json::array({"Supports d_type", "true"}),
                                    json::array({"Native Overlay Diff", "true"})})},
      {"Plugins",
       {{"Volume", json::array({"local"})},
        {"Network", json::array({"bridge", "host", "none"})},
        {"Authorization", nullptr},
        {"Log", json::array({"json-file"})}}},
      {"MemoryLimit", true},
      {"SwapLimit", false},
      {"KernelMemory", false},
      {"KernelMemoryTCP", false},
      {"CpuCfsPeriod", true},
      {"CpuCfsQuota", true},
      {"CPUShares", true},
      {"CPUSet", true},
      {"PidsLimit", true},
      {"IPv4Forwarding", true},
      {"BridgeNfIptables", false},
      {"BridgeNfIp6tables", false},
      {"Debug", f.debug},
      {"NFd", OpenFds()},
      {"OomKillDisable", false},
      {"NGoroutines", ThreadCount()},
      {"SystemTime", Rfc3339Nano(NowNano())},
      {"LoggingDriver", "json-file"},
      {"CgroupDriver", "cgroupfs"},
      {"CgroupVersion", host.cgroup_version},
      {"NEventsListener", d.events->Listeners()},
      {"KernelVersion", host.kernel_version},
      {"OperatingSystem", host.operating_system},
      {"OSVersion", host.os_version},
      {"OSType", "linux"},
      {"Architecture", host.architecture},
      {"IndexServerAddress", "https://index.docker.io/v1/"},
      {"RegistryConfig", RegistryConfig()},
      {"NCPU", host.ncpu},
      {"MemTotal", host.mem_total},
      {"GenericResources", nullptr},
      {"DockerRootDir", f.data_root},
      {"HttpProxy", ""},
      {"HttpsProxy", ""},
      {"NoProxy", ""},
      {"Name", f.name},
      {"Labels", json::array()},
      {"ExperimentalBuild", false},
      {"ServerVersion", f.version},
      {"Runtimes", {{"berth", {{"path", "berth-runtime"}}}}},
      {"DefaultRuntime", "berth"},
      {"Swarm",
       {{"NodeID", ""},
        {"NodeAddr", ""},
        {"LocalNodeState", "inactive"},
        {"ControlAvailable", false},
        {"Error", ""},
        {"RemoteManagers", nullptr}}},
      {"LiveRestoreEnabled", false},
      {"Isolation", ""},
      {"InitBinary", ""},
      {"ContainerdCommit", commit},
      {"RuncCommit", commit},
      {"InitCommit", commit},
      {"SecurityOptions", json::array({"name=seccomp,profile=default"})},
      {"Warnings", warnings},
  };
}

Result<json> DiskUsageJson(ImageBackend& images) {
  image::DiskUsage du = BERTH_TRY(images.ImagesDiskUsage());
  json list = json::array();
  for (const image::ImageSummary& s : du.images) list.push_back(image::ToJson(s));
  return json{{"LayersSize", du.layers_size},
              {"Images", list},
              {"Containers", json::array()},
              {"Volumes", json::array()},
              {"BuildCache", json::array()}};
}

// GET /events: past events since `since`, then new ones until `until` (or
// until the client goes away, or berthd stops).
Status Events(EventBus& bus, http::Request& req, http::ResponseWriter& w) {
  int64_t now = NowNano();
  Filters filters = BERTH_TRY(Filters::Parse(req.query.Get("filters")));
  BERTH_TRY(filters.Validate(EventFilterKeys()));
  bool has_since = !req.query.Get("since").empty();
  bool has_until = !req.query.Get("until").empty();
  int64_t since = has_since ? BERTH_TRY(ParseTimestamp(req.query.Get("since"), now)) : now;
  int64_t until = has_until ? BERTH_TRY(ParseTimestamp(req.query.Get("until"), now)) : 0;
  if (has_since && has_until && since > until)
    return Error::Invalid(fmt::format("since time ({}) cannot be after until time ({})",
                                      req.query.Get("since"), req.query.Get("until")));
  std::vector<Event> past;
  auto cursor = bus.Subscribe(has_since ? since : INT64_MAX, &past);
  BERTH_TRY(w.Start(200, "application/json"));
  BERTH_TRY(w.Flush());
  auto send = [&](const Event& e) -> Status {
    if (has_until && e.time_nano > until) return Ok();
    if (!MatchEvent(filters, e)) return Ok();
    BERTH_TRY(w.Write(EventToJson(e)));
    return w.Flush();
  };
  for (const Event& e : past) BERTH_TRY(send(e));
  for (;;) {
    if (has_until && NowNano() > until) return Ok();
    std::chrono::milliseconds wait(1000);
    if (has_until) {
      int64_t left_ms = (until - NowNano()) / 1000000 + 1;
      if (left_ms < 1000) wait = std::chrono::milliseconds(left_ms);
    }
    bool closed = false;
    for (const Event& e : cursor->Wait(wait, &closed)) BERTH_TRY(send(e));
    if (closed || w.ClientGone()) return Ok();
  }
}

}  // namespace

void AddSystemRoutes(http::Router& r, SystemDeps d) {
  r.Get("/_ping", Ping);
  r.Head("/_ping", Ping);
  r.Get("/version", [d](http::Request&, http::ResponseWriter& w) {
    return w.SendJson(200, VersionJson(d).dump());
  });
  r.Get("/info", [d](http::Request&, http::ResponseWriter& w) -> Status {
    json info = BERTH_TRY(InfoJson(d));
    return w.SendJson(200, info.dump(-1, ' ', false, json::error_handler_t::replace));
  });
  r.Get("/events",
        [d](http::Request& req, http::ResponseWriter& w) { return Events(*d.events, req, w); });
  r.Get("/system/df", [d](http::Request&, http::ResponseWriter& w) -> Status {
    json du = BERTH_TRY(DiskUsageJson(*d.images));
    if (d.volumes) du["Volumes"] = d.volumes();
    return w.SendJson(200, du.dump(-1, ' ', false, json::error_handler_t::replace));
  });
}

http::Handler WithCommonHeaders(const http::Router& router, std::string server_version) {
  return [&router, server = "berth/" + server_version + " (linux)"](http::Request& req,
                                                                    http::ResponseWriter& w) {
    http::Headers& h = w.headers();
    h.Set("Api-Version", kApiVersion);
    h.Set("Docker-Experimental", "false");
    h.Set("Ostype", "linux");
    h.Set("Server", server);
    log::Debug("{} {}", req.method, req.target);
    return router.Serve(req, w);
  };
}

}  // namespace berth::daemon
