// `state`, `list` and `ps`: what exists and what runs.
#include <pwd.h>

#include "runtime/launch.h"

namespace berth::runtime {
namespace {

oci::State ToState(const StateStore& store, const Record& r) {
  oci::State s;
  s.id = r.id;
  s.status = ComputeStatus(store, r);
  s.pid = s.status == "stopped" ? 0 : r.pid;
  s.bundle = r.bundle;
  s.annotations = r.annotations;
  return s;
}

std::string OwnerName(uid_t uid) {
  struct passwd pw, *res = nullptr;
  char buf[1024];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res) return pw.pw_name;
  return "#" + std::to_string(uid);
}

}  // namespace

Result<oci::State> GetState(const GlobalOptions& g, const std::string& id) {
  StateStore store(g.root);
  Record r = BERTH_TRY(store.Load(id));
  return ToState(store, r);
}

Result<std::vector<Summary>> List(const GlobalOptions& g) {
  StateStore store(g.root);
  std::vector<Summary> out;
  for (const auto& id : BERTH_TRY(store.Ids())) {
    auto r = store.Load(id);
    if (!r.ok()) continue;  // removed meanwhile
    out.push_back({ToState(store, *r), r->created, OwnerName(r->owner)});
  }
  return out;
}

Result<std::vector<pid_t>> Pids(const GlobalOptions& g, const std::string& id) {
  StateStore store(g.root);
  Record r = BERTH_TRY(store.Load(id));
  auto cg = BERTH_TRY(cgroups::Manager::Open(r.cgroups_path, r.id, CgroupOptions(r.systemd_cgroup)));
  return cg->Pids();
}

}  // namespace berth::runtime
