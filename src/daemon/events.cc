#include "daemon/events.h"

#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace berth::daemon {

std::string EventToJson(const Event& e) {
  nlohmann::json j;
  j["status"] = e.action;
  j["id"] = e.actor_id;
  if (e.type == "container") {
    if (auto it = e.attributes.find("image"); it != e.attributes.end()) j["from"] = it->second;
  }
  j["Type"] = e.type;
  j["Action"] = e.action;
  j["Actor"] = {{"ID", e.actor_id}, {"Attributes", e.attributes}};
  j["scope"] = e.scope;
  j["time"] = e.time_nano / 1000000000;
  j["timeNano"] = e.time_nano;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

const std::set<std::string_view>& EventFilterKeys() {
  static const std::set<std::string_view> keys = {
      "config", "container", "daemon", "event",  "image",   "label", "network",
      "node",   "plugin",    "scope",  "secret", "service", "type",  "volume"};
  return keys;
}

namespace {

// The actor's ID or name matches one of key's values (absent key: true).
bool MatchActor(const Filters& f, std::string_view key, const Event& e) {
  if (!f.Has(key)) return true;
  auto name = e.attributes.find("name");
  return f.ExactMatch(key, e.actor_id) ||
         (name != e.attributes.end() && f.ExactMatch(key, name->second));
}

// Image filters also match "busybox" against "busybox:latest" and the image
// a container was made from.
bool MatchImage(const Filters& f, const Event& e) {
  if (!f.Has("image")) return true;
  std::vector<std::string> candidates = {e.actor_id};
  for (const char* attr : {"name", "image"})
    if (auto it = e.attributes.find(attr); it != e.attributes.end())
      candidates.push_back(it->second);
  for (const std::string& c : candidates) {
    if (f.ExactMatch("image", c)) return true;
    if (str::EndsWith(c, ":latest") &&
        f.ExactMatch("image", std::string_view(c).substr(0, c.size() - 7)))
      return true;
    std::string bare = str::StartsWith(c, "sha256:") ? c.substr(7) : c;
    for (const std::string& v : f.Get("image")) {
      std::string_view want = v;
      if (str::StartsWith(want, "sha256:")) want.remove_prefix(7);
      if (want.size() >= 12 && str::StartsWith(bare, want)) return true;
    }
  }
  return false;
}

}  // namespace

bool MatchEvent(const Filters& f, const Event& e) {
  if (!f.ExactMatch("type", e.type)) return false;
  if (!f.ExactMatch("event", e.action)) return false;
  if (!f.ExactMatch("scope", e.scope)) return false;
  if (!f.MatchLabels("label", e.attributes)) return false;
  if (!MatchImage(f, e)) return false;
  // Keys that name an object of one type: an event of another type fails.
  for (std::string_view key : {"container", "daemon", "network", "volume", "plugin", "node",
                               "service", "secret", "config"}) {
    if (!f.Has(key)) continue;
    if (e.type != key) return false;
    if (!MatchActor(f, key, e)) return false;
  }
  return true;
}

void EventBus::Publish(Event e) {
  if (e.time_nano == 0) e.time_nano = NowNano();
  {
    std::lock_guard lock(mu_);
    ring_.push_back(std::move(e));
    if (ring_.size() > kHistory) {
      ring_.pop_front();
      ++first_seq_;
    }
  }
  cv_.notify_all();
}

void EventBus::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

std::unique_ptr<EventBus::Cursor> EventBus::Subscribe(int64_t since_nano,
                                                      std::vector<Event>* past) {
  std::lock_guard lock(mu_);
  if (past) {
    for (const Event& e : ring_)
      if (e.time_nano >= since_nano) past->push_back(e);
  }
  ++listeners_;
  return std::unique_ptr<Cursor>(new Cursor(this, first_seq_ + ring_.size()));
}

size_t EventBus::Listeners() const {
  std::lock_guard lock(mu_);
  return listeners_;
}

EventBus::Cursor::~Cursor() {
  std::lock_guard lock(bus_->mu_);
  --bus_->listeners_;
}

std::vector<Event> EventBus::Cursor::Wait(std::chrono::milliseconds timeout, bool* closed) {
  std::unique_lock lock(bus_->mu_);
  auto end_seq = [&] { return bus_->first_seq_ + bus_->ring_.size(); };
  bus_->cv_.wait_for(lock, timeout, [&] { return bus_->closed_ || end_seq() > next_; });
  *closed = bus_->closed_;
  std::vector<Event> out;
  if (next_ < bus_->first_seq_) next_ = bus_->first_seq_;  // fell behind: skip
  for (; next_ < end_seq(); ++next_) out.push_back(bus_->ring_[next_ - bus_->first_seq_]);
  return out;
}

}  // namespace berth::daemon
