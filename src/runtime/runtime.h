// The OCI runtime library: the operations of runtime-spec 1.0.2 plus the
// runc-compatible extras (run, exec, pause, ps, list), on containers kept
// under a state root (default /run/berth-runtime).
//
// Vocabulary:
//   bundle      directory holding config.json and (usually) rootfs/.
//   init        the container's first process; its pid is the container pid.
//   state dir   <root>/<id>/: state.json, config.json (the spec as created),
//               start.sock while the container is "created".
// Invariants: a state dir exists exactly while the container exists; a failed
// create leaves no state dir, cgroup, mount or process behind.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "oci/runtime_spec.h"

namespace berth::runtime {

struct GlobalOptions {
  std::string root = "/run/berth-runtime";
  bool systemd_cgroup = false;
};

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  bool no_pivot = false;
  int preserve_fds = 0;
};

Status Create(const GlobalOptions& g, const CreateOptions& o);
Status Start(const GlobalOptions& g, const std::string& id);
// create + start; without detach waits for the container and deletes it,
// returning its exit status (128+signal when killed).
Result<int> Run(const GlobalOptions& g, const CreateOptions& o, bool detach);

Result<oci::State> GetState(const GlobalOptions& g, const std::string& id);

struct Summary {
  oci::State state;
  std::string created;  // RFC 3339
  std::string owner;
};
Result<std::vector<Summary>> List(const GlobalOptions& g);

Status Kill(const GlobalOptions& g, const std::string& id, int sig, bool all);
Status Delete(const GlobalOptions& g, const std::string& id, bool force);
Status Pause(const GlobalOptions& g, const std::string& id);
Status Resume(const GlobalOptions& g, const std::string& id);
Result<std::vector<pid_t>> Pids(const GlobalOptions& g, const std::string& id);

struct ExecOptions {
  std::string id;
  oci::Process process;
  bool detach = false;
  std::string pid_file;
  std::string console_socket;
  int preserve_fds = 0;
  bool ignore_paused = false;
};
// The process a plain `exec ID CMD` runs: the container's own process config
// (env, user, cwd, capabilities, no_new_privileges, rlimits) with no args.
Result<oci::Process> DefaultExecProcess(const GlobalOptions& g, const std::string& id);
// Runs a process in the container. Without detach, waits and returns its
// exit status; with detach returns 0 once it has started.
Result<int> Exec(const GlobalOptions& g, const ExecOptions& o);

// A process StartExec started.
struct ExecProcess {
  pid_t pid = 0;
  unique_fd pty_master;  // process.terminal without a console socket
};
// Starts o.process in the container and returns once it runs (pid_file is
// not written; pass detach = false). Without a terminal it inherits the caller's
// stdio; with one and no console socket, the caller gets the pty master.
// The caller waits for the process: it is reparented to the nearest child
// subreaper, so the caller should be one (PR_SET_CHILD_SUBREAPER).
Result<ExecProcess> StartExec(const GlobalOptions& g, const ExecOptions& o);

// True for ids runc accepts: [A-Za-z0-9_+.-]+, not "." or "..".
bool ValidId(const std::string& id);

// Compiled seccomp programs (seccomp::BuildCached): <root>/@seccomp-cache
// ('@' is not allowed in container ids, so it never names a container).
inline std::string SeccompCacheDir(const GlobalOptions& g) { return g.root + "/@seccomp-cache"; }

}  // namespace berth::runtime
