#include "daemon/registration.h"

#include <set>

#include "base/log.h"
#include "base/strings.h"
#include "discovery/container_services.h"

namespace berth::daemon {

Registration::Registration(engine::Engine* engine, discovery::Store* store, ContainerEnv* env,
                           std::string host_address)
    : engine_(engine), store_(store), env_(env), host_address_(std::move(host_address)) {
  worker_ = std::thread([this] { Loop(); });
}

Registration::~Registration() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Registration::OnEvent(const std::string& type, const std::string& action,
                           const std::string& id) {
  if (type != "container") return;
  if (action == "destroy") env_->Forget(id);
  Job::Kind kind;
  if (action == "start" || str::StartsWith(action, "health_status"))
    kind = Job::Kind::kRegister;
  else if (action == "die" || action == "destroy" || action == "stop")
    kind = Job::Kind::kDeregister;
  else
    return;
  {
    std::lock_guard<std::mutex> l(mu_);
    jobs_.push_back({kind, id});
  }
  cv_.notify_one();
}

void Registration::Reconcile() {
  {
    std::lock_guard<std::mutex> l(mu_);
    jobs_.push_back({Job::Kind::kReconcile, ""});
  }
  cv_.notify_one();
}

void Registration::Loop() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    cv_.wait(l, [&] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    l.unlock();
    switch (job.kind) {
      case Job::Kind::kRegister: Register(job.id); break;
      case Job::Kind::kDeregister: Deregister(job.id); break;
      case Job::Kind::kReconcile: DoReconcile(); break;
    }
    l.lock();
  }
}

void Registration::Register(const std::string& id) {
  auto in = engine_->Inspect(id, false);
  if (!in.ok()) return;  // removed meanwhile
  if (!in->value("State", nlohmann::json::object()).value("Running", false)) return;
  std::string full = in->value("Id", id);
  auto services = discovery::ServicesForContainer(*in, host_address_);
  std::string token;
  for (const auto& e : in->value("Config", nlohmann::json::object()).value("Env", nlohmann::json::array()))
    if (e.is_string() && str::StartsWith(e.get<std::string>(), "CONSUL_HTTP_TOKEN="))
      token = e.get<std::string>().substr(18);
  if (token.empty()) token = env_->TokenFor(full);
  {
    std::string name = in->value("Name", "");
    if (!name.empty() && name[0] == '/') name = name.substr(1);
    std::string ip = in->value("NetworkSettings", nlohmann::json::object()).value("IPAddress", "");
    env_->Remember(token, full, name, ip);
  }
  for (discovery::Service& s : services) s.owner = token;
  // Drop instances of this container that no longer apply (a rename, ports).
  std::set<std::string> ids;
  for (const discovery::Service& s : services) ids.insert(s.id);
  if (auto all = store_->Services(""); all.ok())
    for (const discovery::Service& s : all->services) {
      auto it = s.meta.find("berth_container");
      if (it != s.meta.end() && it->second == full && !ids.count(s.id))
        (void)store_->Deregister(s.id);
    }
  for (const discovery::Service& s : services)
    if (Status st = store_->Register(s); !st.ok())
      log::Warn("discovery: register {} of container {}: {}", s.id, full.substr(0, 12),
                st.error().message());
}

void Registration::Deregister(const std::string& id) {
  auto all = store_->Services("");
  if (!all.ok()) return;
  for (const discovery::Service& s : all->services) {
    auto it = s.meta.find("berth_container");
    if (it != s.meta.end() && (it->second == id || str::StartsWith(it->second, id)))
      (void)store_->Deregister(s.id);
  }
}

void Registration::DoReconcile() {
  engine::ListOptions lo;
  auto list = engine_->List(lo);
  if (!list.ok()) return;
  std::set<std::string> running;
  for (const auto& c : *list) running.insert(c.value("Id", ""));
  if (auto all = store_->Services(""); all.ok())
    for (const discovery::Service& s : all->services) {
      auto it = s.meta.find("berth_container");
      if (it != s.meta.end() && !running.count(it->second)) (void)store_->Deregister(s.id);
    }
  for (const std::string& id : running) Register(id);
}

}  // namespace berth::daemon
