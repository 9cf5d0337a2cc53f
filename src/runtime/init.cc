#include "runtime/init.h"

#include <fcntl.h>
#include <sched.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "base/fs.h"
#include "base/log.h"
#include "oci/runtime_spec_codec.h"
#include "runtime/console.h"
#include "runtime/hooks.h"
#include "runtime/process_setup.h"
#include "sys/syscalls.h"

namespace berth::runtime {

std::string HookState(const std::string& id, const std::string& bundle, pid_t pid,
                      const char* status, const std::map<std::string, std::string>& annotations) {
  oci::State s;
  s.id = id;
  s.bundle = bundle;
  s.pid = pid;
  s.status = status;
  s.annotations = annotations;
  return oci::ToJson(s).dump();
}

namespace {

const char* NsName(int type) {
  switch (type) {
    case CLONE_NEWUSER: return "user";
    case CLONE_NEWPID: return "pid";
    case CLONE_NEWNS: return "mount";
    case CLONE_NEWUTS: return "uts";
    case CLONE_NEWIPC: return "ipc";
    case CLONE_NEWNET: return "network";
    case CLONE_NEWCGROUP: return "cgroup";
  }
  return "?";
}

// Enters the namespaces given by path (user first), creates the rest, and
// forks once more when a pid namespace was entered. Returns this process's
// pid as the runtime sees it.
Result<pid_t> SetupNamespaces(InitContext& ctx, pid_t host_pid) {
  auto enter = [&](bool user) -> Status {
    for (auto [fd, type] : ctx.join) {
      if ((type == CLONE_NEWUSER) != user) continue;
      if (::setns(fd, type) < 0)
        return Error::Sys(std::string("join the container's ") + NsName(type) + " namespace");
    }
    return Ok();
  };
  BERTH_TRY(enter(true));
  if (ctx.unshare_flags & CLONE_NEWUSER) return Error::Internal("user namespace made by unshare");
  if (ctx.user_ns) {
    // Become root of the user namespace (the maps are written by now), so
    // that what init creates is owned by a mapped id.
    if (::setresgid(0, 0, 0) < 0) return Error::Sys("setgid 0 in the user namespace");
    if (::setresuid(0, 0, 0) < 0) return Error::Sys("setuid 0 in the user namespace");
  }
  BERTH_TRY(enter(false));
  if (ctx.unshare_flags && ::unshare(static_cast<int>(ctx.unshare_flags)) < 0)
    return Error::Sys("unshare namespaces");
  if (!ctx.fork_for_pid) return host_pid;
  pid_t child = ::fork();
  if (child < 0) return Error::Sys("fork into the pid namespace");
  if (child > 0) {
    // The intermediate process: report the real init and leave.
    (void)ctx.sync->Send(Msg::kPid, child);
    ::_exit(0);
  }
  return child;  // not used by the caller beyond logging
}

// A new network namespace starts with lo down; containers expect it up.
Status LoopbackUp() {
  unique_fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s) return Error::Sys("socket");
  struct ifreq ifr = {};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) < 0) return Error::Sys("get flags of lo");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) < 0) return Error::Sys("bring lo up");
  return Ok();
}

Status SetHostname(const InitContext& ctx) {
  const oci::Spec& s = *ctx.spec;
  if (!ctx.new_uts) {
    if (!s.hostname.empty() || !s.domainname.empty())
      return Error::Invalid("hostname: setting it needs a new uts namespace");
    return Ok();
  }
  if (!s.hostname.empty() && ::sethostname(s.hostname.c_str(), s.hostname.size()) < 0)
    return Error::Sys("sethostname " + s.hostname);
  if (!s.domainname.empty() && ::setdomainname(s.domainname.c_str(), s.domainname.size()) < 0)
    return Error::Sys("setdomainname " + s.domainname);
  return Ok();
}

Status WriteSysctls(const std::map<std::string, std::string>& sysctl) {
  for (const auto& [key, value] : sysctl) {
    std::string path = "/proc/sys/" + key;
    for (size_t i = 10; i < path.size(); ++i)
      if (path[i] == '.') path[i] = '/';
    BERTH_TRY_CTX(fs::WriteFile(path, value), "sysctl " + key);
  }
  return Ok();
}

// Creates the terminal, binds it to /dev/console and hands the master out.
Status SetupConsole(InitContext& ctx) {
  auto pty = BERTH_TRY_CTX(OpenPty(ctx.spec->process.console_size), "set up the console");
  if (ctx.mount_ns) {
    int fd = ::open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
    if (::mount(pty.slave_path.c_str(), "/dev/console", nullptr, MS_BIND, nullptr) < 0)
      return Error::Sys("bind " + pty.slave_path + " on /dev/console");
  }
  if (ctx.console_socket >= 0) {
    BERTH_TRY(SendConsole(ctx.console_socket, pty.master.get()));
    ::close(ctx.console_socket);
    ctx.console_socket = -1;
  } else if (ctx.console_to_parent) {
    BERTH_TRY(ctx.sync->Send(Msg::kConsole, 0, "", pty.master.get()));
  }
  pty.master.reset();
  BERTH_TRY(BecomeTerminalOwner(pty.slave.get()));
  return Ok();
}

// Waits until `start` connects and says so. Afterwards ctx.sync is the
// channel to the starter, which learns of a failure from it, or of the exec
// from its close.
Status WaitForStart(InitContext& ctx) {
  ctx.sync->Close();
  int conn;
  do {
    conn = ::accept4(ctx.start_listener, nullptr, nullptr, SOCK_CLOEXEC);
  } while (conn < 0 && errno == EINTR);
  if (conn < 0) return Error::Sys("wait for start on start.sock");
  ::close(ctx.start_listener);
  *ctx.sync = SyncSocket(unique_fd(conn));
  BERTH_TRY(ctx.sync->Expect(Msg::kStart));
  return Ok();
}

Status InitSteps(InitContext& ctx) {
  const oci::Spec& spec = *ctx.spec;
  const oci::Process& proc = spec.process;

  if (ctx.new_user) BERTH_TRY(ctx.sync->Expect(Msg::kMaps));
  pid_t host_pid = 0;
  if (ctx.go_early) host_pid = static_cast<pid_t>(BERTH_TRY(ctx.sync->Expect(Msg::kGo)).value);
  BERTH_TRY(SetupNamespaces(ctx, host_pid));
  if (ctx.new_net) BERTH_TRY(LoopbackUp());
  if (ctx.hooks_after_namespaces) {
    BERTH_TRY(ctx.sync->Send(Msg::kNsReady));
    BERTH_TRY(ctx.sync->Expect(Msg::kGo));
  }

  if (ctx.mount_ns) {
    log::Debug("{:.2f} ms: init: namespaces set up", log::ElapsedMs());
    BERTH_TRY_CTX(rootfs::Prepare(spec, ctx.rootfs, ctx.rootfs_options), "prepare rootfs");
    log::Debug("{:.2f} ms: init: rootfs prepared", log::ElapsedMs());
    BERTH_TRY(RunHooks(spec.hooks.create_container,
                       HookState(ctx.id, ctx.bundle, host_pid, "created", spec.annotations),
                       "createContainer"));
    BERTH_TRY_CTX(rootfs::PivotRoot(ctx.rootfs, ctx.rootfs_options), "pivot_root");
  } else {
    if (::chroot(ctx.rootfs.c_str()) < 0) return Error::Sys("chroot " + ctx.rootfs);
    if (::chdir("/") < 0) return Error::Sys("chdir /");
  }
  // Like runc, a missing working directory is created (before / may turn
  // read-only).
  BERTH_TRY_CTX(fs::MkdirAll(proc.cwd, 0755), "create process.cwd");
  if (proc.terminal) BERTH_TRY(SetupConsole(ctx));
  // Before Finish: readonlyPaths usually include /proc/sys.
  BERTH_TRY(WriteSysctls(spec.linux.sysctl));
  log::Debug("{:.2f} ms: init: pivoted", log::ElapsedMs());
  if (ctx.mount_ns) BERTH_TRY_CTX(rootfs::Finish(spec, ctx.rootfs_options), "finish rootfs");
  log::Debug("{:.2f} ms: init: rootfs finished", log::ElapsedMs());
  BERTH_TRY(SetHostname(ctx));
  BERTH_TRY(ApplyRlimits(proc.rlimits));
  BERTH_TRY(ApplyOomScoreAdj(proc.oom_score_adj));
  // Without no_new_privs the filter must go in while we still hold
  // CAP_SYS_ADMIN; with it, as late as possible.
  if (ctx.seccomp && !proc.no_new_privileges) BERTH_TRY(ctx.seccomp->Load());
  BERTH_TRY(SwitchUserAndCapabilities(proc));
  if (::chdir(proc.cwd.c_str()) < 0) return Error::Sys("chdir to process.cwd " + proc.cwd);
  if (proc.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return Error::Sys("prctl(PR_SET_NO_NEW_PRIVS)");
  std::string exe = BERTH_TRY(LookPath(proc.args[0], proc.env));

  if (!ctx.go_early) host_pid = static_cast<pid_t>(BERTH_TRY(ctx.sync->Expect(Msg::kGo)).value);
  if (ctx.start_listener >= 0) {
    BERTH_TRY(ctx.sync->Send(Msg::kReady));
    BERTH_TRY(WaitForStart(ctx));
  }

  BERTH_TRY(RunHooks(spec.hooks.start_container,
                     HookState(ctx.id, ctx.bundle, host_pid, "created", spec.annotations),
                     "startContainer"));
  if (ctx.seccomp && proc.no_new_privileges) BERTH_TRY(ctx.seccomp->Load());
  log::Debug("{:.2f} ms: init: exec", log::ElapsedMs());
  sys::CloseOnExecFrom(3 + ctx.preserve_fds);
  return Exec(exe, proc);
}

}  // namespace

void RunInit(InitContext& ctx) {
  auto st = InitSteps(ctx);
  // Only failures get here: the success path execs. The runtime (or
  // `start`) on the other end reports the error; if it is gone, stderr does.
  if (!ctx.sync->SendError(st.error()).ok())
    ::dprintf(STDERR_FILENO, "berth-runtime: %s\n", st.error().message().c_str());
  ::_exit(st.error().err() == ENOENT ? 127 : 126);
}

}  // namespace berth::runtime
