// The on-disk state of containers, and the only code that builds its paths.
//
//   <root>/<id>/state.json   Record below (written atomically)
//   <root>/<id>/config.json  the spec the container was created with
//   <root>/<id>/start.sock   exists from create until start: init waits on it
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "base/error.h"
#include "oci/runtime_spec.h"

namespace berth::runtime {

struct Record {
  std::string id;
  std::string bundle;
  pid_t pid = 0;
  uint64_t start_time = 0;  // /proc/PID/stat starttime of pid
  std::string created;      // RFC 3339, UTC
  std::string cgroups_path;
  bool systemd_cgroup = false;
  uid_t owner = 0;
  bool started = false;
  std::map<std::string, std::string> annotations;
};

class StateStore {
 public:
  explicit StateStore(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string Dir(const std::string& id) const { return root_ + "/" + id; }
  std::string StartSocketPath(const std::string& id) const { return Dir(id) + "/start.sock"; }
  std::string ConfigPath(const std::string& id) const { return Dir(id) + "/config.json"; }

  // Creates the state dir; AlreadyExists if the id is taken.
  Status Claim(const std::string& id);
  Status Save(const Record& r);
  Status SaveConfig(const std::string& id, const oci::Spec& spec);
  Result<Record> Load(const std::string& id) const;
  Result<oci::Spec> LoadConfig(const std::string& id) const;
  Status Remove(const std::string& id);
  Result<std::vector<std::string>> Ids() const;

 private:
  std::string root_;
};

// created / running / paused / stopped, from the record and the live system.
std::string ComputeStatus(const StateStore& store, const Record& r);


}  // namespace berth::runtime
