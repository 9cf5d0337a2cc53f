// `create` and the launch of a container's init, shared with `run`.
//
// Phases (Launch): load the spec → claim the state dir → cgroup → seccomp
// filter → namespace plan → clone → id maps and cgroup join → hooks →
// ready → record the state. Every phase registers its undo; the undo runs
// unless the whole launch succeeds.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <functional>

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "oci/runtime_spec_codec.h"
#include "runtime/hooks.h"
#include "runtime/console.h"
#include "runtime/init.h"
#include "runtime/launch.h"
#include "sys/capabilities.h"
#include "sys/proc.h"
#include "sys/syscalls.h"

namespace berth::runtime {
namespace {

// Undo steps, run in reverse unless Commit() is called.
class Rollback {
 public:
  ~Rollback() {
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) (*it)();
  }
  void Add(std::function<void()> f) { steps_.push_back(std::move(f)); }
  void Commit() { steps_.clear(); }

 private:
  std::vector<std::function<void()>> steps_;
};

int NsFlag(const std::string& type) {
  if (type == "pid") return CLONE_NEWPID;
  if (type == "network") return CLONE_NEWNET;
  if (type == "mount") return CLONE_NEWNS;
  if (type == "ipc") return CLONE_NEWIPC;
  if (type == "uts") return CLONE_NEWUTS;
  if (type == "user") return CLONE_NEWUSER;
  if (type == "cgroup") return CLONE_NEWCGROUP;
  return 0;
}

struct NsPlan {
  unsigned long clone_flags = 0;
  std::vector<unique_fd> fds;  // keep the joined namespaces open until clone
  bool new_user = false;
};

Result<NsPlan> PlanNamespaces(const oci::Spec& spec, InitContext& ctx) {
  NsPlan plan;
  bool join_user = false;
  unsigned long new_flags = 0;
  bool join_pid = false;
  for (const auto& ns : spec.linux.namespaces) {
    int flag = NsFlag(ns.type);
    if (!flag) return Error::Invalid("linux.namespaces: unknown namespace type \"" + ns.type + "\"");
    if (ns.path.empty()) {
      new_flags |= static_cast<unsigned long>(flag);
      continue;
    }
    int fd = ::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error::Sys("open " + ns.type + " namespace " + ns.path);
    plan.fds.emplace_back(fd);
    ctx.join.emplace_back(fd, flag);
    if (flag == CLONE_NEWUSER) join_user = true;
    if (flag == CLONE_NEWPID) join_pid = true;
  }
  plan.new_user = new_flags & CLONE_NEWUSER;
  ctx.mount_ns = new_flags & CLONE_NEWNS;
  ctx.new_uts = new_flags & CLONE_NEWUTS;
  ctx.new_net = new_flags & CLONE_NEWNET;
  if (join_user) {
    // Namespaces owned by the joined user namespace must be made after
    // entering it.
    ctx.unshare_flags = new_flags;
    ctx.fork_for_pid = (new_flags & CLONE_NEWPID) || join_pid;
  } else {
    // The cgroup namespace is made after the cgroup is joined, so that the
    // container sees its own cgroup as the root.
    plan.clone_flags = new_flags & ~static_cast<unsigned long>(CLONE_NEWCGROUP);
    ctx.unshare_flags = new_flags & CLONE_NEWCGROUP;
    ctx.fork_for_pid = join_pid;
  }
  // A mount namespace joined by path still gets the rootfs set up in it.
  for (auto& [fd, type] : ctx.join)
    if (type == CLONE_NEWNS) ctx.mount_ns = true;
  ctx.rootfs_options.cgroup_namespace = new_flags & CLONE_NEWCGROUP;
  ctx.rootfs_options.in_user_namespace = plan.new_user || join_user;
  ctx.user_ns = plan.new_user || join_user;
  return plan;
}

std::string IdMap(const std::vector<oci::IdMapping>& maps) {
  std::string out;
  for (const auto& m : maps)
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
           std::to_string(m.size) + "\n";
  return out;
}

Status WriteIdMaps(pid_t pid, const oci::Spec& spec) {
  std::string base = "/proc/" + std::to_string(pid);
  BERTH_TRY_CTX(fs::WriteFile(base + "/uid_map", IdMap(spec.linux.uid_mappings)),
                "write linux.uidMappings");
  BERTH_TRY_CTX(fs::WriteFile(base + "/gid_map", IdMap(spec.linux.gid_mappings)),
                "write linux.gidMappings");
  return Ok();
}

Status WritePidFile(const std::string& path, pid_t pid) {
  if (path.empty()) return Ok();
  auto abs = BERTH_TRY(fs::Absolute(path));
  return fs::AtomicWrite(abs, std::to_string(pid), 0644, /*sync=*/false)
      .Context("write pid file");
}

// The cgroup device rules: the config's, then what every container gets as
// with runc: mknod of any node (so linux.devices can be created; opening
// them still needs a rule), and /dev/null … /dev/tty, the console and ptys.
oci::Resources WithDefaultDevices(const oci::Spec& spec) {
  oci::Resources r = *spec.linux.resources;
  if (r.devices.empty()) return r;  // the config does not restrict devices
  auto allow = [&](const std::string& type, std::optional<int64_t> major,
                   std::optional<int64_t> minor, const char* access) {
    oci::DeviceCgroup d;
    d.allow = true;
    d.type = type;
    d.major = major;
    d.minor = minor;
    d.access = access;
    r.devices.push_back(d);
  };
  allow("c", std::nullopt, std::nullopt, "m");
  allow("b", std::nullopt, std::nullopt, "m");
  for (int minor : {3, 5, 7, 8, 9}) allow("c", 1, minor, "rwm");  // null zero full (u)random
  allow("c", 5, 0, "rwm");                                         // tty
  allow("c", 5, 1, "rwm");                                         // console
  allow("c", 5, 2, "rwm");                                         // ptmx
  allow("c", 136, std::nullopt, "rwm");                            // pts/*
  return r;
}

// Capabilities this kernel does not know are skipped (as runc does); say so.
void WarnUnknownCapabilities(const oci::Process& p) {
  if (!p.capabilities) return;
  std::vector<std::string> unknown;
  const auto& c = *p.capabilities;
  for (const auto* set : {&c.bounding, &c.effective, &c.inheritable, &c.permitted, &c.ambient})
    (void)sys::CapMask(*set, &unknown);
  std::sort(unknown.begin(), unknown.end());
  unknown.erase(std::unique(unknown.begin(), unknown.end()), unknown.end());
  for (const auto& u : unknown) log::Warn("unknown capability {} ignored", u);
}

void KillAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

cgroups::Options CgroupOptions(bool systemd) {
  cgroups::Options o;
  o.systemd = systemd;
  return o;
}

Result<Launched> Launch(const GlobalOptions& g, const CreateOptions& o, LaunchMode mode,
                        bool proxy_console) {
  if (!ValidId(o.id)) return Error::Invalid("invalid container id \"" + o.id + "\"");
  Launched out;
  std::string bundle = BERTH_TRY(fs::Absolute(o.bundle));
  out.spec = BERTH_TRY(oci::LoadSpec(fs::Join(bundle, "config.json")));
  oci::Spec& spec = out.spec;
  BERTH_TRY(oci::Validate(spec));
  log::Debug("{:.2f} ms: spec loaded", log::ElapsedMs());
  if (spec.process.terminal && o.console_socket.empty() && !proxy_console)
    return Error::Invalid(
        "process.terminal is true but no --console-socket was given to receive the terminal");
  std::string rootfs = spec.root.path[0] == '/' ? spec.root.path : fs::Join(bundle, spec.root.path);
  if (!fs::IsDir(rootfs))
    return Error(Code::kNotFound, "root.path: rootfs " + rootfs + " is not a directory", ENOENT);

  StateStore store(g.root);
  Rollback undo;
  BERTH_TRY(store.Claim(o.id));
  undo.Add([&] { (void)store.Remove(o.id); });

  // cgroup
  std::string cgroups_path = spec.linux.cgroups_path;
  out.cgroup = BERTH_TRY_CTX(cgroups::Manager::Open(cgroups_path, o.id, CgroupOptions(g.systemd_cgroup)),
                             "cgroup");
  BERTH_TRY_CTX(out.cgroup->Create(), "create cgroup");
  undo.Add([&] { (void)out.cgroup->Destroy(); });
  if (spec.linux.resources)
    BERTH_TRY_CTX(out.cgroup->Apply(WithDefaultDevices(spec)), "apply linux.resources");
  log::Debug("{:.2f} ms: cgroup created", log::ElapsedMs());

  WarnUnknownCapabilities(spec.process);
  std::optional<seccomp::Filter> filter;
  if (spec.linux.seccomp)
    filter = BERTH_TRY_CTX(seccomp::BuildCached(*spec.linux.seccomp, SeccompCacheDir(g)), "seccomp");

  InitContext ctx;
  ctx.spec = &spec;
  ctx.id = o.id;
  ctx.bundle = bundle;
  ctx.rootfs = rootfs;
  ctx.seccomp = filter ? &*filter : nullptr;
  ctx.preserve_fds = o.preserve_fds;
  ctx.rootfs_options.no_pivot = o.no_pivot;
  ctx.rootfs_options.cgroup_v2 = out.cgroup->version() == cgroups::Version::kV2;
  ctx.rootfs_options.cgroup_paths = out.cgroup->Paths();
  NsPlan plan = BERTH_TRY(PlanNamespaces(spec, ctx));

  unique_fd console;
  if (spec.process.terminal && !o.console_socket.empty()) {
    console = BERTH_TRY(ConnectConsoleSocket(o.console_socket));
    ctx.console_socket = console.get();
  }
  ctx.console_to_parent = spec.process.terminal && o.console_socket.empty();

  unique_fd start_listener;
  if (mode == LaunchMode::kCreate) {
    start_listener = BERTH_TRY(ListenStartSocket(store.StartSocketPath(o.id)));
    ctx.start_listener = start_listener.get();
  }

  auto [parent_sock, child_sock] = BERTH_TRY(SyncSocket::Pair());
  ctx.sync = &child_sock;
  ctx.hooks_after_namespaces = !spec.hooks.prestart.empty() || !spec.hooks.create_runtime.empty();
  ctx.new_user = plan.new_user;
  ctx.go_early = (ctx.unshare_flags & CLONE_NEWCGROUP) || ctx.fork_for_pid ||
                 ctx.hooks_after_namespaces || !spec.hooks.create_container.empty();

  pid_t pid = BERTH_TRY(sys::CloneProcess(plan.clone_flags));
  if (pid == 0) {
    parent_sock.Close();
    RunInit(ctx);
  }
  child_sock.Close();
  start_listener.reset();
  console.reset();
  plan.fds.clear();
  undo.Add([&pid] { KillAndReap(pid); });
  log::Debug("{:.2f} ms: cloned init", log::ElapsedMs());

  if (plan.new_user) {
    BERTH_TRY(WriteIdMaps(pid, spec));
    BERTH_TRY(parent_sock.Send(Msg::kMaps));
  }
  // init may already have failed (it sets up while we join the cgroup):
  // then its error, waiting in the channel, is the one to report.
  auto prefer_init_error = [&](Error e) -> Error {
    auto m = parent_sock.Recv();
    if (m.ok() && m->type == Msg::kError) return m->AsError();
    return e;
  };
  if (auto st = out.cgroup->AddProcess(pid); !st.ok())
    return prefer_init_error(std::move(st).error().Context("join cgroup"));
  if (auto st = parent_sock.Send(Msg::kGo, pid); !st.ok())
    return prefer_init_error(std::move(st).error());
  log::Debug("{:.2f} ms: init joined cgroup", log::ElapsedMs());

  if (ctx.fork_for_pid) {
    // init forked into the pid namespace it entered; the first child left.
    auto msg = BERTH_TRY(parent_sock.Expect(Msg::kPid));
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid = static_cast<pid_t>(msg.value);
  }
  if (ctx.hooks_after_namespaces) {
    BERTH_TRY(parent_sock.Expect(Msg::kNsReady));
    std::string state = HookState(o.id, bundle, pid, "creating", spec.annotations);
    BERTH_TRY(RunHooks(spec.hooks.prestart, state, "prestart"));
    BERTH_TRY(RunHooks(spec.hooks.create_runtime, state, "createRuntime"));
    BERTH_TRY(parent_sock.Send(Msg::kGo));
    log::Debug("{:.2f} ms: createRuntime hooks done", log::ElapsedMs());
  }

  // Recorded while init sets itself up.
  Record& r = out.record;
  r.id = o.id;
  r.bundle = bundle;
  r.pid = pid;
  auto start_time = sys::ProcessStartTime(pid);
  r.start_time = start_time.ok() ? *start_time : 0;
  r.created = NowRfc3339Nano();
  r.cgroups_path = spec.linux.cgroups_path;
  r.systemd_cgroup = g.systemd_cgroup;
  r.owner = ::getuid();
  r.started = mode == LaunchMode::kRun;
  r.annotations = spec.annotations;
  BERTH_TRY(store.SaveConfig(o.id, spec));
  BERTH_TRY(store.Save(r));
  BERTH_TRY(WritePidFile(o.pid_file, pid));

  if (mode == LaunchMode::kCreate) {
    BERTH_TRY(parent_sock.Expect(Msg::kReady));
    log::Debug("{:.2f} ms: init ready", log::ElapsedMs());
  }
  out.sync = std::move(parent_sock);
  undo.Commit();
  return out;
}

Status Create(const GlobalOptions& g, const CreateOptions& o) {
  auto launched = Launch(g, o, LaunchMode::kCreate, /*proxy_console=*/false);
  if (!launched.ok()) return std::move(launched).error();
  return Ok();
}

bool ValidId(const std::string& id) {
  if (id.empty() || id == "." || id == ".." || id.size() > 1024) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace berth::runtime
