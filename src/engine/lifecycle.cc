// stop, restart, kill, wait, rm, rename, pause, unpause.
#include <signal.h>
#include <sys/mount.h>

#include <regex>

#include "base/fs.h"
#include "base/log.h"
#include "engine/engine_impl.h"
#include "network/manager.h"
#include "sys/signals.h"

namespace berth::engine {
namespace {

Error NotRunning(const Container& c) {
  return Error(Code::kConflict, "Container " + c.id + " is not running");
}

}  // namespace

Status Engine::Impl::SignalLocked(Container& c, int sig) {
  auto st = runtime::Kill(rt, c.id, sig, /*all=*/false);
  if (!st.ok() && st.error().code() == Code::kNotFound) return NotRunning(c);
  return st;
}

bool Engine::Impl::WaitStopped(const ContainerPtr& c, std::chrono::milliseconds timeout) {
  std::unique_lock lock(c->mu);
  return c->cv.wait_for(lock, timeout, [&] {
    return stopping || (c->state.status != ContainerStatus::kRunning && c->state.status != ContainerStatus::kPaused);
  }) && !stopping;
}

Status Engine::Impl::StopLocked(const ContainerPtr& c, int timeout, bool manual) {
  int sig = SIGTERM;
  {
    std::lock_guard lock(c->mu);
    if (c->state.status == ContainerStatus::kRestarting) {
      c->state.status = ContainerStatus::kExited;
      if (manual) c->manually_stopped = true;
      (void)Save(*c);
      c->cv.notify_all();
      return Ok();
    }
    if (c->state.status != ContainerStatus::kRunning && c->state.status != ContainerStatus::kPaused)
      return Error(Code::kAlreadyExists, "container already stopped");
    if (manual) {
      c->manually_stopped = true;
      (void)Save(*c);
    }
    std::string s = c->config.value("StopSignal", "");
    if (!s.empty())
      if (auto n = sys::ParseSignal(s); n.ok()) sig = *n;
    if (timeout < 0) {
      const json& t = c->config.value("StopTimeout", json());
      timeout = t.is_number_integer() ? t.get<int>() : 10;
    }
  }
  bool paused;
  {
    std::lock_guard lock(c->mu);
    paused = c->state.status == ContainerStatus::kPaused;
  }
  if (timeout != 0) {
    auto st = SignalLocked(*c, sig);
    if (paused) (void)runtime::Resume(rt, c->id);
    if (st.ok() && WaitStopped(c, std::chrono::seconds(timeout))) return Ok();
    if (timeout > 0)
      log::Info("container {} did not stop within {} s: killing it", c->id.substr(0, 12), timeout);
  }
  (void)SignalLocked(*c, SIGKILL);
  if (paused) (void)runtime::Resume(rt, c->id);
  if (!WaitStopped(c, std::chrono::seconds(30)))
    return Error(Code::kInternal, "container " + c->id + " did not exit after SIGKILL");
  return Ok();
}

Status Engine::Stop(const std::string& name, int timeout) {
  ContainerPtr c = BERTH_TRY(impl_->Find(name));
  std::lock_guard op(c->op_mu);
  BERTH_TRY(impl_->StopLocked(c, timeout, /*manual=*/true));
  impl_->Publish("stop", *c);
  return Ok();
}

Status Engine::Restart(const std::string& name, int timeout) {
  ContainerPtr c = BERTH_TRY(impl_->Find(name));
  std::lock_guard op(c->op_mu);
  auto st = impl_->StopLocked(c, timeout, /*manual=*/false);
  if (!st.ok() && st.error().code() != Code::kAlreadyExists) return st;
  BERTH_TRY(impl_->StartLocked(c, false));
  impl_->Publish("restart", *c);
  return Ok();
}

Status Engine::Kill(const std::string& name, const std::string& signal) {
  ContainerPtr c = BERTH_TRY(impl_->Find(name));
  int sig = SIGKILL;
  if (!signal.empty()) {
    auto n = sys::ParseSignal(signal);
    if (!n.ok()) return Error::Invalid("Invalid signal: " + signal);
    sig = *n;
  }
  {
    std::lock_guard lock(c->mu);
    if (c->state.status == ContainerStatus::kRestarting) {
      c->state.status = ContainerStatus::kExited;
      c->manually_stopped = true;
      (void)impl_->Save(*c);
      c->cv.notify_all();
      return Ok();
    }
    if (!c->Running()) return NotRunning(*c);
    if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT) {
      c->manually_stopped = true;
      (void)impl_->Save(*c);
    }
  }
  BERTH_TRY(impl_->SignalLocked(*c, sig));
  impl_->Publish("kill", *c, {{"signal", std::to_string(sig)}});
  return Ok();
}

Result<int> Engine::Wait(const std::string& name, WaitCondition cond,
                         const std::function<bool()>& cancelled,
                         const std::function<void()>& registered) {
  ContainerPtr c = BERTH_TRY(impl_->Find(name));
  std::unique_lock lock(c->mu);
  uint64_t gen = c->exit_generation;
  auto done = [&] {
    switch (cond) {
      case WaitCondition::kNotRunning:
        return !c->Running() || c->removed;
      case WaitCondition::kNextExit:
        return c->exit_generation > gen || c->removed;
      case WaitCondition::kRemoved:
        return c->removed;
    }
    return true;
  };
  if (registered) registered();
  while (!done()) {
    if (impl_->stopping) return Error(Code::kUnavailable, "the daemon is shutting down");
    if (cancelled && cancelled()) return Error(Code::kUnavailable, "the client went away");
    c->cv.wait_for(lock, std::chrono::milliseconds(200));
  }
  return c->state.exit_code;
}

Status Engine::Impl::RemoveFiles(const ContainerPtr& c) {
  {
    std::lock_guard lock(c->mu);
    c->state.status = ContainerStatus::kRemoving;
    (void)Save(*c);
  }
  std::string merged = MergedDir(c->id);
  ::umount2(merged.c_str(), MNT_DETACH);
  (void)runtime::Delete(rt, c->id, /*force=*/true);
  TeardownNetwork(c->id);
  (void)fs::RemoveAll(RunDir(c->id));
  // Deleting a big upper dir takes long: the directory is renamed away and
  // deleted in the background (or at the next start after a crash).
  RemoveDirLater(ContainerDir(c->id));
  Status st = Ok();
  {
    std::lock_guard lock(mu);
    containers.erase(c->id);
    auto it = names.find(c->name);
    if (it != names.end() && it->second == c->id) names.erase(it);
    for (auto e = execs.begin(); e != execs.end();)
      e = e->second->container_id == c->id ? execs.erase(e) : std::next(e);
  }
  {
    std::lock_guard lock(c->mu);
    c->removed = true;
    c->cv.notify_all();
  }
  Publish("destroy", *c);
  if (!st.ok()) log::Warn("remove container {}: {}", c->id, st.error().message());
  return Ok();
}

Status Engine::Remove(const std::string& name, bool force, bool volumes) {
  ContainerPtr c = BERTH_TRY(impl_->Find(name));
  std::lock_guard op(c->op_mu);
  bool running;
  {
    std::lock_guard lock(c->mu);
    if (c->removed) return NoSuchContainer(name);
    if (c->state.status == ContainerStatus::kRemoving)
      return Error(Code::kConflict, "removal of container " + c->id + " is already in progress");
    running = c->Running() && c->state.status != ContainerStatus::kRestarting;
    if (running && !force) {
      std::string what = c->state.status == ContainerStatus::kPaused ? "paused" : "running";
      return Error(Code::kConflict, "You cannot remove a " + what + " container " + c->id +
                                        ". Stop the container before attempting removal or "
                                        "force remove");
    }
    c->manually_stopped = true;
  }
  if (running) {
    (void)impl_->SignalLocked(*c, SIGKILL);
    (void)runtime::Resume(impl_->rt, c->id);
    if (!impl_->WaitStopped(c, std::chrono::seconds(30)))
      return Error(Code::kInternal, "could not kill running container " + c->id +
                                        ", cannot remove");
  }
  BERTH_TRY(impl_->RemoveFiles(c));
  if (volumes) impl_->RemoveAnonymousVolumes(*c);  // rm -v: never named ones
  return Ok();
}

Status Engine::Rename(const std::string& name, const std::string& new_name) {
  static const std::regex re("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$");
  if (new_name.empty()) return Error::Invalid("Neither old nor new names may be empty");
  if (!std::regex_match(new_name, re))
    return Error::Invalid("Invalid container name (" + new_name +
                          "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  ContainerPtr c = BERTH_TRY(impl_->Find(name));
  std::string n = new_name[0] == '/' ? new_name : "/" + new_name;
  std::string old;
  {
    std::lock_guard lock(impl_->mu);
    if (c->name == n)
      return Error::Invalid("Renaming a container with the same name as its current name");
    if (auto it = impl_->names.find(n); it != impl_->names.end())
      return Error(Code::kConflict,
                   "Error when allocating new name: Conflict. The container name \"" + n +
                       "\" is already in use by container \"" + it->second +
                       "\". You have to remove (or rename) that container to be able to reuse "
                       "that name.");
    impl_->names.erase(c->name);
    impl_->names[n] = c->id;
    std::lock_guard l(c->mu);
    old = c->name;
    c->name = n;
    (void)impl_->Save(*c);
  }
  // Peers on its user-defined networks resolve the new name (not the old).
  if (impl_->opts.network) impl_->opts.network->RenameContainer(c->id, n.substr(1));
  impl_->Publish("rename", *c, {{"oldName", old}});
  return Ok();
}

Status Engine::Pause(const std::string& name) {
  ContainerPtr c = BERTH_TRY(impl_->Find(name));
  std::lock_guard op(c->op_mu);
  std::lock_guard lock(c->mu);
  if (c->state.status == ContainerStatus::kPaused)
    return Error(Code::kConflict, "Container " + c->id + " is already paused");
  if (c->state.status != ContainerStatus::kRunning) return NotRunning(*c);
  BERTH_TRY(runtime::Pause(impl_->rt, c->id));
  c->state.status = ContainerStatus::kPaused;
  (void)impl_->Save(*c);
  impl_->Publish("pause", *c);
  return Ok();
}

Status Engine::Unpause(const std::string& name) {
  ContainerPtr c = BERTH_TRY(impl_->Find(name));
  std::lock_guard op(c->op_mu);
  std::lock_guard lock(c->mu);
  if (c->state.status != ContainerStatus::kPaused)
    return Error(Code::kConflict, "Container " + c->id + " is not paused");
  BERTH_TRY(runtime::Resume(impl_->rt, c->id));
  c->state.status = ContainerStatus::kRunning;
  (void)impl_->Save(*c);
  impl_->Publish("unpause", *c);
  return Ok();
}

}  // namespace berth::engine
