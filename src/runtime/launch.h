// Creating a container's init process: shared by `create` and `run`.
#pragma once

#include <memory>
#include <optional>

#include "base/unique_fd.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/runtime.h"
#include "runtime/state_store.h"
#include "runtime/sync.h"

namespace berth::runtime {

struct Launched {
  oci::Spec spec;
  Record record;
  SyncSocket sync;        // run mode: closes when init execs, or reports an error
  std::unique_ptr<cgroups::Manager> cgroup;
};

enum class LaunchMode {
  kCreate,        // init waits on start.sock for `start`
  kRun,           // init execs as soon as it is set up
};

// Creates init and records the container. kCreate: returns once init waits
// to be started. kRun: returns while init sets itself up; the caller then
// awaits the exec on `sync` (AwaitExec), which also hands over the pty
// master when proxy_console. On failure nothing is left behind.
Result<Launched> Launch(const GlobalOptions& g, const CreateOptions& o, LaunchMode mode,
                        bool proxy_console);

// Removes a container whose init is gone (or is killed here): cgroup,
// poststop hooks, state dir. init_reaped: the caller waited for init.
Status Destroy(StateStore& store, const Record& r, const oci::Spec* spec,
               bool init_reaped = false);

cgroups::Options CgroupOptions(bool systemd);

}  // namespace berth::runtime
