// GET /containers/{id}/json, GET /containers/json, POST /containers/prune.
#include <fmt/format.h>
#include <time.h>

#include <algorithm>

#include <regex>
#include <set>

#include "base/fs.h"
#include "base/strings.h"
#include "engine/engine_impl.h"

namespace berth::engine {
namespace {

int64_t ParseTime(const std::string& t) {
  struct tm tm {};
  if (t.empty() || !strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

// Docker's units.HumanDuration.
std::string HumanDuration(int64_t secs) {
  if (secs < 1) return "Less than a second";
  if (secs == 1) return "1 second";
  if (secs < 60) return fmt::format("{} seconds", secs);
  int64_t mins = secs / 60;
  if (mins == 1) return "About a minute";
  if (mins < 60) return fmt::format("{} minutes", mins);
  int64_t hours = secs / 3600;
  if (hours == 1) return "About an hour";
  if (hours < 48) return fmt::format("{} hours", hours);
  if (hours < 24 * 7 * 2) return fmt::format("{} days", hours / 24);
  if (hours < 24 * 30 * 2) return fmt::format("{} weeks", hours / 24 / 7);
  if (hours < 24 * 365 * 2) return fmt::format("{} months", hours / 24 / 30);
  return fmt::format("{} years", hours / 24 / 365);
}

std::string StatusText(const Container& c) {
  const RunState& s = c.state;
  int64_t now = time(nullptr);
  switch (s.status) {
    case ContainerStatus::kRunning:
    case ContainerStatus::kPaused: {
      std::string t = "Up " + HumanDuration(now - ParseTime(s.started_at));
      if (s.status == ContainerStatus::kPaused) t += " (Paused)";
      if (!s.health_status.empty())
        t += s.health_status == "starting" ? " (health: starting)" : " (" + s.health_status + ")";
      return t;
    }
    case ContainerStatus::kRestarting:
      return fmt::format("Restarting ({}) {} ago", s.exit_code,
                         HumanDuration(now - ParseTime(s.finished_at)));
    case ContainerStatus::kRemoving:
      return "Removal In Progress";
    case ContainerStatus::kDead:
      return "Dead";
    case ContainerStatus::kCreated:
      return "Created";
    case ContainerStatus::kExited:
      if (ParseTime(s.finished_at) <= 0) return "Created";
      return fmt::format("Exited ({}) {} ago", s.exit_code,
                         HumanDuration(now - ParseTime(s.finished_at)));
  }
  return "";
}

// A unix time, an RFC 3339 time or a duration before now ("24h", "10m").
int64_t ParseUntil(const std::string& v) {
  if (auto n = str::ParseInt(v)) return *n;
  if (int64_t t = ParseTime(v)) return t;
  if (v.size() > 1) {
    auto n = str::ParseInt(v.substr(0, v.size() - 1));
    int64_t unit = v.back() == 'h' ? 3600 : v.back() == 'm' ? 60 : v.back() == 's' ? 1 : 0;
    if (n && unit) return time(nullptr) - *n * unit;
  }
  return 0;
}

json StateJson(const Container& c) {
  const RunState& s = c.state;
  json j = {
      {"Status", StatusName(s.status)},
      {"Running", s.status == ContainerStatus::kRunning || s.status == ContainerStatus::kPaused},
      {"Paused", s.status == ContainerStatus::kPaused},
      {"Restarting", s.status == ContainerStatus::kRestarting},
      {"OOMKilled", s.oom_killed},
      {"Dead", s.status == ContainerStatus::kDead},
      {"Pid", s.pid},
      {"ExitCode", s.exit_code},
      {"Error", s.error},
      {"StartedAt", s.started_at},
      {"FinishedAt", s.finished_at},
  };
  if (!s.health_status.empty())
    j["Health"] = {{"Status", s.health_status},
                   {"FailingStreak", s.health_failing_streak},
                   {"Log", s.health_log}};
  return j;
}

std::vector<std::string> FilterValues(const std::map<std::string, std::vector<std::string>>& f,
                                      const std::string& key) {
  auto it = f.find(key);
  return it == f.end() ? std::vector<std::string>{} : it->second;
}

// HostConfig as Docker shows it: Links as "/child:/parent/alias".
json HostConfigView(Engine::Impl& m, const Container& c) {
  json h = c.host_config;
  if (!c.links.empty() || h.contains("Links")) h["Links"] = m.LinksJson(c);
  return h;
}

json MountsJson(const Container& c) {
  json out = json::array();
  for (const volume::MountPoint& m : c.mounts) out.push_back(volume::ToInspect(m));
  return out;
}

}  // namespace

Result<json> Engine::Inspect(const std::string& name, bool size) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  std::string dir = m.ContainerDir(c->id);
  std::string lower;
  if (auto l = m.opts.images->LayerDirs(c->image_id); l.ok()) lower = *l;
  std::lock_guard lock(c->mu);
  json execs = nullptr;
  {
    std::lock_guard l(m.mu);
    for (auto& [eid, e] : m.execs)
      if (e->container_id == c->id && e->running) {
        if (execs.is_null()) execs = json::array();
        execs.push_back(eid);
      }
  }
  json j = {
      {"Id", c->id},
      {"Created", c->created},
      {"Path", c->path},
      {"Args", c->args},
      {"State", StateJson(*c)},
      {"Image", c->image_id},
      {"ResolvConfPath", fs::Join(dir, "resolv.conf")},
      {"HostnamePath", fs::Join(dir, "hostname")},
      {"HostsPath", fs::Join(dir, "hosts")},
      {"LogPath", c->host_config.value("LogConfig", json::object()).value("Type", "json-file") ==
                          "none"
                      ? ""
                      : m.LogPath(c->id)},
      {"Name", c->name},
      {"RestartCount", c->restart_count},
      {"Driver", "overlay2"},
      {"Platform", "linux"},
      {"MountLabel", ""},
      {"ProcessLabel", ""},
      {"AppArmorProfile", ""},
      {"ExecIDs", execs},
      {"HostConfig", HostConfigView(m, *c)},
      {"GraphDriver",
       {{"Data",
         {{"LowerDir", lower},
          {"MergedDir", m.MergedDir(c->id)},
          {"UpperDir", fs::Join(dir, "fs/upper")},
          {"WorkDir", fs::Join(dir, "fs/work")}}},
        {"Name", "overlay2"}}},
      {"Mounts", MountsJson(*c)},
      {"Config", c->config},
      {"NetworkSettings", m.NetworkSettingsJson(*c)},
  };
  if (size) {
    int64_t rw = fs::DirSize(fs::Join(dir, "fs/upper"));
    j["SizeRw"] = rw;
    auto img = m.opts.images->Resolve(c->image_id);
    j["SizeRootFs"] = rw + (img.ok() ? img->size : 0);
  }
  return j;
}

Result<json> Engine::List(const ListOptions& o) {
  Impl& m = *impl_;
  static const std::set<std::string> kKeys = {"ancestor", "before", "expose", "exited", "health",
                                              "id", "isolation", "is-task", "label", "name",
                                              "network", "publish", "since", "status", "volume"};
  for (auto& [k, v] : o.filters)
    if (!kKeys.count(k)) return Error::Invalid("invalid filter '" + k + "'");
  for (const auto& s : FilterValues(o.filters, "status")) {
    static const std::set<std::string> kStatus = {"created", "restarting", "running", "removing",
                                                  "paused", "exited", "dead"};
    if (!kStatus.count(s))
      return Error::Invalid("invalid filter 'status=" + s + "'");
  }
  std::vector<ContainerPtr> all = m.All();
  std::sort(all.begin(), all.end(), [](const ContainerPtr& a, const ContainerPtr& b) {
    return a->created > b->created;
  });
  // before/since: by creation order relative to a named container.
  std::string before_created, since_created;
  for (const auto& v : FilterValues(o.filters, "before")) {
    ContainerPtr ref = BERTH_TRY(m.Find(v));
    before_created = ref->created;
  }
  for (const auto& v : FilterValues(o.filters, "since")) {
    ContainerPtr ref = BERTH_TRY(m.Find(v));
    since_created = ref->created;
  }
  std::set<std::string> ancestors;
  for (const auto& v : FilterValues(o.filters, "ancestor")) {
    auto img = m.opts.images->Resolve(v);
    if (img.ok()) ancestors.insert(img->id.str());
  }
  bool any_ancestor = o.filters.count("ancestor") > 0;
  json out = json::array();
  for (auto& c : all) {
    std::lock_guard lock(c->mu);
    if (c->removed) continue;
    std::string st = StatusName(c->state.status);
    bool running = c->Running();
    bool filtered_status = o.filters.count("status") > 0;
    // As docker's daemon: a status filter or a limit (-n, -l) lists every
    // state; before/since alone do not.
    if (!o.all && !running && !filtered_status && o.limit <= 0) continue;
    if (filtered_status) {
      auto vs = FilterValues(o.filters, "status");
      if (std::find(vs.begin(), vs.end(), st) == vs.end()) continue;
    }
    if (!before_created.empty() && c->created >= before_created) continue;
    if (!since_created.empty() && c->created <= since_created) continue;
    bool ok = true;
    for (const auto& v : FilterValues(o.filters, "name")) {
      std::regex re(v);
      if (!std::regex_search(c->name.substr(1), re) && !std::regex_search(c->name, re)) ok = false;
    }
    for (const auto& v : FilterValues(o.filters, "id"))
      if (c->id.compare(0, v.size(), v) != 0) ok = false;
    const json& labels = c->config.value("Labels", json::object());
    for (const auto& v : FilterValues(o.filters, "label")) {
      bool has_eq = false;
      auto [k, val] = str::Cut(v, '=', &has_eq);
      if (!labels.is_object() || !labels.contains(k) ||
          (has_eq && labels[k].get<std::string>() != val))
        ok = false;
    }
    if (!FilterValues(o.filters, "exited").empty()) {
      if (c->state.status != ContainerStatus::kExited) ok = false;
      bool match = false;
      for (const auto& v : FilterValues(o.filters, "exited"))
        if (str::ParseInt(v) == c->state.exit_code) match = true;
      if (!match) ok = false;
    }
    if (any_ancestor && !ancestors.count(c->image_id)) {
      // also match by the name the container was created from
      bool named = false;
      for (const auto& v : FilterValues(o.filters, "ancestor"))
        if (c->config.value("Image", "") == v) named = true;
      if (!named) ok = false;
    }
    auto vol_filters = FilterValues(o.filters, "volume");  // a volume's name or a mount destination
    if (!vol_filters.empty() &&
        std::none_of(c->mounts.begin(), c->mounts.end(), [&](const volume::MountPoint& mp) {
          return std::any_of(vol_filters.begin(), vol_filters.end(), [&](const std::string& v) {
            return (mp.type == "volume" && mp.name == v) || mp.destination == v;
          });
        }))
      ok = false;
    for (const auto& v : FilterValues(o.filters, "health")) {
      std::string h = c->state.health_status.empty() ? "none" : c->state.health_status;
      if (h != v) ok = false;
    }
    if (!ok) continue;
    std::string cmd = c->path;
    for (const auto& a : c->args) cmd += " " + a;
    json row = {
        {"Id", c->id},
        {"Names", json::array({c->name})},
        {"Image", c->config.value("Image", c->image_id)},
        {"ImageID", c->image_id},
        {"Command", cmd},
        {"Created", ParseTime(c->created)},
        {"Ports", m.PortsList(*c)},
        {"Labels", labels.is_object() ? labels : json::object()},
        {"State", st},
        {"Status", StatusText(*c)},
        {"HostConfig", {{"NetworkMode", c->host_config.value("NetworkMode", "default")}}},
        {"NetworkSettings", {{"Networks", m.NetworkSettingsJson(*c)["Networks"]}}},
        {"Mounts", MountsJson(*c)},
    };
    if (o.size) {
      int64_t rw = fs::DirSize(fs::Join(m.ContainerDir(c->id), "fs/upper"));
      row["SizeRw"] = rw;
      auto img = m.opts.images->Resolve(c->image_id);
      row["SizeRootFs"] = rw + (img.ok() ? img->size : 0);
    }
    out.push_back(std::move(row));
    if (o.limit > 0 && static_cast<int>(out.size()) >= o.limit) break;
  }
  return out;
}

Result<json> Engine::Prune(const std::map<std::string, std::vector<std::string>>& filters) {
  for (auto& [k, v] : filters)
    if (k != "until" && k != "label" && k != "label!")
      return Error::Invalid("invalid filter '" + k + "'");
  json deleted = json::array();
  int64_t reclaimed = 0;
  int64_t until = 0;
  for (const auto& v : FilterValues(filters, "until")) {
    until = ParseUntil(v);
    if (until == 0) return Error::Invalid("invalid filter 'until=" + v + "'");
  }
  for (auto& c : impl_->All()) {
    {
      std::lock_guard lock(c->mu);
      if (c->Running() || c->removed) continue;
      if (until && ParseTime(c->created) >= until) continue;
      const json& labels = c->config.value("Labels", json::object());
      bool ok = true;
      for (const auto& v : FilterValues(filters, "label")) {
        bool has_eq = false;
        auto [k, val] = str::Cut(v, '=', &has_eq);
        if (!labels.is_object() || !labels.contains(k) || (has_eq && labels[k] != val)) ok = false;
      }
      for (const auto& v : FilterValues(filters, "label!")) {
        bool has_eq = false;
        auto [k, val] = str::Cut(v, '=', &has_eq);
        if (labels.is_object() && labels.contains(k) && (!has_eq || labels[k] == val)) ok = false;
      }
      if (!ok) continue;
    }
    reclaimed += fs::DirSize(fs::Join(impl_->ContainerDir(c->id), "fs/upper"));
    if (Remove(c->id, false, false).ok()) deleted.push_back(c->id);
  }
  if (deleted.empty()) deleted = nullptr;
  return json{{"ContainersDeleted", deleted}, {"SpaceReclaimed", reclaimed}};
}

}  // namespace berth::engine
