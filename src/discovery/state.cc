#include "discovery/state.h"

#include <algorithm>

#include "base/strings.h"
#include "discovery/codec.h"

namespace berth::discovery {

using nlohmann::json;

Status State::Apply(const json& record, Changes* changes) {
  uint64_t index = 0;
  try {
    index = record.at("i").get<uint64_t>();
    if (index <= index_) return Ok();
    for (const json& op : record.at("ops")) BERTH_TRY(ApplyOp(op, index, changes));
  } catch (const json::exception& e) {
    return Error::Invalid(std::string("bad record: ") + e.what());
  }
  index_ = index;
  return Ok();
}

void State::Tombstone(const std::string& key, uint64_t index) {
  auto [it, inserted] = tombs_.try_emplace(key, index);
  if (!inserted) {
    auto range = tomb_order_.equal_range(it->second);
    for (auto o = range.first; o != range.second; ++o)
      if (o->second == key) {
        tomb_order_.erase(o);
        break;
      }
    it->second = index;
  }
  tomb_order_.emplace(index, key);
  while (tombs_.size() > kMaxTombstones) {
    auto oldest = tomb_order_.begin();
    tomb_floor_ = std::max(tomb_floor_, oldest->first);
    tombs_.erase(oldest->second);
    tomb_order_.erase(oldest);
  }
}

Status State::ApplyOp(const json& op, uint64_t index, Changes* changes) {
  const std::string kind = op.at("op").get<std::string>();
  if (kind == "set") {
    KvEntry e = BERTH_TRY(KvFromJson(op));
    auto it = kv_.find(e.key);
    e.create_index = it != kv_.end() ? it->second.create_index : index;
    e.modify_index = index;
    if (changes) changes->keys.push_back(e.key);
    kv_[e.key] = std::move(e);
  } else if (kind == "del") {
    std::string key = op.at("k").get<std::string>();
    if (kv_.erase(key)) Tombstone(key, index);
    if (changes) changes->keys.push_back(key);
  } else if (kind == "deltree") {
    std::string prefix = op.at("k").get<std::string>();
    for (auto it = kv_.lower_bound(prefix); it != kv_.end() && str::StartsWith(it->first, prefix);) {
      Tombstone(it->first, index);
      it = kv_.erase(it);
    }
    if (changes) changes->prefixes.push_back(prefix);
  } else if (kind == "svc") {
    Service s = BERTH_TRY(ServiceFromJson(op.at("s")));
    auto it = services_.find(s.id);
    if (it != services_.end() && it->second.name != s.name) service_tombs_[it->second.name] = index;
    if (it != services_.end() && changes) changes->services.insert(it->second.name);
    s.create_index = it != services_.end() ? it->second.create_index : index;
    s.modify_index = index;
    if (changes) changes->services.insert(s.name);
    services_[s.id] = std::move(s);
    catalog_index_ = index;
    if (changes) changes->any_service = true;
  } else if (kind == "dereg") {
    auto it = services_.find(op.at("id").get<std::string>());
    if (it != services_.end()) {
      service_tombs_[it->second.name] = index;
      if (changes) changes->services.insert(it->second.name);
      services_.erase(it);
      catalog_index_ = index;
      if (changes) changes->any_service = true;
    }
  } else if (kind == "check") {
    std::string id = op.at("id").get<std::string>();
    for (auto& [sid, s] : services_)
      for (Check& c : s.checks)
        if (c.id == id) {
          c.status = op.at("st").get<std::string>();
          c.output = op.value("out", "");
          c.expires_ms = op.value("exp", int64_t{0});
          s.modify_index = index;
          if (changes) changes->services.insert(s.name);
        }
  } else {
    return Error::Invalid("unknown op " + kind);
  }
  return Ok();
}

const KvEntry* State::Find(const std::string& key) const {
  auto it = kv_.find(key);
  return it == kv_.end() ? nullptr : &it->second;
}

std::vector<KvEntry> State::Range(const std::string& prefix) const {
  std::vector<KvEntry> out;
  for (auto it = kv_.lower_bound(prefix); it != kv_.end() && str::StartsWith(it->first, prefix); ++it)
    out.push_back(it->second);
  return out;
}

uint64_t State::KvIndex(const std::string& key, bool prefix) const {
  uint64_t idx = tomb_floor_;
  if (!prefix) {
    if (auto it = kv_.find(key); it != kv_.end()) idx = std::max(idx, it->second.modify_index);
    if (auto it = tombs_.find(key); it != tombs_.end()) idx = std::max(idx, it->second);
    return std::max<uint64_t>(idx, 1);
  }
  for (auto it = kv_.lower_bound(key); it != kv_.end() && str::StartsWith(it->first, key); ++it)
    idx = std::max(idx, it->second.modify_index);
  for (auto it = tombs_.lower_bound(key); it != tombs_.end() && str::StartsWith(it->first, key);
       ++it)
    idx = std::max(idx, it->second);
  return std::max<uint64_t>(idx, 1);
}

uint64_t State::ServiceIndex(const std::string& name) const {
  if (name.empty()) {
    uint64_t idx = catalog_index_;
    for (const auto& [n, i] : service_tombs_) idx = std::max(idx, i);
    return std::max<uint64_t>(idx, 1);
  }
  uint64_t idx = 0;
  if (auto it = service_tombs_.find(name); it != service_tombs_.end()) idx = it->second;
  for (const auto& [id, s] : services_)
    if (s.name == name) idx = std::max(idx, s.modify_index);
  return std::max<uint64_t>(idx, 1);
}

uint64_t State::IndexOf(const WatchTarget& t) const {
  switch (t.kind) {
    case WatchTarget::Kind::kKey: return KvIndex(t.name, false);
    case WatchTarget::Kind::kPrefix: return KvIndex(t.name, true);
    case WatchTarget::Kind::kService: return ServiceIndex(t.name);
    case WatchTarget::Kind::kCatalog: return ServiceIndex("");
  }
  return 1;
}

const Service* State::ServiceWithCheck(const std::string& check_id) const {
  for (const auto& [id, s] : services_)
    for (const Check& c : s.checks)
      if (c.id == check_id) return &s;
  return nullptr;
}

json State::Snapshot() const {
  json kv = json::array();
  for (const auto& [k, e] : kv_) kv.push_back(KvToJson(e));
  json tombs = json::object();
  for (const auto& [k, i] : tombs_) tombs[k] = i;
  json svcs = json::array();
  for (const auto& [id, s] : services_) svcs.push_back(ServiceToJson(s));
  return {{"index", index_},         {"kv", kv},
          {"tombstones", tombs},     {"tomb_floor", tomb_floor_},
          {"services", svcs},        {"service_tombstones", service_tombs_},
          {"catalog_index", catalog_index_}};
}

Status State::Restore(const json& j) {
  try {
    *this = State();
    index_ = j.at("index").get<uint64_t>();
    for (const json& e : j.at("kv")) {
      KvEntry k = BERTH_TRY(KvFromJson(e));
      kv_[k.key] = std::move(k);
    }
    for (const auto& [k, i] : j.at("tombstones").items()) {
      tombs_[k] = i.get<uint64_t>();
      tomb_order_.emplace(i.get<uint64_t>(), k);
    }
    tomb_floor_ = j.value("tomb_floor", uint64_t{0});
    for (const json& s : j.at("services")) {
      Service v = BERTH_TRY(ServiceFromJson(s));
      services_[v.id] = std::move(v);
    }
    service_tombs_ = j.value("service_tombstones", std::map<std::string, uint64_t>{});
    catalog_index_ = j.value("catalog_index", uint64_t{0});
  } catch (const json::exception& e) {
    return Error::Invalid(std::string("bad snapshot: ") + e.what());
  }
  return Ok();
}

}  // namespace berth::discovery
