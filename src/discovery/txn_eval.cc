#include "discovery/txn_eval.h"

#include <map>

#include <fmt/format.h>

#include "base/strings.h"

namespace berth::discovery {

Result<TxnPlan> EvaluateTxn(const std::vector<TxnOp>& ops, uint64_t idx, const CurrentFn& current,
                            const RangeFn& range) {
  TxnPlan plan;
  TxnResult& r = plan.result;
  std::map<std::string, std::optional<KvEntry>> overlay;
  std::map<std::string, uint64_t> seen;
  auto get = [&](const std::string& k) -> Result<std::optional<KvEntry>> {
    if (auto it = overlay.find(k); it != overlay.end()) return it->second;
    auto cur = BERTH_TRY(current(k));
    seen.try_emplace(k, cur ? cur->modify_index : 0);
    return cur;
  };
  auto set = [&](const TxnOp& op, const std::optional<KvEntry>& cur) {
    KvEntry e{op.key, op.value, op.flags, cur ? cur->create_index : idx, idx, 0};
    overlay[op.key] = e;
    plan.writes.push_back({TxnWrite::Kind::kSet, e});
    e.value.clear();  // Consul returns no value for writes
    r.results.push_back(e);
  };
  auto del = [&](const std::string& k) {
    overlay[k] = std::nullopt;
    plan.writes.push_back({TxnWrite::Kind::kDelete, KvEntry{k}});
  };
  for (size_t i = 0; i < ops.size(); ++i) {
    const TxnOp& op = ops[i];
    auto cur = BERTH_TRY(get(op.key));
    auto fail = [&](std::string what) { r.errors.emplace_back(i, std::move(what)); };
    switch (op.verb) {
      case TxnVerb::kSet: set(op, cur); break;
      case TxnVerb::kCas:
        if (op.index == 0 ? cur.has_value() : (!cur || cur->modify_index != op.index))
          fail(fmt::format("failed to set key \"{}\", index is stale", op.key));
        else
          set(op, cur);
        break;
      case TxnVerb::kGet:
        if (!cur) fail(fmt::format("key \"{}\" doesn't exist", op.key));
        else r.results.push_back(*cur);
        break;
      case TxnVerb::kGetTree: {
        std::map<std::string, KvEntry> tree;
        for (KvEntry& e : BERTH_TRY(range(op.key))) {
          seen.try_emplace(e.key, e.modify_index);
          tree[e.key] = std::move(e);
        }
        for (auto& [k, v] : overlay)
          if (str::StartsWith(k, op.key)) {
            if (v) tree[k] = *v;
            else tree.erase(k);
          }
        for (auto& [k, e] : tree) r.results.push_back(e);
        break;
      }
      case TxnVerb::kCheckIndex:
        if (!cur || cur->modify_index != op.index)
          fail(fmt::format("current modify index for key \"{}\" does not match", op.key));
        break;
      case TxnVerb::kCheckNotExists:
        if (cur) fail(fmt::format("key \"{}\" exists", op.key));
        break;
      case TxnVerb::kDelete:
        if (cur) del(op.key);
        else overlay[op.key] = std::nullopt;
        break;
      case TxnVerb::kDeleteCas:
        if (!cur || cur->modify_index != op.index)
          fail(fmt::format("failed to delete key \"{}\", index is stale", op.key));
        else
          del(op.key);
        break;
      case TxnVerb::kDeleteTree:
        for (const KvEntry& e : BERTH_TRY(range(op.key))) {
          seen.try_emplace(e.key, e.modify_index);
          overlay[e.key] = std::nullopt;
        }
        for (auto& [k, v] : overlay)
          if (str::StartsWith(k, op.key)) v = std::nullopt;
        plan.writes.push_back({TxnWrite::Kind::kDeleteTree, KvEntry{op.key}});
        break;
    }
  }
  plan.observed.assign(seen.begin(), seen.end());
  if (!r.errors.empty()) {
    r.results.clear();
    plan.writes.clear();
  } else {
    r.committed = true;
  }
  return plan;
}

}  // namespace berth::discovery
