// `kill`: send a signal to init, or with --all to every process in the
// container's cgroup.
#include <signal.h>

#include "runtime/launch.h"
#include "sys/proc.h"

namespace berth::runtime {

Status Kill(const GlobalOptions& g, const std::string& id, int sig, bool all) {
  StateStore store(g.root);
  Record r = BERTH_TRY(store.Load(id));
  if (ComputeStatus(store, r) == "stopped") return Error(Code::kConflict, "container not running");
  if (all) {
    auto cg = BERTH_TRY(cgroups::Manager::Open(r.cgroups_path, r.id, CgroupOptions(r.systemd_cgroup)));
    BERTH_TRY(cg->KillAll(sig));
    return Ok();
  }
  if (::kill(r.pid, sig) < 0) return Error::Sys("kill " + std::to_string(r.pid));
  return Ok();
}

}  // namespace berth::runtime
