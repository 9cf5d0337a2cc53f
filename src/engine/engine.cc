// Opening the engine, finding containers, persisting them, and watching
// monitors for exits (one epoll thread for all of them).
#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/random.h"
#include "engine/engine_impl.h"
#include "monitor/monitor_client.h"
#include "network/manager.h"

namespace berth::engine {

std::string NewId() { return rnd::Hex(32); }

std::string RandomName() {
  static const char* const kAdjectives[] = {
      "agile", "bold", "brave", "calm", "clever", "eager", "fancy", "gentle", "happy", "keen",
      "lucid", "merry", "nimble", "proud", "quiet", "rapid", "serene", "sharp", "stoic", "tender",
      "vivid", "wise", "witty", "zealous", "amazing", "busy", "cool", "dreamy", "elated", "focused"};
  static const char* const kNouns[] = {
      "otter", "falcon", "harbor", "lagoon", "anchor", "beacon", "canal", "delta", "ferry",
      "galley", "inlet", "jetty", "keel", "lantern", "marina", "mooring", "oar", "pier", "quay",
      "rudder", "schooner", "tide", "vessel", "wharf", "yacht", "buoy", "cove", "dock", "mast",
      "sail"};
  unsigned char r[2];
  rnd::Fill(r, sizeof r);
  return fmt::format("{}_{}", kAdjectives[r[0] % std::size(kAdjectives)],
                     kNouns[r[1] % std::size(kNouns)]);
}

Error NoSuchContainer(const std::string& name) {
  return Error(Code::kNotFound, "No such container: " + name);
}

Engine::Impl::Impl(Options o) : opts(std::move(o)) {
  rt.root = fs::Join(opts.exec_root, "runtime");
}

std::string Engine::Impl::ContainerDir(const std::string& id) const {
  return fs::Join(fs::Join(opts.data_root, "containers"), id);
}
std::string Engine::Impl::RunDir(const std::string& id) const {
  return fs::Join(fs::Join(opts.exec_root, "containers"), id);
}
std::string Engine::Impl::MergedDir(const std::string& id) const {
  return fs::Join(ContainerDir(id), "fs/merged");
}
std::string Engine::Impl::LogPath(const std::string& id) const {
  return fs::Join(ContainerDir(id), id + "-json.log");
}

Result<ContainerPtr> Engine::Impl::Find(const std::string& name) {
  std::lock_guard lock(mu);
  if (name.empty()) return NoSuchContainer(name);
  if (auto it = containers.find(name); it != containers.end()) return it->second;
  std::string n = name[0] == '/' ? name : "/" + name;
  if (auto it = names.find(n); it != names.end()) return containers.at(it->second);
  ContainerPtr match;
  for (auto& [id, c] : containers) {
    if (id.compare(0, name.size(), name) != 0) continue;
    if (match)
      return Error(Code::kInvalidArgument,
                   "multiple containers found with provided prefix: " + name);
    match = c;
  }
  if (!match) return NoSuchContainer(name);
  return match;
}

std::vector<ContainerPtr> Engine::Impl::All() {
  std::lock_guard lock(mu);
  std::vector<ContainerPtr> out;
  out.reserve(containers.size());
  for (auto& [id, c] : containers) out.push_back(c);
  return out;
}

Status Engine::Impl::Save(const Container& c) {
  // No fsync: rename makes the update atomic against a crash of berthd;
  // the record is rewritten on every state change.
  return fs::AtomicWrite(fs::Join(ContainerDir(c.id), "config.v2.json"), ToRecord(c).dump(), 0600,
                         /*sync=*/false);
}

void Engine::Impl::Publish(const std::string& action, const Container& c,
                           std::map<std::string, std::string> extra) {
  if (!opts.events) return;
  extra["name"] = c.name.empty() ? "" : c.name.substr(1);
  extra["image"] = c.config.value("Image", c.image_id);
  if (c.config.contains("Labels") && c.config["Labels"].is_object())
    for (auto& [k, v] : c.config["Labels"].items())
      if (v.is_string()) extra.emplace(k, v.get<std::string>());
  opts.events("container", action, c.id, std::move(extra));
}

// ---- exit watching ----

void Engine::Impl::Watch(const std::string& container_id, const std::string& exec_id,
                         unique_fd fd, uint64_t start_gen) {
  {
    std::lock_guard lock(watch_mu);
    to_add.push_back({container_id, exec_id, std::move(fd), start_gen});
  }
  uint64_t one = 1;
  (void)!::write(wake_fd, &one, sizeof one);
}

void Engine::Impl::WatcherLoop() {
  epoll_event evs[64];
  while (!stopping) {
    int n = epoll_wait(epfd, evs, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      log::Error("exit watcher: epoll_wait: {}", strerror(errno));
      return;
    }
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == wake_fd) {
        uint64_t v;
        (void)!::read(wake_fd, &v, sizeof v);
        std::lock_guard lock(watch_mu);
        for (Watched& w : to_add) {
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLRDHUP;
          ev.data.fd = w.fd.get();
          if (epoll_ctl(epfd, EPOLL_CTL_ADD, w.fd.get(), &ev) < 0) {
            log::Warn("exit watcher: epoll_ctl: {}", strerror(errno));
            continue;
          }
          int key = w.fd.get();
          watched.emplace(key, std::move(w));
        }
        to_add.clear();
        continue;
      }
      Watched w;
      {
        std::lock_guard lock(watch_mu);
        auto it = watched.find(fd);
        if (it == watched.end()) continue;
        w = std::move(it->second);
        watched.erase(it);
      }
      epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr);
      (void)monitor::ReadWaitReply(w.fd.get());
      w.fd.reset();
      if (stopping) return;
      if (w.exec_id.empty())
        OnContainerExit(w.container_id, w.start_gen);
      else
        OnExecExit(w.exec_id);
    }
  }
}

void Engine::Impl::OnContainerExit(const std::string& id, std::optional<uint64_t> start_gen) {
  ContainerPtr c;
  {
    std::lock_guard lock(mu);
    auto it = containers.find(id);
    if (it == containers.end()) return;
    c = it->second;
  }
  {
    std::lock_guard lock(c->mu);
    if (!c->Running() && c->state.status != ContainerStatus::kCreated) return;  // recorded
    // Restarting: this run's exit was recorded and the next has not begun.
    if (c->state.status == ContainerStatus::kRestarting) return;
    if (start_gen && *start_gen != c->start_generation) return;  // an earlier run's exit
  }
  // The status still says running, so no start can begin (StartLocked
  // refuses) until it changes below: what is released here is this run's,
  // and it is released without c->mu (Detach takes the network's lock).
  std::string dir = RunDir(id);
  auto ex = monitor::ReadExit(dir);
  // The monitor cleans up after the container; if it died first, do it here.
  ::umount2(MergedDir(id).c_str(), MNT_DETACH);
  (void)runtime::Delete(rt, id, /*force=*/true);
  ReleaseMounts(*c);
  // Before the state changes: a start right after the exit attaches anew.
  TeardownNetwork(id);
  {
    std::lock_guard lock(c->mu);
    RunState& s = c->state;
    s.status = ContainerStatus::kExited;
    s.pid = 0;
    if (ex.ok()) {
      s.exit_code = ex->exit_code;
      s.oom_killed = ex->oom_killed;
      s.finished_at = ex->finished_at.empty() ? NowRfc3339Nano() : ex->finished_at;
      s.error = ex->error;
    } else {
      s.exit_code = 255;
      s.finished_at = NowRfc3339Nano();
      s.error = "the container's monitor ended without recording an exit status";
    }
    if (!s.health_status.empty()) s.health_status = "unhealthy";
    c->exit_generation++;
    if (auto st = Save(*c); !st.ok()) log::Warn("container {}: {}", id, st.error().message());
    // Before the waiters wake: a restart (or start) right after the stop
    // makes a new run dir that this must not remove.
    (void)fs::RemoveAll(dir);
    c->cv.notify_all();
    if (s.oom_killed) Publish("oom", *c);
    Publish("die", *c, {{"exitCode", std::to_string(s.exit_code)}});
  }
  bool auto_remove = c->host_config.value("AutoRemove", false);
  if (auto_remove) {
    std::thread([this, c] {
      std::lock_guard op(c->op_mu);
      {
        std::lock_guard lock(c->mu);
        if (c->Running() || c->removed) return;
      }
      if (auto st = RemoveFiles(c); !st.ok())
        log::Warn("auto-remove {}: {}", c->id, st.error().message());
      else
        RemoveAnonymousVolumes(*c);  // as docker's --rm (RemoveVolume)
    }).detach();
    return;
  }
  std::lock_guard lock(c->mu);
  MaybeRestart(c);
}

// Docker's restart back-off: 100 ms doubling per restart, reset after the
// container ran for 10 s, at most 1 minute.
void Engine::Impl::MaybeRestart(const ContainerPtr& c) {
  if (stopping || c->manually_stopped || c->removed) return;
  const json& rp = c->host_config.value("RestartPolicy", json::object());
  std::string policy = rp.value("Name", "");
  int max_retry = rp.value("MaximumRetryCount", 0);
  bool restart = false;
  if (policy == "always" || policy == "unless-stopped") restart = true;
  if (policy == "on-failure" && c->state.exit_code != 0)
    restart = max_retry == 0 || c->restart_count < max_retry;
  if (!restart) return;
  auto ran = [&]() -> int64_t {
    auto parse = [](const std::string& t) -> int64_t {
      struct tm tm {};
      if (!strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
      return static_cast<int64_t>(timegm(&tm));
    };
    return parse(c->state.finished_at) - parse(c->state.started_at);
  }();
  int shift = ran >= 10 ? 0 : std::min(c->restart_count, 10);
  auto delay = std::chrono::milliseconds(std::min<int64_t>(100LL << shift, 60000));
  c->state.status = ContainerStatus::kRestarting;
  (void)Save(*c);
  ScheduleRestart(c->id, delay);
}

void Engine::Impl::ScheduleRestart(const std::string& id, std::chrono::milliseconds delay) {
  std::lock_guard lock(timer_mu);
  timers.emplace(std::chrono::steady_clock::now() + delay, id);
  timer_cv.notify_all();
}

void Engine::Impl::TimerLoop() {
  std::unique_lock lock(timer_mu);
  while (!stopping) {
    if (timers.empty()) {
      timer_cv.wait(lock);
      continue;
    }
    auto first = timers.begin();
    if (timer_cv.wait_until(lock, first->first) != std::cv_status::timeout &&
        std::chrono::steady_clock::now() < first->first)
      continue;
    if (stopping) return;
    std::string id = timers.begin()->second;
    timers.erase(timers.begin());
    lock.unlock();
    auto c = Find(id);
    if (c.ok()) {
      ContainerPtr cp = *c;
      std::lock_guard op(cp->op_mu);
      bool go;
      {
        std::lock_guard l(cp->mu);
        go = cp->state.status == ContainerStatus::kRestarting && !cp->removed && !cp->manually_stopped;
        if (go) cp->restart_count++;
      }
      if (go) {
        if (auto st = StartLocked(cp, /*restarting=*/true); !st.ok()) {
          log::Warn("restart {}: {}", id, st.error().message());
          std::lock_guard l(cp->mu);
          cp->state.status = ContainerStatus::kExited;
          (void)Save(*cp);
          MaybeRestart(cp);
        }
      }
    }
    lock.lock();
  }
}

void Engine::Impl::RemoveDirLater(const std::string& dir) {
  std::string trash = fs::Join(fs::Join(opts.data_root, "containers"), ".trash");
  (void)fs::MkdirAll(trash, 0700);
  std::string to = fs::Join(trash, fs::Basename(dir) + "-" + NewId().substr(0, 8));
  if (::rename(dir.c_str(), to.c_str()) < 0) {
    (void)fs::RemoveAll(dir);
    return;
  }
  std::thread([to] { (void)fs::RemoveAll(to); }).detach();
}

// ---- restore ----

void Engine::Impl::Restore() {
  std::string root = fs::Join(opts.data_root, "containers");
  auto entries = fs::ListDir(root);
  if (!entries.ok()) {
    volumes->EndRestore();
    return;
  }
  std::vector<ContainerPtr> to_start;
  for (const std::string& id : *entries) {
    if (id.empty() || id[0] == '.') continue;
    auto text = fs::ReadFile(fs::Join(fs::Join(root, id), "config.v2.json"));
    if (!text.ok()) {
      log::Warn("container {}: no record ({}); removing its directory", id, text.error().message());
      ::umount2(MergedDir(id).c_str(), MNT_DETACH);
      (void)fs::RemoveAll(fs::Join(root, id));
      continue;
    }
    auto c = std::make_shared<Container>();
    json j = json::parse(*text, nullptr, false);
    if (j.is_discarded() || !FromRecord(j, c.get()).ok()) {
      log::Warn("container {}: unreadable record; skipped", id);
      continue;
    }
    {
      std::lock_guard lock(mu);
      containers[c->id] = c;
      names[c->name] = c->id;
    }
    if (c->state.status == ContainerStatus::kRemoving) {
      (void)RemoveFiles(c);
      continue;
    }
    if (c->Running()) {
      HoldMounts(*c);  // released again below if it ended meanwhile
      std::string dir = RunDir(c->id);
      if (c->state.status == ContainerStatus::kRestarting) {
        to_start.push_back(c);
        continue;
      }
      auto conn = monitor::WaitConnection(dir);
      if (conn.ok()) {
        log::Info("container {}: still running (pid {}), restored", c->id.substr(0, 12),
                  c->state.pid);
        Watch(c->id, "", std::move(*conn), c->start_generation);
        continue;
      }
      OnContainerExit(c->id);  // reads exit.json, or records that it was lost
      continue;
    }
    const json& rp = c->host_config.value("RestartPolicy", json::object());
    std::string policy = rp.value("Name", "");
    if (c->has_been_started &&
        (policy == "always" || (policy == "unless-stopped" && !c->manually_stopped)))
      to_start.push_back(c);
  }
  // Endpoints of containers that are gone or no longer run.
  if (opts.network)
    opts.network->Prune([this](const std::string& id) {
      std::lock_guard lock(mu);
      auto it = containers.find(id);
      if (it == containers.end()) return false;
      std::lock_guard cl(it->second->mu);
      return it->second->Running();
    });
  RestoreDns();  // listeners of the containers still running
  volumes->EndRestore();  // unmounts the volumes no running container holds
  for (auto& c : to_start) {
    std::lock_guard op(c->op_mu);
    if (auto st = StartLocked(c, true); !st.ok())
      log::Warn("restart {} on daemon start: {}", c->id.substr(0, 12), st.error().message());
  }
}

// ---- Engine ----

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() { Shutdown(); }

Result<std::unique_ptr<Engine>> Engine::Open(const Options& options) {
  auto impl = std::make_unique<Impl>(options);
  BERTH_TRY(fs::MkdirAll(fs::Join(options.data_root, "containers"), 0710));
  BERTH_TRY(fs::MkdirAll(fs::Join(options.exec_root, "containers"), 0700));
  BERTH_TRY(fs::MkdirAll(impl->rt.root, 0700));
  impl->volumes = BERTH_TRY_CTX(
      volume::Store::Open(fs::Join(options.data_root, "volumes"), volume::SystemMounter()),
      "open the volume store");
  impl->volumes->BeginRestore();
  impl->epfd = epoll_create1(EPOLL_CLOEXEC);
  impl->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (impl->epfd < 0 || impl->wake_fd < 0) return Error::Sys("exit watcher: epoll/eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = impl->wake_fd;
  epoll_ctl(impl->epfd, EPOLL_CTL_ADD, impl->wake_fd, &ev);
  Impl* p = impl.get();
  impl->watcher = std::thread([p] { p->WatcherLoop(); });
  impl->timer_thread = std::thread([p] { p->TimerLoop(); });
  std::unique_ptr<Engine> e(new Engine(std::move(impl)));
  e->impl_->owner = e.get();
  // Directories of containers removed before a crash.
  (void)fs::RemoveAll(fs::Join(options.data_root, "containers/.trash"));
  e->impl_->RegisterDnsResolver();
  e->impl_->Restore();
  return e;
}

void Engine::Shutdown() {
  Impl& m = *impl_;
  if (m.stopping.exchange(true)) return;
  uint64_t one = 1;
  (void)!::write(m.wake_fd, &one, sizeof one);
  {
    std::lock_guard lock(m.timer_mu);
    m.timer_cv.notify_all();
  }
  if (m.watcher.joinable()) m.watcher.join();
  if (m.timer_thread.joinable()) m.timer_thread.join();
  // Wake request threads waiting on containers.
  for (auto& c : m.All()) {
    std::lock_guard lock(c->mu);
    c->cv.notify_all();
  }
  ::close(m.epfd);
  ::close(m.wake_fd);
  m.watched.clear();
}

Engine::Counts Engine::Count() {
  Counts n;
  for (auto& c : impl_->All()) {
    std::lock_guard lock(c->mu);
    n.total++;
    if (c->state.status == ContainerStatus::kPaused)
      n.paused++;
    else if (c->state.status == ContainerStatus::kRunning || c->state.status == ContainerStatus::kRestarting)
      n.running++;
    else
      n.stopped++;
  }
  return n;
}

std::vector<image::ContainerUse> Engine::ImageUsers(const std::string& image_id) {
  std::vector<image::ContainerUse> out;
  for (auto& c : impl_->All()) {
    std::lock_guard lock(c->mu);
    if (c->image_id == image_id && !c->removed) out.push_back({c->id, c->Running()});
  }
  return out;
}

}  // namespace berth::engine
