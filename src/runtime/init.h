// The container's init, from the moment clone(2) returns in the child until
// execve: joins and creates namespaces, sets up the root filesystem, the
// console, the user and its capabilities, then waits to be started.
//
// Protocol with the parent (runtime/sync.h), in order:
//   parent: kMaps                 only with a new user namespace, once the
//                                 uid/gid maps are written
//   parent: kGo(value = init's pid in the runtime's pid namespace), once
//           init is in its cgroup. Joining a v1 cgroup can take a
//           synchronize_rcu() (milliseconds), so unless init needs kGo
//           early (go_early: a cgroup namespace, a pid namespace to fork
//           into, hooks) it sets up its mounts meanwhile and reads kGo
//           just before it would exec
//   child:  kPid(value = new pid) only when a pid namespace had to be
//           entered with an extra fork; the new process carries on
//   child:  kNsReady              only with prestart/createRuntime hooks:
//   parent: kGo                   the parent runs them in between
//   child:  kConsole(fd)          only when the parent proxies the terminal
//   create: child kReady, then waits until `start` connects to start.sock
//           and sends kStart there; run: no wait
//   child:  runs startContainer hooks and execs; the channel closes on exec
//           (close-on-exec), which tells the starter that the process runs,
//           or it sends kError
// Any failure: child sends kError and exits.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "oci/runtime_spec.h"
#include "runtime/rootfs/rootfs.h"
#include "runtime/sync.h"
#include "runtime/seccomp/seccomp.h"

namespace berth::runtime {

struct InitContext {
  const oci::Spec* spec = nullptr;
  std::string id;
  std::string bundle;
  std::string rootfs;  // absolute path on the host
  rootfs::Options rootfs_options;
  seccomp::Filter* seccomp = nullptr;  // built by the parent, loaded here
  SyncSocket* sync = nullptr;
  int start_listener = -1;   // create: `start` connects here
  int console_socket = -1;   // send the pty master there
  bool console_to_parent = false;
  bool mount_ns = false;     // a new mount namespace exists (or is created)
  bool new_uts = false;
  bool new_net = false;
  bool user_ns = false;      // runs in a user namespace (new or joined)
  // Namespaces to enter (fd opened by the parent, CLONE_NEW* type), and to
  // create with unshare(2) after the cgroup is joined.
  std::vector<std::pair<int, int>> join;
  unsigned long unshare_flags = 0;
  bool fork_for_pid = false;  // a pid namespace is entered: fork once more
  bool hooks_after_namespaces = false;  // wait for kGo after kNsReady
  bool new_user = false;      // wait for kMaps first
  bool go_early = true;       // read kGo before setting up namespaces
  int preserve_fds = 0;
};

[[noreturn]] void RunInit(InitContext& ctx);

// The state JSON hooks read on stdin.
std::string HookState(const std::string& id, const std::string& bundle, pid_t pid,
                      const char* status, const std::map<std::string, std::string>& annotations);

}  // namespace berth::runtime
