#include "discovery/embedded_store.h"

#include <algorithm>

#include "base/log.h"
#include "base/strings.h"
#include "discovery/codec.h"
#include "discovery/txn_eval.h"

namespace berth::discovery {

using nlohmann::json;

namespace {

json SetOp(const KvEntry& e) {
  json op = KvToJson(e);
  op["op"] = "set";
  return op;
}

bool Touches(const WatchTarget& t, const Changes& ch) {
  using K = WatchTarget::Kind;
  switch (t.kind) {
    case K::kKey:
      for (const auto& k : ch.keys)
        if (k == t.name) return true;
      for (const auto& p : ch.prefixes)
        if (str::StartsWith(t.name, p)) return true;
      return false;
    case K::kPrefix:
      for (const auto& k : ch.keys)
        if (str::StartsWith(k, t.name)) return true;
      for (const auto& p : ch.prefixes)
        if (str::StartsWith(p, t.name) || str::StartsWith(t.name, p)) return true;
      return false;
    case K::kService: return ch.services.count(t.name) > 0;
    case K::kCatalog: return ch.any_service;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<EmbeddedStore>> EmbeddedStore::Open(const Options& options) {
  std::unique_ptr<EmbeddedStore> s(new EmbeddedStore(options));
  if (!options.dir.empty()) {
    Journal::Options jo{options.dir, options.sync, options.snapshot_bytes};
    s->journal_ = BERTH_TRY(Journal::Open(jo, &s->state_));
  }
  s->ttl_thread_ = std::thread([p = s.get()] { p->TtlLoop(); });
  return s;
}

EmbeddedStore::~EmbeddedStore() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    for (Waiter* w : waiters_) {
      w->fired = true;
      w->cv.notify_one();
    }
  }
  ttl_cv_.notify_all();
  if (ttl_thread_.joinable()) ttl_thread_.join();
}

Status EmbeddedStore::CommitLocked(json ops, uint64_t* seq) {
  *seq = 0;
  if (ops.empty()) return Ok();
  json rec = {{"i", state_.index() + 1}, {"ops", std::move(ops)}};
  if (journal_) *seq = BERTH_TRY(journal_->Append(rec));
  Changes ch;
  BERTH_TRY(state_.Apply(rec, &ch));
  NotifyLocked(ch);
  if (journal_ && journal_->NeedsSnapshot()) {
    if (Status st = journal_->Snapshot(state_); !st.ok())
      log::Warn("discovery store: snapshot failed (the log keeps growing): {}",
                st.error().message());
  }
  return Ok();
}

Status EmbeddedStore::SyncAfter(uint64_t seq) {
  if (!journal_ || seq == 0) return Ok();
  return journal_->Sync(seq);
}

void EmbeddedStore::NotifyLocked(const Changes& ch) {
  for (Waiter* w : waiters_)
    if (!w->fired && Touches(w->target, ch)) {
      w->fired = true;
      ++wakeups_;
      w->cv.notify_one();
    }
}

Result<KvRead> EmbeddedStore::KvGet(std::string_view key, bool prefix) {
  std::lock_guard<std::mutex> l(mu_);
  KvRead r;
  std::string k(key);
  if (prefix) {
    r.entries = state_.Range(k);
  } else if (const KvEntry* e = state_.Find(k)) {
    r.entries.push_back(*e);
  }
  r.index = state_.KvIndex(k, prefix);
  return r;
}

Result<bool> EmbeddedStore::KvPut(const KvEntry& e, std::optional<uint64_t> cas) {
  if (e.key.empty()) return Error::Invalid("missing key name");
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (cas) {
      const KvEntry* cur = state_.Find(e.key);
      if (*cas == 0 ? cur != nullptr : (!cur || cur->modify_index != *cas)) return false;
    }
    BERTH_TRY(CommitLocked(json::array({SetOp(e)}), &seq));
  }
  BERTH_TRY(SyncAfter(seq));
  return true;
}

Result<bool> EmbeddedStore::KvDelete(std::string_view key, bool prefix,
                                     std::optional<uint64_t> cas) {
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    std::string k(key);
    if (cas && !prefix) {
      const KvEntry* cur = state_.Find(k);
      if (*cas == 0 || !cur || cur->modify_index != *cas) return false;
    }
    if (prefix) {
      if (state_.Range(k).empty()) return true;
    } else if (!state_.Find(k)) {
      return true;  // deleting a missing key succeeds and changes nothing
    }
    BERTH_TRY(CommitLocked(json::array({{{"op", prefix ? "deltree" : "del"}, {"k", k}}}), &seq));
  }
  BERTH_TRY(SyncAfter(seq));
  return true;
}

Result<TxnResult> EmbeddedStore::Txn(const std::vector<TxnOp>& ops) {
  uint64_t seq = 0;
  TxnResult r;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto current = [&](const std::string& k) -> Result<std::optional<KvEntry>> {
      const KvEntry* e = state_.Find(k);
      return e ? std::optional<KvEntry>(*e) : std::nullopt;
    };
    auto range = [&](const std::string& p) -> Result<std::vector<KvEntry>> {
      return state_.Range(p);
    };
    TxnPlan plan = BERTH_TRY(EvaluateTxn(ops, state_.index() + 1, current, range));
    json writes = json::array();
    for (const TxnWrite& w : plan.writes) {
      switch (w.kind) {
        case TxnWrite::Kind::kSet: writes.push_back(SetOp(w.entry)); break;
        case TxnWrite::Kind::kDelete: writes.push_back({{"op", "del"}, {"k", w.entry.key}}); break;
        case TxnWrite::Kind::kDeleteTree:
          writes.push_back({{"op", "deltree"}, {"k", w.entry.key}});
          break;
      }
    }
    if (!writes.empty()) BERTH_TRY(CommitLocked(std::move(writes), &seq));
    r = std::move(plan.result);
    r.index = state_.index();
  }
  BERTH_TRY(SyncAfter(seq));
  return r;
}

Status EmbeddedStore::Register(const Service& in) {
  Service s = in;
  BERTH_TRY(NormalizeService(&s, options_.node));
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    BERTH_TRY(CommitLocked(json::array({{{"op", "svc"}, {"s", ServiceToJson(s)}}}), &seq));
  }
  ttl_cv_.notify_all();
  return SyncAfter(seq);
}

Result<bool> EmbeddedStore::Deregister(std::string_view id) {
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!state_.services().count(std::string(id))) return false;
    BERTH_TRY(CommitLocked(json::array({{{"op", "dereg"}, {"id", std::string(id)}}}), &seq));
  }
  BERTH_TRY(SyncAfter(seq));
  return true;
}

Status EmbeddedStore::UpdateCheck(std::string_view check_id, std::string_view status,
                                  std::string_view output) {
  if (!ValidCheckStatus(status)) return Error::Invalid("invalid check status " + std::string(status));
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    const Service* s = state_.ServiceWithCheck(std::string(check_id));
    if (!s) return Error::NotFound(fmt::format("Unknown check ID \"{}\"", check_id));
    int64_t exp = 0;
    for (const Check& c : s->checks)
      if (c.id == check_id && c.ttl_ms > 0) exp = NowMs() + c.ttl_ms;
    json op = {{"op", "check"}, {"id", std::string(check_id)}, {"st", std::string(status)},
               {"out", std::string(output)}, {"exp", exp}};
    BERTH_TRY(CommitLocked(json::array({op}), &seq));
  }
  ttl_cv_.notify_all();
  return SyncAfter(seq);
}

Result<ServiceRead> EmbeddedStore::Services(std::string_view name) {
  std::lock_guard<std::mutex> l(mu_);
  ServiceRead r;
  for (const auto& [id, s] : state_.services())
    if (name.empty() || s.name == name) r.services.push_back(s);
  std::sort(r.services.begin(), r.services.end(), [](const Service& a, const Service& b) {
    return a.name != b.name ? a.name < b.name : a.id < b.id;
  });
  r.index = state_.ServiceIndex(std::string(name));
  return r;
}

Result<Service> EmbeddedStore::GetService(std::string_view id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = state_.services().find(std::string(id));
  if (it == state_.services().end())
    return Error::NotFound(fmt::format("Unknown service ID \"{}\"", id));
  return it->second;
}

Result<uint64_t> EmbeddedStore::Index(const WatchTarget& target) {
  std::lock_guard<std::mutex> l(mu_);
  return state_.IndexOf(target);
}

Result<uint64_t> EmbeddedStore::Wait(const WatchTarget& target, uint64_t after,
                                     Clock::time_point deadline) {
  std::unique_lock<std::mutex> l(mu_);
  Waiter w;
  w.target = target;
  for (;;) {
    uint64_t cur = state_.IndexOf(target);
    // Indexes start at 1 (Index()), even in a store never written to: a
    // client that holds 1 there waits rather than spinning.
    if (cur > after || after > std::max<uint64_t>(state_.index(), 1) || stopping_) return cur;
    w.fired = false;
    waiters_.push_back(&w);
    bool woke = w.cv.wait_until(l, deadline, [&] { return w.fired; });
    waiters_.remove(&w);
    if (!woke) return state_.IndexOf(target);
  }
}

uint64_t EmbeddedStore::Wakeups() const {
  std::lock_guard<std::mutex> l(mu_);
  return wakeups_;
}

void EmbeddedStore::TtlLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stopping_) {
    int64_t now = NowMs();
    int64_t next = INT64_MAX;
    json expired = json::array();
    for (const auto& [id, s] : state_.services())
      for (const Check& c : s.checks) {
        if (c.ttl_ms <= 0 || c.status == kCritical) continue;
        if (c.expires_ms <= now)
          expired.push_back({{"op", "check"}, {"id", c.id}, {"st", std::string(kCritical)},
                             {"out", "TTL expired"}, {"exp", 0}});
        else
          next = std::min(next, c.expires_ms);
      }
    if (!expired.empty()) {
      uint64_t seq = 0;
      if (Status st = CommitLocked(std::move(expired), &seq); !st.ok())
        log::Warn("discovery store: expire TTL checks: {}", st.error().message());
      l.unlock();
      (void)SyncAfter(seq);
      l.lock();
      continue;
    }
    if (next == INT64_MAX)
      ttl_cv_.wait(l);
    else
      ttl_cv_.wait_for(l, std::chrono::milliseconds(next - now));
  }
}

}  // namespace berth::discovery
