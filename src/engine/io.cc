// attach, resize, logs.
#include <fmt/format.h>

#include "base/strings.h"
#include "engine/engine_impl.h"
#include "logfile/jsonlog.h"
#include "monitor/monitor_client.h"

namespace berth::engine {

Result<unique_fd> Engine::Attach(const std::string& name, bool in, bool out, bool err,
                                 const std::function<bool()>& cancelled) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  PendingAttach p;
  p.in = in;
  p.out = out;
  p.err = err;
  std::unique_lock lock(c->mu);
  if (c->state.status == ContainerStatus::kRunning || c->state.status == ContainerStatus::kPaused) {
    lock.unlock();
    return monitor::Attach(m.RunDir(c->id), in, out, err);
  }
  // Not running yet: the next start connects us before the container runs.
  c->pending_attaches.push_back(&p);
  while (!p.done) {
    if (m.stopping || c->removed || (cancelled && cancelled())) {
      std::erase(c->pending_attaches, &p);
      if (c->removed) return NoSuchContainer(name);
      return Error(Code::kUnavailable, "attach cancelled");
    }
    c->cv.wait_for(lock, std::chrono::milliseconds(200));
  }
  if (!p.fd.valid()) return Error(Code::kInternal, "attach: " + p.error);
  return std::move(p.fd);
}

Status Engine::Resize(const std::string& name, int height, int width) {
  ContainerPtr c = BERTH_TRY(impl_->Find(name));
  {
    std::lock_guard lock(c->mu);
    if (!c->Running()) return Error(Code::kConflict, "Container " + c->id + " is not running");
  }
  return monitor::Resize(impl_->RunDir(c->id), height, width);
}

Result<bool> Engine::IsTty(const std::string& name) {
  ContainerPtr c = BERTH_TRY(impl_->Find(name));
  std::lock_guard lock(c->mu);
  return c->Tty();
}

Status Engine::Logs(const std::string& name, const LogsOptions& o,
                    const std::function<Status()>& ready,
                    const std::function<Status(std::string_view)>& write,
                    const std::function<bool()>& client_gone) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  bool tty;
  int max_files = 1;
  {
    std::lock_guard lock(c->mu);
    tty = c->Tty();
    const json& lc = c->host_config.value("LogConfig", json::object());
    std::string driver = lc.value("Type", "json-file");
    if (driver == "none")
      return Error::Invalid("configured logging driver does not support reading");
    const json& lo = lc.value("Config", json::object());
    if (lo.is_object())
      if (auto n = str::ParseInt(lo.value("max-file", "1")); n && *n > 0) max_files = (int)*n;
  }
  if (ready) BERTH_TRY(ready());
  logfile::ReadOptions ro;
  ro.path = m.LogPath(c->id);
  ro.max_files = max_files;
  ro.tail = o.tail;
  ro.since_nano = o.since_nano;
  ro.until_nano = o.until_nano;
  ro.follow = o.follow;
  ro.stop = [&] {
    if (client_gone && client_gone()) return true;
    std::lock_guard lock(c->mu);
    return c->removed || !c->Running();
  };
  // Entries go out in batches of about 64 KiB (in one write each), and
  // whatever is batched when the reader has caught up (follow) or ends.
  constexpr size_t kBatch = 64 << 10;
  std::string batch;
  Status result = Ok();
  auto flush = [&] {
    if (batch.empty() || !result.ok()) return result.ok();
    result = write(batch);
    batch.clear();
    return result.ok();
  };
  ro.caught_up = flush;
  Status st = logfile::Read(ro, [&](const logfile::Entry& e) {
    bool is_err = e.stream == "stderr";
    if ((is_err && !o.stderr) || (!is_err && !o.stdout)) return true;
    size_t n = e.log.size() + (o.timestamps ? e.time.size() + 1 : 0);
    if (!tty) {
      char h[8] = {static_cast<char>(is_err ? 2 : 1), 0, 0, 0, static_cast<char>(n >> 24),
                   static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
      batch.append(h, 8);
    }
    if (o.timestamps) {
      batch += e.time;
      batch += ' ';
    }
    batch += e.log;
    return batch.size() < kBatch || flush();
  });
  flush();
  BERTH_TRY(std::move(st));
  return result;
}

}  // namespace berth::engine
