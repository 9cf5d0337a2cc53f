// Consul's transaction rules, apart from any store: operations run in
// order over a view (the store's current entries plus the transaction's own
// writes so far); a failed check or CAS makes the whole transaction fail.
// Each Store turns the resulting writes into one atomic change of its own.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "discovery/store.h"

namespace berth::discovery {

struct TxnWrite {
  enum class Kind { kSet, kDelete, kDeleteTree };
  Kind kind = Kind::kSet;
  KvEntry entry;  // kSet: the full entry; others: entry.key (the key or prefix)
};

struct TxnPlan {
  std::vector<TxnWrite> writes;
  TxnResult result;  // committed = no errors; results indexed by next_index
  // Every key the plan read or wrote, with the modify_index it saw (0:
  // absent): stores with optimistic concurrency (etcd) compare on these.
  std::vector<std::pair<std::string, uint64_t>> observed;
};

using CurrentFn = std::function<Result<std::optional<KvEntry>>(const std::string& key)>;
using RangeFn = std::function<Result<std::vector<KvEntry>>(const std::string& prefix)>;

// Evaluates ops; next_index is the index the writes will get.
Result<TxnPlan> EvaluateTxn(const std::vector<TxnOp>& ops, uint64_t next_index,
                            const CurrentFn& current, const RangeFn& range);

}  // namespace berth::discovery
