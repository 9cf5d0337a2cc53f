// The discovery store: a key/value store and a service catalog with Consul's
// vocabulary, behind one interface with two implementations (embedded_store.h,
// etcd_store.h). The Consul-compatible HTTP API (consul_api.h), the engine's
// container registration and the DNS answer from it.
//
// Vocabulary:
//   - index: a number that grows with every write (Consul's Raft index, etcd's
//     revision). Every entry carries the index that created it and the one
//     that last modified it.
//   - watch index of a target (a key, a key prefix, a service name or the
//     whole catalog): the highest index of any write that touched the target,
//     deletions included. A write wakes only the waiters whose target it
//     touched (unrelated writes wake nobody).
//   - service instance: an ID, a name, tags, an address and port, metadata
//     and checks. A TTL check turns critical when nobody passes it within its
//     TTL. An instance is healthy when every check passes.
//   - owner: the token that registered an instance; only that token (or a
//     privileged caller) may change or remove it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::discovery {

struct KvEntry {
  std::string key;
  std::string value;  // raw bytes
  uint64_t flags = 0;
  uint64_t create_index = 0;
  uint64_t modify_index = 0;
  uint64_t lock_index = 0;
};

// What a read returns: the entries and the watch index of what was read.
struct KvRead {
  std::vector<KvEntry> entries;  // sorted by key
  uint64_t index = 0;
};

// "passing", "warning", "critical" (Consul's strings).
inline constexpr std::string_view kPassing = "passing";
inline constexpr std::string_view kWarning = "warning";
inline constexpr std::string_view kCritical = "critical";
bool ValidCheckStatus(std::string_view status);

struct Check {
  std::string id;
  std::string name;
  std::string status{kCritical};
  std::string output;
  std::string notes;
  int64_t ttl_ms = 0;      // 0: not a TTL check (its status is set by hand)
  int64_t expires_ms = 0;  // TTL checks: wall-clock ms when it turns critical
};

struct Service {
  std::string id;
  std::string name;
  std::vector<std::string> tags;
  std::string address;
  int port = 0;
  std::map<std::string, std::string> meta;
  std::vector<Check> checks;
  std::string owner;  // the registering token; "" for privileged callers
  std::string node;   // the host that registered it
  uint64_t create_index = 0;
  uint64_t modify_index = 0;

  // Every check passes (an instance without checks is healthy).
  bool Passing() const;
  // The aggregate status: critical > warning > passing.
  std::string AggregateStatus() const;
};

struct ServiceRead {
  std::vector<Service> services;  // sorted by name, then ID
  uint64_t index = 0;
};

// One operation of a transaction (Consul's /v1/txn KV verbs).
enum class TxnVerb {
  kSet, kCas, kGet, kGetTree, kCheckIndex, kCheckNotExists, kDelete, kDeleteCas, kDeleteTree,
};
Result<TxnVerb> ParseTxnVerb(std::string_view verb);  // "set", "cas", "get-tree", ...

struct TxnOp {
  TxnVerb verb = TxnVerb::kGet;
  std::string key;
  std::string value;
  uint64_t flags = 0;
  uint64_t index = 0;  // cas, check-index, delete-cas
};

struct TxnResult {
  bool committed = false;
  std::vector<KvEntry> results;  // one per get/set/cas (Consul's "Results")
  std::vector<std::pair<size_t, std::string>> errors;  // {op index, what}
  uint64_t index = 0;
};

// What a blocking query waits on.
struct WatchTarget {
  enum class Kind { kKey, kPrefix, kService, kCatalog };
  Kind kind = Kind::kKey;
  std::string name;  // the key, prefix or service name; unused for kCatalog
};

class Store {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~Store() = default;

  virtual std::string Name() const = 0;  // "embedded", "etcd"

  // KV. Get with prefix=false reads one key (0 or 1 entries).
  virtual Result<KvRead> KvGet(std::string_view key, bool prefix) = 0;
  // Sets e.key to e.value/e.flags. With cas: only when the key's
  // modify_index equals *cas (0: only when the key does not exist). False
  // when the CAS did not match.
  virtual Result<bool> KvPut(const KvEntry& e, std::optional<uint64_t> cas = std::nullopt) = 0;
  // Deletes a key (or every key under a prefix). With cas (single keys): only
  // when its modify_index equals *cas. False when the CAS did not match.
  virtual Result<bool> KvDelete(std::string_view key, bool prefix,
                                std::optional<uint64_t> cas = std::nullopt) = 0;
  // All operations or none; Consul's rules (a failed check or cas aborts).
  virtual Result<TxnResult> Txn(const std::vector<TxnOp>& ops) = 0;

  // Services. Register replaces an instance with the same ID (keeping its
  // create_index); checks without an ID get "service:<id>" ("service:<id>:N"
  // for the Nth after the first).
  virtual Status Register(const Service& s) = 0;
  // False when no such instance.
  virtual Result<bool> Deregister(std::string_view id) = 0;
  // Sets a check's status and output (a TTL check's deadline moves to now +
  // TTL). kNotFound when no instance has the check.
  virtual Status UpdateCheck(std::string_view check_id, std::string_view status,
                             std::string_view output) = 0;
  // Instances of one service (name "" = all), with the watch index of that
  // service (of the whole catalog for "").
  virtual Result<ServiceRead> Services(std::string_view name) = 0;
  // The instance with that ID.
  virtual Result<Service> GetService(std::string_view id) = 0;

  // The current watch index of target (at least 1). A store whose index is
  // global (etcd's revision) may return a higher one after unrelated
  // writes; Wait still ignores them.
  virtual Result<uint64_t> Index(const WatchTarget& target) = 0;
  // Blocks until the watch index of target is above after, or until
  // deadline; returns the index then. Returns at once when after is above
  // the store's latest index (a client that saw another store).
  virtual Result<uint64_t> Wait(const WatchTarget& target, uint64_t after,
                                Clock::time_point deadline) = 0;

  // Waiters woken so far (tests check that unrelated writes wake nobody).
  virtual uint64_t Wakeups() const = 0;
};

// Fills what Register derives: the ID (the name), the node, check IDs and
// names, TTL deadlines. kInvalidArgument without a name or with a bad status.
Status NormalizeService(Service* s, const std::string& node);

// Wall-clock milliseconds (TTL deadlines are persisted).
int64_t NowMs();

}  // namespace berth::discovery
