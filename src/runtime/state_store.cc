#include "runtime/state_store.h"

#include <sys/stat.h>
#include <time.h>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/fs.h"
#include "runtime/cgroups/cgroups.h"
#include "oci/runtime_spec_codec.h"
#include "sys/proc.h"

namespace berth::runtime {

using nlohmann::json;

Status StateStore::Claim(const std::string& id) {
  BERTH_TRY(fs::MkdirAll(root_, 0711));
  std::string dir = Dir(id);
  if (::mkdir(dir.c_str(), 0711) < 0) {
    if (errno == EEXIST)
      return Error(Code::kAlreadyExists, "container with id exists: " + id, EEXIST);
    return Error::Sys("mkdir " + dir);
  }
  return Ok();
}

Status StateStore::Save(const Record& r) {
  json j = {{"id", r.id},
            {"bundle", r.bundle},
            {"pid", r.pid},
            {"start_time", r.start_time},
            {"created", r.created},
            {"cgroups_path", r.cgroups_path},
            {"systemd_cgroup", r.systemd_cgroup},
            {"owner", r.owner},
            {"started", r.started},
            {"annotations", r.annotations}};
  // tmpfs under /run: a crash loses the container anyway, no fsync needed.
  return fs::AtomicWrite(Dir(r.id) + "/state.json", j.dump(), 0600, /*sync=*/false);
}

Status StateStore::SaveConfig(const std::string& id, const oci::Spec& spec) {
  return fs::AtomicWrite(ConfigPath(id), oci::ToJson(spec).dump(), 0600, /*sync=*/false);
}

Result<Record> StateStore::Load(const std::string& id) const {
  std::string path = Dir(id) + "/state.json";
  auto text = fs::ReadFile(path);
  if (!text.ok()) {
    if (text.error().code() == Code::kNotFound)
      return Error(Code::kNotFound, "container does not exist: " + id, ENOENT);
    return std::move(text).error();
  }
  try {
    json j = json::parse(*text);
    Record r;
    r.id = j.at("id").get<std::string>();
    r.bundle = j.at("bundle").get<std::string>();
    r.pid = j.at("pid").get<pid_t>();
    r.start_time = j.at("start_time").get<uint64_t>();
    r.created = j.at("created").get<std::string>();
    r.cgroups_path = j.at("cgroups_path").get<std::string>();
    r.systemd_cgroup = j.at("systemd_cgroup").get<bool>();
    r.owner = j.at("owner").get<uid_t>();
    r.started = j.at("started").get<bool>();
    r.annotations = j.at("annotations").get<std::map<std::string, std::string>>();
    return r;
  } catch (const json::exception& e) {
    return Error::Internal("parse " + path + ": " + e.what());
  }
}

Result<oci::Spec> StateStore::LoadConfig(const std::string& id) const {
  return oci::LoadSpec(ConfigPath(id));
}

Status StateStore::Remove(const std::string& id) { return fs::RemoveAll(Dir(id)); }

Result<std::vector<std::string>> StateStore::Ids() const {
  if (!fs::Exists(root_)) return std::vector<std::string>{};
  auto names = fs::ListDir(root_);
  if (!names.ok()) return std::move(names).error();
  std::vector<std::string> ids;
  for (auto& n : *names)
    if (fs::Exists(Dir(n) + "/state.json")) ids.push_back(n);
  return ids;
}

std::string ComputeStatus(const StateStore& store, const Record& r) {
  if (!sys::ProcessAlive(r.pid, r.start_time)) return "stopped";
  if (!r.started && fs::Exists(store.StartSocketPath(r.id))) return "created";
  cgroups::Options opts;
  opts.systemd = r.systemd_cgroup;
  auto cg = cgroups::Manager::Open(r.cgroups_path, r.id, opts);
  if (cg.ok()) {
    auto frozen = (*cg)->Frozen();
    if (frozen.ok() && *frozen) return "paused";
  }
  return "running";
}

}  // namespace berth::runtime
