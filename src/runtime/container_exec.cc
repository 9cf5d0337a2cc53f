// `exec`: run another process inside a running container.
//
// The runtime forks a helper that enters the container's namespaces (user
// first), then forks again so the new process is inside the pid namespace;
// the runtime puts that process in the container's cgroup and lets it go.
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fs.h"
#include "oci/runtime_spec_codec.h"
#include "runtime/console.h"
#include "runtime/launch.h"
#include "runtime/process_setup.h"
#include "runtime/seccomp/seccomp.h"
#include "sys/proc.h"
#include "sys/syscalls.h"

namespace berth::runtime {
namespace {

struct NsEntry {
  const char* type;
  const char* proc_name;
  int flag;
};

// Order matters: the user namespace first, mount last but one (paths below
// are opened before any setns), pid last (takes effect for children).
constexpr NsEntry kOrder[] = {
    {"user", "user", CLONE_NEWUSER},  {"ipc", "ipc", CLONE_NEWIPC},
    {"uts", "uts", CLONE_NEWUTS},     {"network", "net", CLONE_NEWNET},
    {"cgroup", "cgroup", CLONE_NEWCGROUP}, {"mount", "mnt", CLONE_NEWNS},
    {"pid", "pid", CLONE_NEWPID},
};

struct ExecChild {
  const oci::Process* process;
  const seccomp::Filter* filter;
  SyncSocket* sync;
  std::vector<std::pair<unique_fd, int>> ns;
  int console_socket = -1;
  bool console_to_parent = false;
  int preserve_fds = 0;
};

Status ExecSteps(ExecChild& c) {
  BERTH_TRY(c.sync->Expect(Msg::kGo));
  const oci::Process& p = *c.process;
  if (p.terminal) {
    auto pty = BERTH_TRY_CTX(OpenPty(p.console_size), "set up the console");
    if (c.console_socket >= 0) BERTH_TRY(SendConsole(c.console_socket, pty.master.get()));
    if (c.console_to_parent) BERTH_TRY(c.sync->Send(Msg::kConsole, 0, "", pty.master.get()));
    pty.master.reset();
    BERTH_TRY(BecomeTerminalOwner(pty.slave.get()));
  }
  BERTH_TRY(ApplyRlimits(p.rlimits));
  if (c.filter && !p.no_new_privileges) BERTH_TRY(c.filter->Load());
  BERTH_TRY(SwitchUserAndCapabilities(p));
  if (::chdir(p.cwd.c_str()) < 0) return Error::Sys("chdir to " + p.cwd);
  if (p.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return Error::Sys("prctl(PR_SET_NO_NEW_PRIVS)");
  std::string exe = BERTH_TRY(LookPath(p.args[0], p.env));
  if (c.filter && p.no_new_privileges) BERTH_TRY(c.filter->Load());
  sys::CloseOnExecFrom(3 + c.preserve_fds);
  return Exec(exe, p);
}

[[noreturn]] void ExecHelper(ExecChild& c) {
  for (auto& [fd, flag] : c.ns) {
    if (::setns(fd.get(), flag) < 0) {
      (void)c.sync->SendError(Error::Sys("enter the container's namespaces"));
      ::_exit(1);
    }
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    (void)c.sync->SendError(Error::Sys("fork"));
    ::_exit(1);
  }
  if (pid > 0) {
    (void)c.sync->Send(Msg::kPid, pid);
    ::_exit(0);
  }
  auto st = ExecSteps(c);
  (void)c.sync->SendError(st.error());
  ::_exit(st.error().err() == ENOENT ? 127 : 126);
}

}  // namespace

Result<oci::Process> DefaultExecProcess(const GlobalOptions& g, const std::string& id) {
  StateStore store(g.root);
  BERTH_TRY(store.Load(id));
  oci::Spec spec = BERTH_TRY(store.LoadConfig(id));
  oci::Process p = spec.process;
  p.args.clear();
  p.terminal = false;
  p.console_size.reset();
  return p;
}

Result<ExecProcess> StartExec(const GlobalOptions& g, const ExecOptions& o) {
  StateStore store(g.root);
  Record r = BERTH_TRY(store.Load(o.id));
  std::string status = ComputeStatus(store, r);
  if (status == "stopped") return Error(Code::kConflict, "cannot exec in a stopped container");
  if (status == "paused" && !o.ignore_paused)
    return Error(Code::kConflict, "cannot exec in a paused container");
  if (o.process.args.empty()) return Error::Invalid("exec: process.args must not be empty");
  if (o.process.terminal && o.detach && o.console_socket.empty())
    return Error::Invalid("exec: a detached terminal needs --console-socket");
  oci::Spec spec = BERTH_TRY(store.LoadConfig(o.id));
  auto cg = BERTH_TRY(cgroups::Manager::Open(r.cgroups_path, r.id, CgroupOptions(r.systemd_cgroup)));

  std::optional<seccomp::Filter> filter;
  if (spec.linux.seccomp)
    filter = BERTH_TRY_CTX(seccomp::BuildCached(*spec.linux.seccomp, SeccompCacheDir(g)), "seccomp");

  ExecChild c;
  c.process = &o.process;
  c.filter = filter ? &*filter : nullptr;
  c.preserve_fds = o.preserve_fds;
  for (const auto& e : kOrder) {
    bool listed = false;
    for (const auto& ns : spec.linux.namespaces)
      if (ns.type == e.type) listed = true;
    if (!listed) continue;
    std::string path = "/proc/" + std::to_string(r.pid) + "/ns/" + e.proc_name;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error::Sys("open " + path);
    c.ns.emplace_back(unique_fd(fd), e.flag);
  }
  unique_fd console;
  if (o.process.terminal && !o.console_socket.empty()) {
    console = BERTH_TRY(ConnectConsoleSocket(o.console_socket));
    c.console_socket = console.get();
  }
  c.console_to_parent = o.process.terminal && o.console_socket.empty();

  auto [parent_sock, child_sock] = BERTH_TRY(SyncSocket::Pair());
  c.sync = &child_sock;
  pid_t helper = ::fork();
  if (helper < 0) return Error::Sys("fork");
  if (helper == 0) {
    parent_sock.Close();
    ExecHelper(c);
  }
  child_sock.Close();
  console.reset();
  c.ns.clear();

  auto msg = parent_sock.Expect(Msg::kPid);
  while (::waitpid(helper, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (!msg.ok()) return std::move(msg).error();
  pid_t pid = static_cast<pid_t>(msg->value);
  auto kill_it = [&] {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  };
  if (auto st = cg->AddProcess(pid); !st.ok()) {
    kill_it();
    return std::move(st).error().Context("join the container's cgroup");
  }
  if (auto st = parent_sock.Send(Msg::kGo); !st.ok()) {
    kill_it();
    return std::move(st).error();
  }
  auto master = AwaitExec(parent_sock);
  if (!master.ok()) {
    kill_it();
    return std::move(master).error();
  }
  return ExecProcess{pid, std::move(*master)};
}

Result<int> Exec(const GlobalOptions& g, const ExecOptions& o) {
  if (!o.detach) ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  ExecProcess p = BERTH_TRY(StartExec(g, o));
  if (!o.pid_file.empty()) {
    auto abs = BERTH_TRY(fs::Absolute(o.pid_file));
    BERTH_TRY(fs::AtomicWrite(abs, std::to_string(p.pid), 0644, false));
  }
  if (o.detach) return 0;
  return WaitForeground(p.pid, p.pty_master.valid() ? p.pty_master.get() : -1);
}

}  // namespace berth::runtime
