// Registration: berthd registers running containers' ports in the
// discovery catalog (discovery/container_services.h decides what) and
// removes them when the containers stop, die or are removed. It follows the
// engine's events on a worker thread of its own (an event callback must not
// call back into the engine), and at start reconciles the catalog with the
// containers that really run: instances of containers that no longer run
// are removed (no ghosts after a crash) and running ones registered (none
// missing). Container instances carry meta berth_container=<ID> and are
// owned by the container's token (its CONSUL_HTTP_TOKEN, container_env.h).
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "daemon/container_env.h"
#include "discovery/store.h"
#include "engine/engine.h"

namespace berth::daemon {

class Registration {
 public:
  // env: the containers' tokens (it remembers who holds which).
  Registration(engine::Engine* engine, discovery::Store* store, ContainerEnv* env,
               std::string host_address);
  ~Registration();

  // A container event (type "container"): start and health_status register,
  // die and destroy deregister. Returns at once.
  void OnEvent(const std::string& type, const std::string& action, const std::string& id);
  // Queues a full reconciliation.
  void Reconcile();

 private:
  struct Job {
    enum class Kind { kRegister, kDeregister, kReconcile } kind;
    std::string id;
  };
  void Loop();
  void Register(const std::string& id);
  void Deregister(const std::string& id);
  void DoReconcile();

  engine::Engine* engine_;
  discovery::Store* store_;
  ContainerEnv* env_;
  std::string host_address_;
  std::mutex mu_;  // guards jobs_, stopping_
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace berth::daemon
