// Starting a container: overlay rootfs, /etc files, OCI spec, monitor.
#include <sys/mount.h>
#include <unistd.h>

#include <set>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/fs.h"
#include "base/json_fields.h"
#include "base/log.h"
#include "base/scope_guard.h"
#include "base/strings.h"
#include "engine/engine_impl.h"
#include "engine/spec/spec_builder.h"
#include "engine/start_env.h"
#include "network/manager.h"
#include "monitor/monitor_client.h"
#include "oci/runtime_spec_codec.h"

namespace berth::engine {
namespace {

// "10m", "1g", "512k", "100" → bytes (Docker's log-opt max-size).
int64_t ParseSize(const std::string& s) {
  if (s.empty()) return 0;
  char unit = static_cast<char>(tolower(s.back()));
  int64_t mult = 1;
  std::string num = s;
  if (unit == 'k' || unit == 'm' || unit == 'g') {
    mult = unit == 'k' ? 1024 : unit == 'm' ? 1024 * 1024 : 1024LL * 1024 * 1024;
    num.pop_back();
  }
  auto v = str::ParseInt(num);
  return v ? *v * mult : 0;
}

// The link variables before the container's own Env; a name the container
// sets itself keeps the container's value.
void AddLinkEnv(json* config, const std::vector<std::string>& link_env) {
  if (link_env.empty()) return;
  std::vector<std::string> own = jsonf::Strings(config->value("Env", json()));
  std::set<std::string> keys;
  for (const std::string& e : own) keys.insert(e.substr(0, e.find('=')));
  json env = json::array();
  for (const std::string& e : link_env)
    if (!keys.count(e.substr(0, e.find('=')))) env.push_back(e);
  for (const std::string& e : own) env.push_back(e);
  (*config)["Env"] = env;
}

// Sets each "NAME=value" in config's Env, replacing an entry of that name.
void AddEnv(json* config, const std::vector<std::string>& extra) {
  if (extra.empty()) return;
  json env = config->value("Env", json::array());
  if (!env.is_array()) env = json::array();
  for (const std::string& kv : extra) {
    std::string key = kv.substr(0, kv.find('='));
    json kept = json::array();
    for (const json& e : env)
      if (!e.is_string() || e.get<std::string>().substr(0, e.get<std::string>().find('=')) != key)
        kept.push_back(e);
    kept.push_back(kv);
    env = std::move(kept);
  }
  (*config)["Env"] = std::move(env);
}

}  // namespace

Status MountRootfs(Engine::Impl& m, const Container& c) {
  std::string dir = m.ContainerDir(c.id);
  std::string lower = BERTH_TRY_CTX(m.opts.images->LayerDirs(c.image_id), "image layers");
  if (lower.empty()) {
    lower = fs::Join(dir, "fs/empty");
    BERTH_TRY(fs::MkdirAll(lower, 0755));
  }
  std::string merged = m.MergedDir(c.id);
  ::umount2(merged.c_str(), MNT_DETACH);  // left over from a crash or a cp
  std::string data = "lowerdir=" + lower + ",upperdir=" + fs::Join(dir, "fs/upper") +
                     ",workdir=" + fs::Join(dir, "fs/work");
  if (::mount("overlay", merged.c_str(), "overlay", 0, data.c_str()) < 0)
    return Error::Sys("mount overlay on " + merged);
  return Ok();
}

Status WriteEtcFiles(Engine::Impl& m, const Container& c, const std::string& ip) {
  std::string dir = m.ContainerDir(c.id);
  std::string hostname = c.config.value("Hostname", c.id.substr(0, 12));
  const json& hc = c.host_config;
  BERTH_TRY(fs::AtomicWrite(fs::Join(dir, "hostname"), hostname + "\n", 0644, false));
  BERTH_TRY(fs::AtomicWrite(fs::Join(dir, "hosts"), m.HostsText(c, c.links, ip), 0644, false));
  auto host_resolv = fs::ReadFile("/etc/resolv.conf");
  std::string host_text = host_resolv.ok() ? *host_resolv : "";
  std::vector<std::string> search = jsonf::Strings(hc.value("DnsSearch", json()));
  std::vector<std::string> options = jsonf::Strings(hc.value("DnsOptions", json()));
  // With the embedded DNS the --dns servers are its upstreams (dns.cc).
  std::string resolv = m.EmbeddedDns(c) && ip != ""
                           ? EmbeddedResolvConf(host_text, search, options)
                           : ResolvConf(host_text, jsonf::Strings(hc.value("Dns", json())), search, options);
  BERTH_TRY(fs::AtomicWrite(fs::Join(dir, "resolv.conf"), resolv, 0644, false));
  return Ok();
}

Status Engine::Impl::StartLocked(const ContainerPtr& c, bool restarting) {
  {
    std::lock_guard lock(c->mu);
    if (c->removed) return NoSuchContainer(c->id);
    if (c->state.status == ContainerStatus::kRunning || c->state.status == ContainerStatus::kPaused)
      return Error(Code::kAlreadyExists, "container already started");
    if (c->state.status == ContainerStatus::kRestarting && !restarting) {
      // The user starts it during a restart back-off: start now.
    }
  }
  const std::string& id = c->id;
  std::string run_dir = RunDir(id);
  std::string dir = ContainerDir(id);
  std::string merged = MergedDir(id);
  std::string name = c->name.empty() ? id.substr(0, 12) : c->name.substr(1);
  // Errors name the container and the phase, except those docker words
  // itself for the user (a port clash, a bad --ip, container: of a
  // stopped one), which keep docker's text.
  auto in_phase = [&](const std::string& phase, Error e) -> Error {
    if (e.code() == Code::kInvalidArgument || e.code() == Code::kConflict) return e;
    // kAlreadyExists means "already started" to the callers (304).
    if (e.code() == Code::kAlreadyExists) e = Error(Code::kInternal, e.message(), e.err());
    return std::move(e).Context(fmt::format("start container {}: {}", name, phase));
  };
  auto fail = [&](Error e) -> Error {
    std::lock_guard lock(c->mu);
    c->state.error = e.message();
    if (c->state.status == ContainerStatus::kRestarting) c->state.status = ContainerStatus::kExited;
    (void)Save(*c);
    return e;
  };
  // Phases, cheapest and likeliest to fail first; each guard undoes its
  // step unless the monitor reports the container started.
  (void)fs::RemoveAll(run_dir);
  (void)runtime::Delete(rt, id, /*force=*/true);  // stale state from a crash
  if (auto st = fs::MkdirAll(run_dir, 0700); !st.ok())
    return fail(in_phase("create the run directory", std::move(st).error()));
  ScopeGuard undo_run_dir([&] { (void)fs::RemoveAll(run_dir); });

  if (auto st = MountRootfs(*this, *c); !st.ok())
    return fail(in_phase("mount the rootfs", std::move(st).error()));
  ScopeGuard undo_rootfs([&] { ::umount2(merged.c_str(), MNT_DETACH); });

  auto volume_mounts = SetupMounts(*c, merged);
  if (!volume_mounts.ok()) return fail(in_phase("set up mounts", std::move(volume_mounts).error()));
  ScopeGuard undo_mounts([&] { ReleaseMounts(*c); });

  auto link_env = CheckLinks(*c, c->links);
  if (!link_env.ok()) return fail(in_phase("set up links", std::move(link_env).error()));

  auto net = SetupNetwork(c);
  if (!net.ok()) return fail(in_phase("set up network", std::move(net).error()));
  ScopeGuard undo_network([&] { TeardownNetwork(id); });

  if (auto st = WriteEtcFiles(*this, *c, net->ip); !st.ok())
    return fail(in_phase("write /etc files", std::move(st).error()));

  SpecInput in;
  in.id = id;
  in.config = c->config;
  AddLinkEnv(&in.config, *link_env);
  if (opts.start_env) {
    StartEnvInput ei;
    ei.id = id;
    ei.name = c->name.empty() ? id : c->name.substr(1);
    ei.image_id = c->image_id;
    ei.config = &c->config;
    ei.ip = net->ip;
    ei.gateway = net->gateway;
    AddEnv(&in.config, opts.start_env(ei));
  }
  in.host_config = c->host_config;
  in.rootfs = merged;
  in.hostname_path = fs::Join(dir, "hostname");
  in.hosts_path = fs::Join(dir, "hosts");
  in.resolv_conf_path = fs::Join(dir, "resolv.conf");
  in.init_path = opts.init_path;
  in.cgroup_parent = opts.cgroup_parent;
  in.netns = net->netns;
  in.mounts = std::move(*volume_mounts);
  auto spec = BuildSpec(in);
  if (!spec.ok()) return fail(in_phase("build the OCI spec", std::move(spec).error()));
  std::string bundle_cfg = fs::Join(run_dir, "config.json");
  if (auto st = fs::AtomicWrite(bundle_cfg, oci::ToJson(*spec).dump(), 0600, false); !st.ok())
    return fail(in_phase("write the OCI spec", std::move(st).error()));

  monitor::SpawnOptions so;
  so.monitor_path = opts.monitor_path;
  so.id = id;
  so.bundle = run_dir;
  so.runtime_root = rt.root;
  so.dir = run_dir;
  const json& lc = c->host_config.value("LogConfig", json::object());
  std::string driver = lc.value("Type", "json-file");
  if (driver != "none") {
    so.log_path = LogPath(id);
    const json& lo = lc.value("Config", json::object());
    if (lo.is_object()) {
      so.log_max_size = ParseSize(lo.value("max-size", ""));
      auto files = str::ParseInt(lo.value("max-file", "1"));
      so.log_max_files = files && *files > 0 ? static_cast<int>(*files) : 1;
    }
  }
  so.tty = c->Tty();
  so.stdin_open = c->config.value("OpenStdin", false);
  // As docker's attach (CloseStdin && !TTY): with a tty the end of an
  // attached stdin (a client that detached, ctrl-p ctrl-q) never closes
  // the container's input.
  so.stdin_once = c->config.value("StdinOnce", false) && !so.tty;
  so.rootfs_mount = merged;
  auto pid = monitor::Spawn(so);
  if (!pid.ok()) return fail(in_phase("start the container's monitor", std::move(pid).error()));

  // Attach the clients waiting for this start before it produces output.
  {
    std::lock_guard lock(c->mu);
    for (PendingAttach* p : c->pending_attaches) {
      auto fd = monitor::Attach(run_dir, p->in, p->out, p->err);
      if (fd.ok())
        p->fd = std::move(*fd);
      else
        p->error = fd.error().message();
      p->done = true;
    }
    c->pending_attaches.clear();
    c->cv.notify_all();
  }

  auto started = monitor::Start(run_dir);
  if (!started.ok()) {
    Error e = std::move(started).error();
    int code = e.err() ? e.err() : 128;
    // The monitor records the failure, cleans up and exits.
    if (auto conn = monitor::WaitConnection(run_dir); conn.ok())
      (void)monitor::ReadWaitReply(conn->get());
    // Undone before the waiters see the exit.
    undo_network.Run();
    undo_mounts.Run();
    undo_rootfs.Run();
    undo_run_dir.Run();
    std::lock_guard lock(c->mu);
    c->state.exit_code = code;
    c->state.error = e.message();
    if (c->state.status == ContainerStatus::kRestarting) c->state.status = ContainerStatus::kExited;
    (void)Save(*c);
    c->exit_generation++;
    c->cv.notify_all();
    Publish("die", *c, {{"exitCode", std::to_string(code)}});
    return Error(Code::kInvalidArgument,
                 "failed to create task for container: OCI runtime create failed: " + e.message() +
                     ": unknown",
                 code);
  }
  // Started: what the phases set up is the running container's now.
  undo_network.Dismiss();
  undo_mounts.Dismiss();
  undo_rootfs.Dismiss();
  undo_run_dir.Dismiss();
  uint64_t start_gen = 0;
  {
    std::lock_guard lock(c->mu);
    RunState& s = c->state;
    s.status = ContainerStatus::kRunning;
    s.pid = started->pid;
    s.exit_code = 0;
    s.error.clear();
    s.oom_killed = false;
    s.started_at = NowRfc3339Nano();
    s.finished_at = "0001-01-01T00:00:00Z";
    // A probe to run (not --no-healthcheck's ["NONE"], not an empty Test):
    // docker has no State.Health otherwise.
    json hc = c->config.value("Healthcheck", json());
    json hc_test = hc.is_object() ? hc.value("Test", json()) : json();
    if (hc_test.is_array() && !hc_test.empty() && hc_test[0].is_string() && hc_test[0] != "NONE")
      s.health_status = "starting";
    c->has_been_started = true;
    c->manually_stopped = false;
    start_gen = ++c->start_generation;
    if (auto sv = Save(*c); !sv.ok()) log::Warn("container {}: {}", id, sv.error().message());
    c->cv.notify_all();
  }
  Publish("start", *c);
  UpdateLinkedHosts(id);  // containers linking to this one see its new address
  StartHealthcheck(c);
  auto conn = monitor::WaitConnection(run_dir);
  if (conn.ok())
    Watch(id, "", std::move(*conn), start_gen);
  else
    OnContainerExit(id, start_gen);
  return Ok();
}

Status Engine::Start(const std::string& name) {
  ContainerPtr c = BERTH_TRY(impl_->Find(name));
  std::lock_guard op(c->op_mu);
  {
    std::lock_guard lock(c->mu);
    if (c->state.status == ContainerStatus::kPaused)
      return Error(Code::kConflict, "cannot start a paused container, try unpause instead");
  }
  auto st = impl_->StartLocked(c, false);
  // docker run --rm waits for the removal even when the start failed.
  if (!st.ok() && st.error().code() != Code::kAlreadyExists &&
      c->host_config.value("AutoRemove", false) && impl_->RemoveFiles(c).ok())
    impl_->RemoveAnonymousVolumes(*c);
  return st;
}

}  // namespace berth::engine
