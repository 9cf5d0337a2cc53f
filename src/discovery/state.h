// State: the embedded store's data in memory and the one function that
// changes it, Apply(record). Every change, live or replayed from the log, is
// a record:
//
//   {"i": <index>, "ops": [<op>, ...]}      applied all together at <index>
//   op: {"op":"set","k":key,"v":base64,"f":flags,"c":create_index}
//       {"op":"del","k":key} | {"op":"deltree","k":prefix}
//       {"op":"svc","s":<service>} | {"op":"dereg","id":id}
//       {"op":"check","id":check,"st":status,"out":output,"exp":ms}
//
// Deleted keys leave a tombstone (key -> index of the delete) so that the
// watch index of a prefix moves on deletions too. Tombstones beyond
// kMaxTombstones are dropped oldest first; their highest index becomes a
// floor every prefix index is at least (a spurious wake-up, never a missed
// one). Not thread-safe: EmbeddedStore guards it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "discovery/store.h"

namespace berth::discovery {

// What a record touched: the keys and service names (for waking watchers).
struct Changes {
  std::vector<std::string> keys;
  std::vector<std::string> prefixes;  // deltree
  std::set<std::string> services;
  bool any_service = false;
};

class State {
 public:
  static constexpr size_t kMaxTombstones = 10000;

  uint64_t index() const { return index_; }

  // Applies a record whose index is above index(); records at or below it
  // (already in a snapshot) are skipped.
  Status Apply(const nlohmann::json& record, Changes* changes);

  const KvEntry* Find(const std::string& key) const;
  std::vector<KvEntry> Range(const std::string& prefix) const;
  uint64_t KvIndex(const std::string& key, bool prefix) const;
  uint64_t ServiceIndex(const std::string& name) const;  // "": the catalog
  uint64_t IndexOf(const WatchTarget& t) const;

  const std::map<std::string, Service>& services() const { return services_; }
  // The ID of the instance holding check_id, or nullptr.
  const Service* ServiceWithCheck(const std::string& check_id) const;

  // The whole state as one JSON document, and back.
  nlohmann::json Snapshot() const;
  Status Restore(const nlohmann::json& snapshot);

 private:
  Status ApplyOp(const nlohmann::json& op, uint64_t index, Changes* changes);
  void Tombstone(const std::string& key, uint64_t index);

  uint64_t index_ = 0;
  std::map<std::string, KvEntry> kv_;
  std::map<std::string, uint64_t> tombs_;           // key -> delete index
  std::multimap<uint64_t, std::string> tomb_order_;  // delete index -> key
  uint64_t tomb_floor_ = 0;
  std::map<std::string, Service> services_;          // by ID
  std::map<std::string, uint64_t> service_tombs_;    // name -> last deregistration
  uint64_t catalog_index_ = 0;
};

}  // namespace berth::discovery
