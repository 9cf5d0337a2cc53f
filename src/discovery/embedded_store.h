// EmbeddedStore: the default Store, in berthd's memory and durable on disk
// (journal.h). One mutex guards the state, the journal's append side and
// the waiter list; waiters sleep on their own condition variables, and a
// write wakes only the waiters whose target it touched. One timer thread
// turns TTL checks critical when their deadline passes (deadlines are wall
// clock times, persisted, so they keep running across restarts: a check
// whose deadline passed while berthd was down turns critical at start).
#pragma once

#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "discovery/journal.h"
#include "discovery/state.h"
#include "discovery/store.h"

namespace berth::discovery {

class EmbeddedStore : public Store {
 public:
  struct Options {
    std::string dir;          // "" keeps everything in memory only
    bool sync = true;         // fdatasync before acknowledging (journal.h)
    size_t snapshot_bytes = 8u << 20;
    std::string node = "berth";  // the node name services are registered on
  };

  static Result<std::unique_ptr<EmbeddedStore>> Open(const Options& options);
  ~EmbeddedStore() override;

  std::string Name() const override { return "embedded"; }
  Result<KvRead> KvGet(std::string_view key, bool prefix) override;
  Result<bool> KvPut(const KvEntry& e, std::optional<uint64_t> cas = std::nullopt) override;
  Result<bool> KvDelete(std::string_view key, bool prefix,
                        std::optional<uint64_t> cas = std::nullopt) override;
  Result<TxnResult> Txn(const std::vector<TxnOp>& ops) override;
  Status Register(const Service& s) override;
  Result<bool> Deregister(std::string_view id) override;
  Status UpdateCheck(std::string_view check_id, std::string_view status,
                     std::string_view output) override;
  Result<ServiceRead> Services(std::string_view name) override;
  Result<Service> GetService(std::string_view id) override;
  Result<uint64_t> Index(const WatchTarget& target) override;
  Result<uint64_t> Wait(const WatchTarget& target, uint64_t after,
                        Clock::time_point deadline) override;
  uint64_t Wakeups() const override;

  // Replay facts (tests).
  size_t replayed() const { return journal_ ? journal_->replayed() : 0; }
  bool truncated_tail() const { return journal_ && journal_->truncated_tail(); }

 private:
  struct Waiter {
    WatchTarget target;
    std::condition_variable cv;
    bool fired = false;
  };

  explicit EmbeddedStore(Options options) : options_(std::move(options)) {}
  // Applies ops as one record at the next index and wakes the waiters it
  // touches; *seq is what to Sync after unlocking.
  Status CommitLocked(nlohmann::json ops, uint64_t* seq);
  Status SyncAfter(uint64_t seq);
  void NotifyLocked(const Changes& changes);
  void TtlLoop();

  Options options_;
  mutable std::mutex mu_;
  State state_;                          // guarded by mu_
  std::unique_ptr<Journal> journal_;     // appends and snapshots under mu_
  std::list<Waiter*> waiters_;           // guarded by mu_
  uint64_t wakeups_ = 0;                 // guarded by mu_
  std::condition_variable ttl_cv_;       // with mu_
  bool stopping_ = false;                // guarded by mu_
  std::thread ttl_thread_;
};

}  // namespace berth::discovery
