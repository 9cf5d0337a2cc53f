// Registration: berthd registers running containers' ports in the
// discovery catalog (discovery/container_services.h decides what) and
// removes them when the containers stop, die or are removed. It follows the
// engine's events on a worker thread of its own (an event callback must not
// call back into the engine), and at start reconciles the catalog with the
// containers that really run: instances of containers that no longer run
// are removed (no ghosts after a crash) and running ones registered (none
// missing). Container instances carry meta berth_container=<ID>.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "discovery/consul_api.h"
#include "discovery/store.h"
#include "engine/engine.h"

namespace berth::daemon {

class Registration {
 public:
  Registration(engine::Engine* engine, discovery::Store* store, std::string host_address);
  ~Registration();

  // A container event (type "container"): start and health_status register,
  // die and destroy deregister. Returns at once.
  void OnEvent(const std::string& type, const std::string& action, const std::string& id);
  // Queues a full reconciliation.
  void Reconcile();

  // The container a discovery token (its CONSUL_HTTP_TOKEN) names: it owns
  // the instances registered for it and may write keys under
  // containers/<name>/. Unknown tokens give known=false.
  discovery::Caller Resolve(const std::string& token);

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
  std::string host_address_;
  std::mutex mu_;  // guards jobs_, stopping_
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  std::map<std::string, std::string> tokens_;  // token -> container name; guarded by mu_
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace berth::daemon
