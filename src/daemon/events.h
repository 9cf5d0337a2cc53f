// The event bus behind GET /events: routes publish what happened (image
// pull/tag/untag/delete/load/import/save, later container and network
// events); every /events stream follows it.
//
// Storage: one ring of the last kHistory events, each with a sequence
// number. A subscriber is just a cursor into that ring, so a slow stream
// costs nothing and, if it falls more than kHistory events behind, misses
// the oldest ones (Docker drops events for slow listeners too). The ring also
// answers "since" queries.
//
// Threads: every method may be called from any thread; mu_ guards all state.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/filters.h"

namespace berth::daemon {

struct Event {
  std::string type;    // "image", "container", "daemon", ...
  std::string action;  // "pull", "tag", "untag", "delete", ...
  std::string actor_id;
  std::map<std::string, std::string> attributes;
  std::string scope = "local";
  int64_t time_nano = 0;  // set by Publish when 0
};

// Docker's JSON form: {"status","id","from"?,"Type","Action","Actor":{"ID",
// "Attributes"},"scope","time","timeNano"} (status/id/from are the legacy
// fields older clients read).
std::string EventToJson(const Event& e);

// The filter keys /events accepts, and whether e passes f.
const std::set<std::string_view>& EventFilterKeys();
bool MatchEvent(const Filters& f, const Event& e);

class EventBus {
 public:
  static constexpr size_t kHistory = 256;

  void Publish(Event e);
  // Wakes every waiter for good; later waits return closed at once.
  void Close();

  // A position in the stream of events.
  class Cursor {
   public:
    ~Cursor();
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;

    // Events published after the cursor, waiting up to timeout for at least
    // one. Advances the cursor. *closed is set once the bus is closed.
    std::vector<Event> Wait(std::chrono::milliseconds timeout, bool* closed);

   private:
    friend class EventBus;
    explicit Cursor(EventBus* bus, uint64_t next) : bus_(bus), next_(next) {}
    EventBus* bus_;
    uint64_t next_;  // sequence number of the next event to return
  };

  // Remembered events with since_nano <= time, and a cursor (counted as a
  // listener until destroyed) positioned right after them, so nothing is
  // missed or seen twice between the two.
  std::unique_ptr<Cursor> Subscribe(int64_t since_nano, std::vector<Event>* past);

  size_t Listeners() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> ring_;  // guarded by mu_; ring_[i] has sequence first_seq_ + i
  uint64_t first_seq_ = 0;  // guarded by mu_
  size_t listeners_ = 0;    // guarded by mu_
  bool closed_ = false;     // guarded by mu_
};

}  // namespace berth::daemon
