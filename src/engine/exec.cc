// exec: a process in a running container, under its own monitor.
#include <chrono>
#include <thread>

#include "base/fs.h"
#include "base/log.h"
#include "base/strings.h"
#include "engine/engine_impl.h"
#include "monitor/monitor_client.h"
#include "oci/runtime_spec_codec.h"
#include "sys/capabilities.h"

namespace berth::engine {
namespace {

Error NotRunning(const Container& c) {
  return Error(Code::kConflict, "Container " + c.id + " is not running");
}

// exec's --user: "uid", "uid:gid" or a name looked up in the container's
// /etc/passwd (and a group name in /etc/group).
Result<oci::User> ExecUser(const std::string& rootfs, const std::string& spec) {
  oci::User u;
  auto [user, group] = str::Cut(spec, ':');
  auto lookup = [&](const std::string& file, const std::string& name, int idx) -> Result<uint32_t> {
    if (auto n = str::ParseUint(name)) return static_cast<uint32_t>(*n);
    auto text = fs::ReadFile(fs::Join(rootfs, file));
    if (text.ok())
      for (const auto& line : str::Split(*text, '\n')) {
        auto f = str::Split(line, ':');
        if (f.size() > 3 && f[0] == name)
          if (auto n = str::ParseUint(f[static_cast<size_t>(idx)])) return static_cast<uint32_t>(*n);
      }
    return Error::Invalid("unable to find " + std::string(file == "etc/passwd" ? "user " : "group ") +
                          name + ": no matching entries in " +
                          (file == "etc/passwd" ? "passwd" : "group") + " file");
  };
  u.uid = BERTH_TRY(lookup("etc/passwd", user, 2));
  if (!group.empty()) {
    u.gid = BERTH_TRY(lookup("etc/group", group, 2));
  } else if (!str::ParseUint(user)) {
    auto text = fs::ReadFile(fs::Join(rootfs, "etc/passwd"));
    if (text.ok())
      for (const auto& line : str::Split(*text, '\n')) {
        auto f = str::Split(line, ':');
        if (f.size() > 3 && f[0] == user)
          if (auto n = str::ParseUint(f[3])) u.gid = static_cast<uint32_t>(*n);
      }
  }
  return u;
}

}  // namespace

Result<std::string> Engine::ExecCreate(const std::string& name, const ExecConfig& cfg) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  {
    std::lock_guard lock(c->mu);
    if (c->state.status == ContainerStatus::kPaused)
      return Error(Code::kConflict,
                   "Container " + c->id + " is paused, unpause the container before exec");
    if (c->state.status != ContainerStatus::kRunning) return NotRunning(*c);
  }
  if (cfg.cmd.empty()) return Error::Invalid("No exec command specified");
  auto e = std::make_shared<Exec>();
  e->id = NewId();
  e->container_id = c->id;
  e->config = cfg;
  e->dir = fs::Join(fs::Join(m.RunDir(c->id), "exec"), e->id);
  {
    std::lock_guard lock(m.mu);
    m.execs[e->id] = e;
  }
  m.Publish("exec_create: " + str::Join(cfg.cmd, " "), *c, {{"execID", e->id}});
  return e->id;
}

Result<unique_fd> Engine::ExecStart(const std::string& exec_id, bool detach, bool tty) {
  Impl& m = *impl_;
  std::shared_ptr<Exec> e;
  {
    std::lock_guard lock(m.mu);
    auto it = m.execs.find(exec_id);
    if (it == m.execs.end()) return Error(Code::kNotFound, "No such exec instance: " + exec_id);
    e = it->second;
    if (e->started) return Error(Code::kConflict, "Error: Exec command " + exec_id + " has already run");
    e->started = true;
  }
  ContainerPtr c = BERTH_TRY(m.Find(e->container_id));
  {
    std::lock_guard lock(c->mu);
    if (c->state.status != ContainerStatus::kRunning) return NotRunning(*c);
  }
  const ExecConfig& cfg = e->config;
  oci::Spec spec =
      BERTH_TRY(oci::LoadSpec(fs::Join(m.RunDir(c->id), "config.json")));
  oci::Process p = spec.process;
  p.args = cfg.cmd;
  p.terminal = tty || cfg.tty;
  for (const auto& kv : cfg.env) {
    auto key = kv.substr(0, kv.find('='));
    std::erase_if(p.env, [&](const std::string& x) { return x.substr(0, x.find('=')) == key; });
    p.env.push_back(kv);
  }
  if (!cfg.working_dir.empty()) p.cwd = cfg.working_dir;
  if (!cfg.user.empty()) {
    oci::User u = BERTH_TRY(ExecUser(m.MergedDir(c->id), cfg.user));
    p.user.uid = u.uid;
    p.user.gid = u.gid;
    p.user.additional_gids.clear();
  }
  if (cfg.privileged) {
    std::vector<std::string> all = sys::AllCapNames();
    p.capabilities = oci::Capabilities{all, all, all, all, {}};
  }
  BERTH_TRY(fs::MkdirAll(e->dir, 0700));
  std::string process_file = fs::Join(e->dir, "process.json");
  BERTH_TRY(fs::AtomicWrite(process_file, oci::ToJson(p).dump(), 0600, false));

  monitor::SpawnOptions so;
  so.monitor_path = m.opts.monitor_path;
  so.exec_mode = true;
  so.id = c->id;
  so.runtime_root = m.rt.root;
  so.dir = e->dir;
  so.process_file = process_file;
  so.tty = p.terminal;
  so.stdin_open = cfg.attach_stdin && !detach;
  so.stdin_once = true;
  BERTH_TRY(monitor::Spawn(so));
  unique_fd conn;
  if (!detach) {
    // A stream the client did not attach is discarded (docker exec_run(stderr=False)).
    conn = BERTH_TRY(
        monitor::Attach(e->dir, cfg.attach_stdin, cfg.attach_stdout, cfg.attach_stderr));
  }
  auto started = monitor::Start(e->dir);
  if (!started.ok()) {
    Error err = std::move(started).error();
    {
      std::lock_guard lock(m.mu);
      e->has_exit = true;
      e->exit_code = 126;  // dockerd: 126 for any exec that fails to start (not found too)
    }
    if (auto w = monitor::WaitConnection(e->dir); w.ok()) (void)monitor::ReadWaitReply(w->get());
    (void)fs::RemoveAll(e->dir);
    if (detach) return Error(Code::kInternal, "OCI runtime exec failed: " + err.message());
    // Attached: the client reads the error from the stream and the exit code
    // from exec inspect, as with Docker.
    return Error(Code::kInternal, "OCI runtime exec failed: " + err.message() + ": unknown");
  }
  {
    std::lock_guard lock(m.mu);
    e->running = true;
    e->pid = started->pid;
  }
  m.Publish("exec_start: " + str::Join(cfg.cmd, " "), *c, {{"execID", e->id}});
  auto w = monitor::WaitConnection(e->dir);
  if (w.ok())
    m.Watch(c->id, e->id, std::move(*w));
  else
    m.OnExecExit(e->id);
  return conn;
}

void Engine::Impl::OnExecExit(const std::string& exec_id) {
  std::shared_ptr<Exec> e;
  {
    std::lock_guard lock(mu);
    auto it = execs.find(exec_id);
    if (it == execs.end()) return;
    e = it->second;
  }
  auto ex = monitor::ReadExit(e->dir);
  {
    std::lock_guard lock(mu);
    e->running = false;
    e->has_exit = true;
    e->exit_code = ex.ok() ? ex->exit_code : 126;
  }
  (void)fs::RemoveAll(e->dir);
  if (auto c = Find(e->container_id); c.ok()) {
    Publish("exec_die", **c, {{"execID", e->id}, {"exitCode", std::to_string(e->exit_code)}});
    std::lock_guard lock((*c)->mu);
    (*c)->cv.notify_all();
  }
}

Result<json> Engine::ExecInspect(const std::string& exec_id) {
  Impl& m = *impl_;
  std::lock_guard lock(m.mu);
  auto it = m.execs.find(exec_id);
  if (it == m.execs.end()) return Error(Code::kNotFound, "No such exec instance: " + exec_id);
  const Exec& e = *it->second;
  const ExecConfig& c = e.config;
  json args = json::array();
  for (size_t i = 1; i < c.cmd.size(); i++) args.push_back(c.cmd[i]);
  bool running = e.running;
  json exit_code = e.has_exit ? json(e.exit_code) : json(nullptr);
  // The monitor writes exit.json before it ends the attach stream; the
  // watcher may not have read it yet. Docker's exec start returns after the
  // exit is recorded (docker-py's exec_run inspects right after).
  if (running && !e.has_exit)
    if (auto ex = monitor::ReadExit(e.dir); ex.ok()) {
      running = false;
      exit_code = ex->exit_code;
    }
  return json{
      {"ID", e.id},
      {"Running", running},
      {"ExitCode", exit_code},
      {"ProcessConfig",
       {{"tty", c.tty},
        {"entrypoint", c.cmd.empty() ? "" : c.cmd[0]},
        {"arguments", args},
        {"privileged", c.privileged},
        {"user", c.user}}},
      {"OpenStdin", c.attach_stdin},
      {"OpenStderr", c.attach_stderr},
      {"OpenStdout", c.attach_stdout},
      {"CanRemove", false},
      {"ContainerID", e.container_id},
      {"DetachKeys", c.detach_keys},
      {"Pid", e.pid},
  };
}

Status Engine::ExecResize(const std::string& exec_id, int height, int width) {
  Impl& m = *impl_;
  std::shared_ptr<Exec> e;
  {
    std::lock_guard lock(m.mu);
    auto it = m.execs.find(exec_id);
    if (it == m.execs.end()) return Error(Code::kNotFound, "No such exec instance: " + exec_id);
    e = it->second;
  }
  // docker exec -ti resizes as soon as its stream is hijacked, which can be
  // before the exec's monitor listens (it keeps a size sent before the
  // start): wait for it a little while the exec is starting.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    Status st = monitor::Resize(e->dir, height, width);
    if (st.ok()) return st;
    bool starting;
    {
      std::lock_guard lock(m.mu);
      starting = e->started && !e->has_exit;
    }
    if (!starting || std::chrono::steady_clock::now() > deadline) return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace berth::engine
