// A container as the engine keeps it: Docker's Config and HostConfig as the
// client sent them (normalized), plus its run state. Persisted whole as
// <data-root>/containers/<id>/config.v2.json (docs/containers.md).
//
// Threads: a Container is shared (shared_ptr) between request threads and
// the exit watcher; mu guards every field below it, cv signals state
// changes (wait, stop, pending attaches).
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/unique_fd.h"
#include "volume/mount_point.h"

namespace berth::engine {

// Docker's State.Status values.
enum class ContainerStatus { kCreated, kRunning, kPaused, kRestarting, kRemoving, kExited, kDead };
const char* StatusName(ContainerStatus s);

struct RunState {
  ContainerStatus status = ContainerStatus::kCreated;
  pid_t pid = 0;
  int exit_code = 0;
  bool oom_killed = false;
  std::string error;
  std::string started_at = "0001-01-01T00:00:00Z";
  std::string finished_at = "0001-01-01T00:00:00Z";
  std::string health_status;  // "", "starting", "healthy", "unhealthy"
  int health_failing_streak = 0;
  nlohmann::json health_log = nlohmann::json::array();
};

// A legacy link (--link name:alias): the linked container by ID (so a
// rename keeps it) and the alias this container knows it by.
struct Link {
  std::string child_id;
  std::string alias;
};

// An attach request waiting for the container's monitor (docker run attaches
// before it starts the container).
struct PendingAttach {
  bool in = false, out = false, err = false;
  unique_fd fd;         // the monitor connection, once connected
  std::string error;    // why it could not be connected
  bool done = false;
};

struct Container {
  std::string id;
  std::string name;       // with the leading "/"
  std::string created;    // RFC 3339 nano
  std::string image_id;   // "sha256:…"
  nlohmann::json config;       // Docker's Config, image config merged in
  nlohmann::json host_config;  // Docker's HostConfig, normalized
  nlohmann::json networking_config = nlohmann::json::object();  // as created (EndpointsConfig)
  std::string path;            // Path (the program)
  std::vector<std::string> args;
  // Binds, volumes and --mount tmpfs as resolved at create (MountPoints).
  std::vector<volume::MountPoint> mounts;
  std::vector<Link> links;  // --link, resolved at create (links.cc)

  std::mutex mu;
  std::condition_variable cv;
  RunState state;
  int restart_count = 0;
  bool has_been_started = false;
  bool manually_stopped = false;  // stop/kill by the user: no restart-policy restart
  bool removed = false;
  uint64_t exit_generation = 0;   // counts exits, for wait next-exit
  uint64_t start_generation = 0;
  std::vector<PendingAttach*> pending_attaches;

  // Serializes start/stop/restart/remove of this container (taken before mu).
  std::mutex op_mu;

  bool Running() const {
    return state.status == ContainerStatus::kRunning || state.status == ContainerStatus::kPaused ||
           state.status == ContainerStatus::kRestarting;
  }
  bool Tty() const { return config.value("Tty", false); }
};

// config.v2.json: the persisted record.
nlohmann::json ToRecord(const Container& c);
Status FromRecord(const nlohmann::json& j, Container* c);

}  // namespace berth::engine
