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
  SyncSocket sync;        // open in run mode, to send kStart
  unique_fd pty_master;   // when the runtime proxies the terminal
  std::unique_ptr<cgroups::Manager> cgroup;
};

enum class LaunchMode {
  kCreate,        // init waits on start.sock for `start`
  kRun,           // init waits for kStart on the sync socket
};

// Sets up everything and leaves init waiting to be started; on failure
// nothing is left behind. proxy_console: the runtime keeps the pty master.
Result<Launched> Launch(const GlobalOptions& g, const CreateOptions& o, LaunchMode mode,
                        bool proxy_console);

// Removes a container whose init is gone (or is killed here): cgroup,
// poststop hooks, state dir.
Status Destroy(StateStore& store, const Record& r, const oci::Spec* spec);

cgroups::Options CgroupOptions(bool systemd);

}  // namespace berth::runtime
