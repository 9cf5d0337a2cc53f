// `start` (release a created container) and `run` (create + start, and by
// default wait for it in the foreground).
#include <sys/prctl.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "runtime/console.h"
#include "runtime/hooks.h"
#include "runtime/init.h"
#include "runtime/launch.h"

namespace berth::runtime {
namespace {

void RunPoststart(const Record& r, const oci::Spec& spec) {
  RunHooksWarnOnly(spec.hooks.poststart,
                   HookState(r.id, r.bundle, r.pid, "running", r.annotations), "poststart");
}

}  // namespace

Status Start(const GlobalOptions& g, const std::string& id) {
  StateStore store(g.root);
  Record r = BERTH_TRY(store.Load(id));
  std::string status = ComputeStatus(store, r);
  if (status == "stopped") return Error(Code::kConflict, "cannot start a container that has stopped");
  if (status != "created")
    return Error(Code::kConflict, "cannot start an already running container");
  std::string sock = store.StartSocketPath(id);
  auto conn = ConnectStartSocket(sock);
  if (!conn.ok()) {
    if (conn.error().err() == ECONNREFUSED || conn.error().err() == ENOENT)
      return Error(Code::kConflict, "cannot start a container that has stopped");
    return std::move(conn).error();
  }
  BERTH_TRY(conn->Send(Msg::kStart));
  ::unlink(sock.c_str());
  r.started = true;
  BERTH_TRY(store.Save(r));
  // Returns once the process runs (the channel closed on exec).
  BERTH_TRY(AwaitExec(*conn));
  auto spec = store.LoadConfig(id);
  if (spec.ok()) RunPoststart(r, *spec);
  return Ok();
}

Result<int> Run(const GlobalOptions& g, const CreateOptions& o, bool detach) {
  // Processes that re-parent (an init that forked into a joined pid
  // namespace) are still ours to wait for.
  if (!detach) ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  bool proxy = !detach && o.console_socket.empty();
  Launched l = BERTH_TRY(Launch(g, o, LaunchMode::kRun, proxy));
  StateStore store(g.root);
  auto pty_master = AwaitExec(l.sync);
  if (!pty_master.ok()) {
    (void)Destroy(store, l.record, &l.spec);
    return std::move(pty_master).error();
  }
  l.sync.Close();
  log::Debug("{:.2f} ms: started", log::ElapsedMs());
  RunPoststart(l.record, l.spec);
  if (detach) return 0;
  auto status = WaitForeground(l.record.pid, pty_master->valid() ? pty_master->get() : -1);
  pty_master->reset();
  log::Debug("{:.2f} ms: exited", log::ElapsedMs());
  auto st = Destroy(store, l.record, &l.spec, /*init_reaped=*/true);
  log::Debug("{:.2f} ms: deleted", log::ElapsedMs());
  if (!st.ok()) log::Warn("{}", st.error().message());
  return status;
}

}  // namespace berth::runtime
