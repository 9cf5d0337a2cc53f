#include "monitor/process.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/fs.h"
#include "oci/runtime_spec_codec.h"
#include "runtime/cgroups/cgroupfs.h"
#include "runtime/hooks.h"
#include "runtime/init.h"
#include "runtime/launch.h"
#include "runtime/runtime.h"

namespace berth::monitor {
namespace {

struct Pipe {
  unique_fd read, write;
};

Result<Pipe> MakePipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return Error::Sys("pipe");
  return Pipe{unique_fd(p[0]), unique_fd(p[1])};
}

Status SetNonBlocking(int fd) {
  int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return Error::Sys("fcntl O_NONBLOCK");
  return Ok();
}

// Puts the child's ends of its stdio on 0/1/2 while the runtime forks the
// process (which inherits them), and /dev/null back afterwards, so the
// monitor never holds a write end of the output pipes.
class StdioSwap {
 public:
  Status Put(int fd, int target) {
    if (fd >= 0 && ::dup2(fd, target) < 0) return Error::Sys("dup2 onto fd " + std::to_string(target));
    return Ok();
  }
  ~StdioSwap() {
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) return;
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    ::close(null);
  }
};

runtime::GlobalOptions Global(const SpawnOptions& o) {
  runtime::GlobalOptions g;
  g.root = o.runtime_root;
  return g;
}

// Launches the container's init (run mode: it execs once set up).
Result<pid_t> StartInit(const SpawnOptions& o, unique_fd& pty) {
  runtime::CreateOptions co;
  co.id = o.id;
  co.bundle = o.bundle;
  runtime::Launched l = BERTH_TRY(runtime::Launch(Global(o), co, runtime::LaunchMode::kRun, o.tty));
  runtime::StateStore store(o.runtime_root);
  auto master = runtime::AwaitExec(l.sync);
  if (!master.ok()) {
    (void)runtime::Destroy(store, l.record, &l.spec);
    return std::move(master).error();
  }
  l.sync.Close();
  const runtime::Record& r = l.record;
  runtime::RunHooksWarnOnly(l.spec.hooks.poststart,
                            runtime::HookState(r.id, r.bundle, r.pid, "running", r.annotations),
                            "poststart");
  pty = std::move(*master);
  return r.pid;
}

Result<pid_t> StartExec(const SpawnOptions& o, unique_fd& pty) {
  std::string text = BERTH_TRY(fs::ReadFile(o.process_file));
  runtime::ExecOptions eo;
  eo.id = o.id;
  eo.process = BERTH_TRY_CTX(oci::ParseProcess(text), "parse " + o.process_file);
  eo.process.terminal = o.tty;
  runtime::ExecProcess p = BERTH_TRY(runtime::StartExec(Global(o), eo));
  pty = std::move(p.pty_master);
  return p.pid;
}

}  // namespace

Result<Running> StartProcess(const SpawnOptions& o) {
  Running r;
  unique_fd pty;
  {
    Pipe out, err, in;
    StdioSwap swap;
    if (!o.tty) {
      out = BERTH_TRY(MakePipe());
      err = BERTH_TRY(MakePipe());
      BERTH_TRY(swap.Put(out.write.get(), 1));
      BERTH_TRY(swap.Put(err.write.get(), 2));
      if (o.stdin_open) {
        in = BERTH_TRY(MakePipe());
        BERTH_TRY(swap.Put(in.read.get(), 0));
      }
    }
    r.pid = BERTH_TRY(o.exec_mode ? StartExec(o, pty) : StartInit(o, pty));
    r.out = std::move(out.read);
    r.err = std::move(err.read);
    r.in = std::move(in.write);
  }  // the child's ends close here
  if (pty) {
    int dup = ::fcntl(pty.get(), F_DUPFD_CLOEXEC, 3);
    if (dup < 0) return Error::Sys("dup the pty master");
    r.in.reset(dup);  // the monitor writes stdin here; reads output from r.out
    r.out = std::move(pty);
  }
  for (int fd : {r.out.get(), r.err.get(), r.in.get()})
    if (fd >= 0) BERTH_TRY(SetNonBlocking(fd));
  return r;
}

bool OomKilled(const SpawnOptions& o) {
  runtime::StateStore store(o.runtime_root);
  auto rec = store.Load(o.id);
  if (!rec.ok()) return false;
  auto cg = cgroups::Manager::Open(rec->cgroups_path, rec->id,
                                   runtime::CgroupOptions(rec->systemd_cgroup));
  if (!cg.ok()) return false;
  for (const auto& [name, dir] : (*cg)->Paths()) {
    std::string file;
    if (name.empty())
      file = dir + "/memory.events";
    else if (name.find("memory") != std::string::npos)
      file = dir + "/memory.oom_control";
    else
      continue;
    auto text = fs::ReadFile(file);
    if (!text.ok()) continue;
    auto kv = cgroups::ParseFlatKeyed(*text);
    auto it = kv.find("oom_kill");
    if (it != kv.end() && it->second > 0) return true;
  }
  return false;
}

Status DeleteContainer(const SpawnOptions& o) {
  runtime::StateStore store(o.runtime_root);
  auto rec = store.Load(o.id);
  if (!rec.ok()) {
    if (rec.error().code() == Code::kNotFound) return Ok();
    return std::move(rec).error();
  }
  auto spec = store.LoadConfig(o.id);
  return runtime::Destroy(store, *rec, spec.ok() ? &*spec : nullptr, /*init_reaped=*/true);
}

}  // namespace berth::monitor
