// `pause` and `resume`, through the freezer.
#include "runtime/launch.h"

namespace berth::runtime {

Status Pause(const GlobalOptions& g, const std::string& id) {
  StateStore store(g.root);
  Record r = BERTH_TRY(store.Load(id));
  std::string status = ComputeStatus(store, r);
  if (status != "running")
    return Error(Code::kConflict, "container " + id + " is not running: " + status);
  auto cg = BERTH_TRY(cgroups::Manager::Open(r.cgroups_path, r.id, CgroupOptions(r.systemd_cgroup)));
  return cg->Freeze();
}

Status Resume(const GlobalOptions& g, const std::string& id) {
  StateStore store(g.root);
  Record r = BERTH_TRY(store.Load(id));
  std::string status = ComputeStatus(store, r);
  if (status != "paused")
    return Error(Code::kConflict, "container " + id + " is not paused: " + status);
  auto cg = BERTH_TRY(cgroups::Manager::Open(r.cgroups_path, r.id, CgroupOptions(r.systemd_cgroup)));
  return cg->Thaw();
}

}  // namespace berth::runtime
