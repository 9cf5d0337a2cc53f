#include "discovery/etcd_store.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/log.h"
#include "base/strings.h"
#include "discovery/codec.h"
#include "discovery/txn_eval.h"

namespace berth::discovery {

using nlohmann::json;

namespace {

std::string B(const std::string& s) { return Base64Encode(s); }

Result<std::string> Unb(const json& kv, const char* field) {
  auto it = kv.find(field);
  if (it == kv.end() || !it->is_string()) return std::string();
  auto out = Base64Decode(it->get<std::string>());
  if (out.ok()) return out;
  // Name the key (itself base64 in etcd's JSON) the bad field belongs to.
  auto k = kv.find("key");
  std::string key = k != kv.end() && k->is_string() ? k->get<std::string>() : "";
  if (auto plain = Base64Decode(key); plain.ok()) key = *plain;
  return std::move(out).error().Context(fmt::format("etcd {} of key \"{}\"", field, key));
}

json PutReq(const std::string& key, const std::string& value, int64_t lease = 0) {
  json put = {{"key", B(key)}, {"value", B(value)}};
  if (lease) put["lease"] = std::to_string(lease);
  return {{"request_put", put}};
}

json DelReq(const std::string& key, bool prefix) {
  json del = {{"key", B(key)}};
  if (prefix) del["range_end"] = B(PrefixEnd(key));
  return {{"request_delete_range", del}};
}

}  // namespace

Result<std::unique_ptr<EtcdStore>> EtcdStore::Open(const Options& options) {
  std::unique_ptr<EtcdStore> s(new EtcdStore(options));
  s->etcd_ = BERTH_TRY(EtcdClient::Open(options.url));
  BERTH_TRY_CTX(s->GrantLease(), "etcd " + RedactUrl(options.url));
  // Instances this node registered before a restart: adopt them on the new lease.
  json r = BERTH_TRY(s->Range(s->ServicesPrefix() + options.node + "/", true));
  for (const json& kv : r.value("kvs", json::array())) {
    json v = json::parse(BERTH_TRY(Unb(kv, "value")), nullptr, false);
    auto svc = ServiceFromJson(v);
    if (!svc.ok()) continue;
    std::lock_guard<std::mutex> l(s->mu_);
    s->own_[svc->id] = *svc;
    BERTH_TRY(s->PutServiceLocked(*svc));
  }
  s->keepalive_ = std::thread([p = s.get()] { p->KeepAliveLoop(); });
  s->ttl_ = std::thread([p = s.get()] { p->TtlLoop(); });
  return s;
}

EtcdStore::~EtcdStore() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (keepalive_.joinable()) keepalive_.join();
  if (ttl_.joinable()) ttl_.join();
}

Status EtcdStore::GrantLease() {
  json r = BERTH_TRY(etcd_->Call("lease/grant", {{"TTL", std::to_string(options_.lease_ttl_s)}}));
  int64_t id = JsonInt(r, "ID");
  if (id == 0) return Error::Internal("etcd granted no lease: " + r.dump());
  std::lock_guard<std::mutex> l(mu_);
  lease_ = id;
  return Ok();
}

void EtcdStore::KeepAliveLoop() {
  std::unique_lock<std::mutex> l(mu_);
  auto period = std::chrono::milliseconds(options_.lease_ttl_s * 1000 / 3);
  while (!cv_.wait_for(l, period, [&] { return stopping_; })) {
    int64_t lease = lease_;
    l.unlock();
    auto r = etcd_->Call("lease/keepalive", {{"ID", std::to_string(lease)}});
    bool lost = r.ok() && JsonInt(r->contains("result") ? (*r)["result"] : *r, "TTL") <= 0;
    if (!r.ok()) log::Warn("etcd lease keepalive: {}", r.error().message());
    if (lost) {
      log::Warn("etcd lease {} expired: granting a new one and registering again", lease);
      if (GrantLease().ok()) {
        std::lock_guard<std::mutex> g(mu_);
        for (const auto& [id, s] : own_) (void)PutServiceLocked(s);
      }
    }
    l.lock();
  }
}

Result<json> EtcdStore::Range(const std::string& key, bool prefix) {
  json req = {{"key", B(key)}};
  if (prefix) req["range_end"] = B(PrefixEnd(key));
  return etcd_->Call("kv/range", req);
}

Result<KvRead> EtcdStore::KvGet(std::string_view key, bool prefix) {
  json values = BERTH_TRY(Range(KvKey(key), prefix));
  json flags = BERTH_TRY(Range(FlagsKey(key), prefix));
  std::map<std::string, uint64_t> flag_of;
  size_t fskip = FlagsKey("").size();
  for (const json& kv : flags.value("kvs", json::array()))
    flag_of[BERTH_TRY(Unb(kv, "key")).substr(fskip)] =
        str::ParseUint(BERTH_TRY(Unb(kv, "value"))).value_or(0);
  KvRead r;
  size_t skip = KvKey("").size();
  for (const json& kv : values.value("kvs", json::array())) {
    KvEntry e;
    e.key = BERTH_TRY(Unb(kv, "key")).substr(skip);
    e.value = BERTH_TRY(Unb(kv, "value"));
    e.create_index = JsonInt(kv, "create_revision");
    e.modify_index = JsonInt(kv, "mod_revision");
    if (auto it = flag_of.find(e.key); it != flag_of.end()) e.flags = it->second;
    r.entries.push_back(std::move(e));
  }
  r.index = std::max<int64_t>(1, JsonInt(values.value("header", json::object()), "revision"));
  return r;
}

Result<bool> EtcdStore::KvPut(const KvEntry& e, std::optional<uint64_t> cas) {
  if (e.key.empty()) return Error::Invalid("missing key name");
  json txn = {{"compare", json::array()}, {"success", json::array()}};
  if (cas)
    txn["compare"].push_back({{"target", "MOD"}, {"key", B(KvKey(e.key))},
                              {"mod_revision", std::to_string(*cas)}, {"result", "EQUAL"}});
  txn["success"].push_back(PutReq(KvKey(e.key), e.value));
  txn["success"].push_back(e.flags ? PutReq(FlagsKey(e.key), std::to_string(e.flags))
                                   : DelReq(FlagsKey(e.key), false));
  json r = BERTH_TRY(etcd_->Call("kv/txn", txn));
  return r.value("succeeded", false);
}

Result<bool> EtcdStore::KvDelete(std::string_view key, bool prefix, std::optional<uint64_t> cas) {
  std::string k(key);
  json txn = {{"compare", json::array()}, {"success", json::array()}};
  if (cas && !prefix) {
    if (*cas == 0) return false;
    txn["compare"].push_back({{"target", "MOD"}, {"key", B(KvKey(k))},
                              {"mod_revision", std::to_string(*cas)}, {"result", "EQUAL"}});
  }
  txn["success"].push_back(DelReq(KvKey(k), prefix));
  txn["success"].push_back(DelReq(FlagsKey(k), prefix));
  json r = BERTH_TRY(etcd_->Call("kv/txn", txn));
  return r.value("succeeded", false);
}

Result<TxnResult> EtcdStore::Txn(const std::vector<TxnOp>& ops) {
  auto current = [&](const std::string& k) -> Result<std::optional<KvEntry>> {
    KvRead r = BERTH_TRY(KvGet(k, false));
    if (r.entries.empty()) return std::optional<KvEntry>();
    return std::optional<KvEntry>(r.entries[0]);
  };
  auto range = [&](const std::string& p) -> Result<std::vector<KvEntry>> {
    return BERTH_TRY(KvGet(p, true)).entries;
  };
  for (int attempt = 0; attempt < 10; ++attempt) {
    TxnPlan plan = BERTH_TRY(EvaluateTxn(ops, 0, current, range));
    if (!plan.result.committed) {
      plan.result.index = BERTH_TRY(Index({WatchTarget::Kind::kCatalog, ""}));
      return plan.result;
    }
    json txn = {{"compare", json::array()}, {"success", json::array()}};
    for (const auto& [k, mod] : plan.observed)
      txn["compare"].push_back({{"target", "MOD"}, {"key", B(KvKey(k))},
                                {"mod_revision", std::to_string(mod)}, {"result", "EQUAL"}});
    for (const TxnWrite& w : plan.writes) {
      const KvEntry& e = w.entry;
      if (w.kind == TxnWrite::Kind::kSet) {
        txn["success"].push_back(PutReq(KvKey(e.key), e.value));
        txn["success"].push_back(e.flags ? PutReq(FlagsKey(e.key), std::to_string(e.flags))
                                         : DelReq(FlagsKey(e.key), false));
      } else {
        bool tree = w.kind == TxnWrite::Kind::kDeleteTree;
        txn["success"].push_back(DelReq(KvKey(e.key), tree));
        txn["success"].push_back(DelReq(FlagsKey(e.key), tree));
      }
    }
    if (plan.writes.empty()) {
      plan.result.index = BERTH_TRY(Index({WatchTarget::Kind::kCatalog, ""}));
      return plan.result;
    }
    json r = BERTH_TRY(etcd_->Call("kv/txn", txn));
    if (!r.value("succeeded", false)) continue;  // a key moved meanwhile: evaluate again
    uint64_t rev = JsonInt(r.value("header", json::object()), "revision");
    for (KvEntry& e : plan.result.results) {
      if (e.modify_index == 0) e.modify_index = rev;
      if (e.create_index == 0) e.create_index = rev;
    }
    plan.result.index = rev;
    return plan.result;
  }
  return Error(Code::kConflict, "transaction kept conflicting with concurrent writes");
}

Status EtcdStore::PutServiceLocked(const Service& s) {
  std::string text = ServiceToJson(s).dump(-1, ' ', false, json::error_handler_t::replace);
  json r = BERTH_TRY(etcd_->Call("kv/put", {{"key", B(ServiceKey(s.id))}, {"value", B(text)},
                                            {"lease", std::to_string(lease_)}}));
  (void)r;
  return Ok();
}

Status EtcdStore::Register(const Service& in) {
  Service s = in;
  s.node = options_.node;
  BERTH_TRY(NormalizeService(&s, options_.node));
  std::lock_guard<std::mutex> l(mu_);
  BERTH_TRY(PutServiceLocked(s));
  own_[s.id] = s;
  cv_.notify_all();
  return Ok();
}

Result<bool> EtcdStore::Deregister(std::string_view id) {
  std::lock_guard<std::mutex> l(mu_);
  json r = BERTH_TRY(etcd_->Call("kv/deleterange", {{"key", B(ServiceKey(std::string(id)))}}));
  own_.erase(std::string(id));
  return JsonInt(r, "deleted") > 0;
}

Status EtcdStore::UpdateCheck(std::string_view check_id, std::string_view status,
                              std::string_view output) {
  if (!ValidCheckStatus(status)) return Error::Invalid("invalid check status " + std::string(status));
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [id, s] : own_)
    for (Check& c : s.checks)
      if (c.id == check_id) {
        c.status = std::string(status);
        c.output = std::string(output);
        if (c.ttl_ms > 0) c.expires_ms = NowMs() + c.ttl_ms;
        BERTH_TRY(PutServiceLocked(s));
        cv_.notify_all();
        return Ok();
      }
  return Error::NotFound(fmt::format("Unknown check ID \"{}\"", check_id));
}

Result<ServiceRead> EtcdStore::Services(std::string_view name) {
  json r = BERTH_TRY(Range(ServicesPrefix(), true));
  ServiceRead out;
  for (const json& kv : r.value("kvs", json::array())) {
    json v = json::parse(BERTH_TRY(Unb(kv, "value")), nullptr, false);
    auto s = ServiceFromJson(v);
    if (!s.ok() || (!name.empty() && s->name != name)) continue;
    s->create_index = JsonInt(kv, "create_revision");
    s->modify_index = JsonInt(kv, "mod_revision");
    out.services.push_back(std::move(*s));
  }
  std::sort(out.services.begin(), out.services.end(), [](const Service& a, const Service& b) {
    return a.name != b.name ? a.name < b.name : a.id < b.id;
  });
  out.index = std::max<int64_t>(1, JsonInt(r.value("header", json::object()), "revision"));
  return out;
}

Result<Service> EtcdStore::GetService(std::string_view id) {
  ServiceRead all = BERTH_TRY(Services(""));
  for (Service& s : all.services)
    if (s.id == id) return std::move(s);
  return Error::NotFound(fmt::format("Unknown service ID \"{}\"", id));
}

Result<uint64_t> EtcdStore::Index(const WatchTarget&) {
  json r = BERTH_TRY(etcd_->Call("kv/range", {{"key", B(options_.prefix)}, {"count_only", true}}));
  return std::max<int64_t>(1, JsonInt(r.value("header", json::object()), "revision"));
}

Result<uint64_t> EtcdStore::Wait(const WatchTarget& t, uint64_t after, Clock::time_point deadline) {
  uint64_t now_rev = BERTH_TRY(Index(t));
  if (after >= now_rev + 1 && after > 1) return now_rev;  // an index from elsewhere
  std::string key, end;
  bool service_filter = t.kind == WatchTarget::Kind::kService;
  switch (t.kind) {
    case WatchTarget::Kind::kKey: key = KvKey(t.name); end = key + '\0'; break;
    case WatchTarget::Kind::kPrefix: key = KvKey(t.name); end = PrefixEnd(key); break;
    case WatchTarget::Kind::kService:
    case WatchTarget::Kind::kCatalog: key = ServicesPrefix(); end = PrefixEnd(key); break;
  }
  int64_t from = static_cast<int64_t>(after) + 1;
  for (;;) {
    auto events = etcd_->WatchOnce(key, end, from, deadline, service_filter);
    if (!events.ok()) {
      if (events.error().code() == Code::kConflict) return Index(t);  // compacted
      return std::move(events).error();
    }
    if (events->empty()) return after;  // timed out
    uint64_t best = 0;
    for (const json& ev : *events) {
      const json& kv = ev.value("kv", json::object());
      int64_t rev = JsonInt(kv, "mod_revision");
      from = std::max<int64_t>(from, rev + 1);
      if (service_filter) {
        auto match = [&](const json& k) {  // a foreign or broken value is no match
          auto value = Unb(k, "value");
          if (!value.ok()) return false;
          json v = json::parse(*value, nullptr, false);
          auto name = v.is_object() ? v.find("name") : v.end();
          return v.is_object() && name != v.end() && name->is_string() && *name == t.name;
        };
        if (!match(kv) && !(ev.contains("prev_kv") && match(ev["prev_kv"]))) continue;
      }
      best = std::max<uint64_t>(best, rev);
    }
    if (best > 0) return best;
  }
}

void EtcdStore::TtlLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stopping_) {
    int64_t now = NowMs(), next = INT64_MAX;
    for (auto& [id, s] : own_) {
      bool changed = false;
      for (Check& c : s.checks) {
        if (c.ttl_ms <= 0 || c.status == kCritical) continue;
        if (c.expires_ms <= now) {
          c.status = std::string(kCritical);
          c.output = "TTL expired";
          changed = true;
        } else {
          next = std::min(next, c.expires_ms);
        }
      }
      if (changed) {
        if (Status st = PutServiceLocked(s); !st.ok())
          log::Warn("etcd: expire TTL check of {}: {}", id, st.error().message());
      }
    }
    if (next == INT64_MAX)
      cv_.wait(l);
    else
      cv_.wait_for(l, std::chrono::milliseconds(next - now));
  }
}

}  // namespace berth::discovery
