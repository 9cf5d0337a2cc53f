// `delete`: remove a stopped container (or, with --force, kill it first).
#include <signal.h>
#include <sys/wait.h>

#include <chrono>

#include "base/fs.h"
#include "base/log.h"
#include "runtime/hooks.h"
#include "runtime/init.h"
#include "runtime/launch.h"
#include "sys/proc.h"
#include "sys/syscalls.h"

namespace berth::runtime {
namespace {

// Kills init and everything in its cgroup, and waits for init to be gone.
Status KillEverything(const Record& r, cgroups::Manager* cg) {
  if (cg) {
    (void)cg->KillAll(SIGKILL);
    auto frozen = cg->Frozen();
    if (frozen.ok() && *frozen) (void)cg->Thaw();
  }
  if (!sys::ProcessAlive(r.pid, r.start_time)) return Ok();
  auto pidfd = sys::PidfdOpen(r.pid);
  ::kill(r.pid, SIGKILL);
  if (!pidfd.ok()) return Ok();  // already gone
  // Our own child (run mode) must be reaped; otherwise init reaps it.
  ::waitpid(r.pid, nullptr, WNOHANG);
  auto done = sys::WaitPidfd(pidfd->get(), std::chrono::seconds(10));
  ::waitpid(r.pid, nullptr, WNOHANG);
  if (done.ok() && !*done)
    return Error(Code::kUnavailable, "container init " + std::to_string(r.pid) +
                                         " did not die within 10s of SIGKILL");
  return Ok();
}

}  // namespace

bool OwnPidNamespace(const oci::Spec* spec) {
  if (!spec) return false;
  for (const auto& ns : spec->linux.namespaces)
    if (ns.type == "pid" && ns.path.empty()) return true;
  return false;
}

Status Destroy(StateStore& store, const Record& r, const oci::Spec* spec, bool init_reaped) {
  auto cg = cgroups::Manager::Open(r.cgroups_path, r.id, CgroupOptions(r.systemd_cgroup));
  // When init of its own pid namespace is gone, the kernel has killed the
  // rest of the namespace already.
  if (!(init_reaped && OwnPidNamespace(spec))) {
    BERTH_TRY(KillEverything(r, cg.ok() ? cg->get() : nullptr));
    log::Debug("{:.2f} ms: delete: processes gone", log::ElapsedMs());
  }
  if (cg.ok()) BERTH_TRY_CTX((*cg)->Destroy(), "remove cgroup");
  log::Debug("{:.2f} ms: delete: cgroup removed", log::ElapsedMs());
  if (spec)
    RunHooksWarnOnly(spec->hooks.poststop, HookState(r.id, r.bundle, 0, "stopped", r.annotations),
                     "poststop");
  return store.Remove(r.id);
}

Status Delete(const GlobalOptions& g, const std::string& id, bool force) {
  StateStore store(g.root);
  auto rec = store.Load(id);
  if (!rec.ok()) {
    // A state dir without state.json is the trace of a create that died.
    if (rec.error().code() == Code::kNotFound && force && fs::Exists(store.Dir(id)) &&
        ValidId(id))
      return store.Remove(id);
    return std::move(rec).error();
  }
  std::string status = ComputeStatus(store, *rec);
  if (!force && (status == "running" || status == "paused"))
    return Error(Code::kConflict,
                 "cannot delete container " + id + " that is not stopped: " + status);
  auto spec = store.LoadConfig(id);
  return Destroy(store, *rec, spec.ok() ? &*spec : nullptr);
}

}  // namespace berth::runtime
