// The Engine API's /volumes: create, inspect, list, remove, prune over the
// local volume store, with references counted from the container records.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/strings.h"
#include "engine/engine_impl.h"

namespace berth::engine {
namespace {

using Filters = std::map<std::string, std::vector<std::string>>;

std::vector<std::string> Values(const Filters& f, const std::string& key) {
  auto it = f.find(key);
  return it == f.end() ? std::vector<std::string>{} : it->second;
}

Status CheckKeys(const Filters& f, const std::set<std::string>& accepted) {
  for (const auto& [k, v] : f)
    if (!accepted.count(k)) return Error::Invalid("Invalid filter '" + k + "'");
  return Ok();
}

// "k" or "k=v" against labels.
bool LabelMatch(const volume::Labels& labels, const std::string& want) {
  bool has_value = false;
  auto [k, v] = str::Cut(want, '=', &has_value);
  auto it = labels.find(k);
  if (it == labels.end()) return false;
  return !has_value || it->second == v;
}

volume::Labels StrMap(const json& body, const char* key) {
  volume::Labels out;
  auto it = body.find(key);
  if (it != body.end() && it->is_object())
    for (auto& [k, v] : it->items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

}  // namespace

void Engine::Impl::PublishVolume(const std::string& action, const std::string& name,
                                 std::map<std::string, std::string> extra) {
  if (!opts.events) return;
  extra["driver"] = "local";
  opts.events("volume", action, name, std::move(extra));
}

std::vector<std::string> Engine::Impl::VolumeReferences(const std::string& name) {
  std::vector<std::string> ids;
  for (const ContainerPtr& c : All()) {
    std::lock_guard lock(c->mu);
    if (c->removed) continue;
    for (const volume::MountPoint& m : c->mounts)
      if (m.type == "volume" && m.name == name) {
        ids.push_back(c->id);
        break;
      }
  }
  return ids;
}

Result<json> Engine::VolumeCreate(const json& body) {
  Impl& m = *impl_;
  if (!body.is_object()) return Error::Invalid("invalid JSON in request body");
  std::string name = body.value("Name", "");
  std::string driver = body.value("Driver", "");
  auto fail = [&](Error e) { return std::move(e).Context("create " + name); };
  if (!driver.empty() && driver != "local")
    return fail(Error::NotFound("error looking up volume plugin " + driver + ": plugin \"" +
                                driver + "\" not found"));
  bool labels_null = !body.contains("Labels") || body["Labels"].is_null();
  bool options_null = !body.contains("DriverOpts") || body["DriverOpts"].is_null();
  std::lock_guard vl(m.volumes_mu);
  bool existed = !name.empty() && m.volumes->Get(name).ok();
  auto v = m.volumes->Create(name, StrMap(body, "Labels"), StrMap(body, "DriverOpts"), labels_null,
                             options_null);
  if (!v.ok()) return fail(std::move(v).error());
  if (!existed) m.PublishVolume("create", v->name);
  return volume::ToJson(*v);
}

Result<json> Engine::VolumeInspect(const std::string& name) {
  auto v = BERTH_TRY(impl_->volumes->Get(name));
  return volume::ToJson(v);
}

Result<json> Engine::VolumeList(const Filters& filters) {
  Impl& m = *impl_;
  BERTH_TRY(CheckKeys(filters, {"dangling", "name", "driver", "label"}));
  std::optional<bool> dangling;
  for (const std::string& d : Values(filters, "dangling")) {
    if (d == "true" || d == "1")
      dangling = true;
    else if (d == "false" || d == "0")
      dangling = false;
    else
      return Error::Invalid("Invalid filter 'dangling=[" + d + "]'");
  }
  std::set<std::string> referenced;
  if (dangling) {
    for (const ContainerPtr& c : m.All()) {
      std::lock_guard lock(c->mu);
      for (const volume::MountPoint& mp : c->mounts)
        if (mp.type == "volume") referenced.insert(mp.name);
    }
  }
  json out = json::array();
  for (const volume::Volume& v : m.volumes->List()) {
    if (dangling && referenced.count(v.name) == *dangling) continue;
    auto names = Values(filters, "name");
    if (!names.empty() && std::none_of(names.begin(), names.end(), [&](const std::string& n) {
          return v.name.find(n) != std::string::npos;
        }))
      continue;
    auto drivers = Values(filters, "driver");
    if (!drivers.empty() && std::find(drivers.begin(), drivers.end(), "local") == drivers.end())
      continue;
    bool labels_ok = true;
    for (const std::string& l : Values(filters, "label")) labels_ok = labels_ok && LabelMatch(v.labels, l);
    if (!labels_ok) continue;
    out.push_back(volume::ToJson(v));
  }
  return json{{"Volumes", out}, {"Warnings", nullptr}};
}

Status Engine::VolumeRemove(const std::string& name, bool force) {
  Impl& m = *impl_;
  std::lock_guard vl(m.volumes_mu);
  if (!m.volumes->Get(name).ok()) {
    if (force) return Ok();
    return Error::NotFound("get " + name + ": no such volume");
  }
  std::vector<std::string> refs = m.VolumeReferences(name);
  if (!refs.empty())
    return Error(Code::kConflict,
                 fmt::format("remove {}: volume is in use - [{}]", name, str::Join(refs, " ")));
  BERTH_TRY(m.volumes->Remove(name).Context("remove " + name));
  m.PublishVolume("destroy", name);
  return Ok();
}

Result<json> Engine::VolumePrune(const Filters& filters) {
  Impl& m = *impl_;
  BERTH_TRY(CheckKeys(filters, {"label", "label!"}));
  std::lock_guard vl(m.volumes_mu);
  json deleted = json::array();
  int64_t reclaimed = 0;
  for (const volume::Volume& v : m.volumes->List()) {
    // As dockerd 20.10 (API 1.41): every unused local volume, named or
    // anonymous, but not those with driver options (host resources).
    if (!v.options.empty()) continue;
    bool keep = false;
    for (const std::string& l : Values(filters, "label")) keep = keep || !LabelMatch(v.labels, l);
    for (const std::string& l : Values(filters, "label!")) keep = keep || LabelMatch(v.labels, l);
    if (keep || !m.VolumeReferences(v.name).empty()) continue;
    int64_t size = m.volumes->Size(v.name);
    if (!m.volumes->Remove(v.name).ok()) continue;
    m.PublishVolume("destroy", v.name);
    deleted.push_back(v.name);
    reclaimed += size;
  }
  m.PublishVolume("prune", "", {{"reclaimed", std::to_string(reclaimed)}});
  return json{{"VolumesDeleted", deleted},
              {"SpaceReclaimed", reclaimed}};
}

json Engine::VolumeDiskUsage() {
  Impl& m = *impl_;
  json out = json::array();
  for (const volume::Volume& v : m.volumes->List()) {
    json j = volume::ToJson(v);
    j["UsageData"] = {{"Size", m.volumes->Size(v.name)},
                      {"RefCount", static_cast<int64_t>(m.VolumeReferences(v.name).size())}};
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace berth::engine
