#include "engine/container.h"

namespace berth::engine {

using nlohmann::json;

const char* StatusName(ContainerStatus s) {
  switch (s) {
    case ContainerStatus::kCreated: return "created";
    case ContainerStatus::kRunning: return "running";
    case ContainerStatus::kPaused: return "paused";
    case ContainerStatus::kRestarting: return "restarting";
    case ContainerStatus::kRemoving: return "removing";
    case ContainerStatus::kExited: return "exited";
    case ContainerStatus::kDead: return "dead";
  }
  return "dead";
}

static ContainerStatus StatusFromName(const std::string& s) {
  for (ContainerStatus st : {ContainerStatus::kCreated, ContainerStatus::kRunning, ContainerStatus::kPaused, ContainerStatus::kRestarting,
                    ContainerStatus::kRemoving, ContainerStatus::kExited, ContainerStatus::kDead})
    if (s == StatusName(st)) return st;
  return ContainerStatus::kDead;
}

static json MountPointsRecord(const Container& c) {
  json out = json::array();
  for (const volume::MountPoint& m : c.mounts) out.push_back(volume::ToRecord(m));
  return out;
}

static json LinksRecord(const Container& c) {
  json out = json::array();
  for (const Link& l : c.links) out.push_back({{"Child", l.child_id}, {"Alias", l.alias}});
  return out;
}

json ToRecord(const Container& c) {
  const RunState& s = c.state;
  return {
      {"ID", c.id},
      {"Name", c.name},
      {"Created", c.created},
      {"Image", c.image_id},
      {"Config", c.config},
      {"HostConfig", c.host_config},
      {"NetworkingConfig", c.networking_config},
      {"Path", c.path},
      {"Args", c.args},
      {"RestartCount", c.restart_count},
      {"HasBeenStarted", c.has_been_started},
      {"ManuallyStopped", c.manually_stopped},
      {"MountPoints", MountPointsRecord(c)},
      {"Links", LinksRecord(c)},
      {"State",
       {{"Status", StatusName(s.status)},
        {"Pid", s.pid},
        {"ExitCode", s.exit_code},
        {"OOMKilled", s.oom_killed},
        {"Error", s.error},
        {"StartedAt", s.started_at},
        {"FinishedAt", s.finished_at},
        {"HealthStatus", s.health_status},
        {"FailingStreak", s.health_failing_streak},
        {"HealthLog", s.health_log}}},
  };
}

Status FromRecord(const json& j, Container* c) {
  try {
    c->id = j.at("ID").get<std::string>();
    c->name = j.at("Name").get<std::string>();
    c->created = j.value("Created", "");
    c->image_id = j.value("Image", "");
    c->config = j.value("Config", json::object());
    c->host_config = j.value("HostConfig", json::object());
  c->networking_config = j.value("NetworkingConfig", json::object());
    c->path = j.value("Path", "");
    c->args = j.value("Args", std::vector<std::string>{});
    c->restart_count = j.value("RestartCount", 0);
    c->has_been_started = j.value("HasBeenStarted", false);
    c->manually_stopped = j.value("ManuallyStopped", false);
    if (j.contains("MountPoints") && j["MountPoints"].is_array())
      for (const json& m : j["MountPoints"]) c->mounts.push_back(volume::FromRecord(m));
    if (j.contains("Links") && j["Links"].is_array())
      for (const json& l : j["Links"])
        c->links.push_back({l.value("Child", ""), l.value("Alias", "")});
    const json& s = j.at("State");
    c->state.status = StatusFromName(s.value("Status", "dead"));
    c->state.pid = s.value("Pid", 0);
    c->state.exit_code = s.value("ExitCode", 0);
    c->state.oom_killed = s.value("OOMKilled", false);
    c->state.error = s.value("Error", "");
    c->state.started_at = s.value("StartedAt", "0001-01-01T00:00:00Z");
    c->state.finished_at = s.value("FinishedAt", "0001-01-01T00:00:00Z");
    c->state.health_status = s.value("HealthStatus", "");
    c->state.health_failing_streak = s.value("FailingStreak", 0);
    c->state.health_log = s.value("HealthLog", json::array());
  } catch (const json::exception& e) {
    return Error(Code::kInvalidArgument, std::string("container record: ") + e.what());
  }
  return Ok();
}

}  // namespace berth::engine
