// /v1/kv and /v1/txn.
#include <set>

#include "base/strings.h"
#include "discovery/codec.h"
#include "discovery/consul_api_internal.h"

namespace berth::discovery::api {
namespace {

// Replies with the failure unless Block already answered (429).
Status BlockFailed(Call& c, const Error& e) { return c.w.started() ? Ok() : FailError(c, e); }

Status GetKv(Call& c, const std::string& key) {
  bool recurse = Flag(c.req, "recurse");
  bool keys = c.req.query.Has("keys");
  bool prefix = recurse || keys;
  WatchTarget target{prefix ? WatchTarget::Kind::kPrefix : WatchTarget::Kind::kKey, key};
  if (Status st = Block(c, target); !st.ok()) return BlockFailed(c, st.error());
  auto read = c.store->KvGet(key, prefix);
  if (!read.ok()) return FailError(c, read.error());
  if (keys) {
    std::string sep = c.req.query.Get("separator");
    json out = json::array();
    std::set<std::string> seen;
    for (const KvEntry& e : read->entries) {
      std::string k = e.key;
      if (!sep.empty()) {
        size_t at = k.find(sep, key.size());
        if (at != std::string::npos) k = k.substr(0, at + sep.size());
      }
      if (seen.insert(k).second) out.push_back(k);
    }
    if (out.empty()) return ReplyText(c, 404, "", read->index);
    return Reply(c, 200, out, read->index);
  }
  if (read->entries.empty()) return ReplyText(c, 404, "", read->index);
  if (Flag(c.req, "raw") && !recurse)
    return ReplyText(c, 200, read->entries[0].value, read->index, "application/octet-stream");
  json out = json::array();
  for (const KvEntry& e : read->entries) out.push_back(KvJson(e));
  return Reply(c, 200, out, read->index);
}

Result<std::optional<uint64_t>> CasParam(Call& c) {
  if (!c.req.query.Has("cas")) return std::optional<uint64_t>();
  auto v = str::ParseUint(c.req.query.Get("cas"));
  if (!v) return Error::Invalid("Invalid CAS index: " + c.req.query.Get("cas"));
  return std::optional<uint64_t>(*v);
}

Status PutKv(Call& c, const std::string& key) {
  if (key.empty()) return Fail(c, 400, "Missing key name");
  if (!MayWriteKey(c.caller, key)) return Fail(c, 403, "Permission denied");
  if (c.req.query.Has("acquire") || c.req.query.Has("release"))
    return Fail(c, 400, "sessions (acquire/release) are not supported");
  KvEntry e;
  e.key = key;
  auto body = c.req.ReadBody(512u << 10);
  if (!body.ok()) return Fail(c, 413, "Request body too large (max 512 KiB)");
  e.value = std::move(*body);
  if (c.req.query.Has("flags")) {
    auto f = str::ParseUint(c.req.query.Get("flags"));
    if (!f) return Fail(c, 400, "Invalid flags: " + c.req.query.Get("flags"));
    e.flags = *f;
  }
  auto cas = CasParam(c);
  if (!cas.ok()) return FailError(c, cas.error());
  auto r = c.store->KvPut(e, *cas);
  if (!r.ok()) return FailError(c, r.error());
  return Reply(c, 200, *r, 0);
}

Status DeleteKv(Call& c, const std::string& key) {
  bool recurse = Flag(c.req, "recurse");
  if (!MayWriteKey(c.caller, key)) return Fail(c, 403, "Permission denied");
  if (key.empty() && !recurse) return Fail(c, 400, "Missing key name");
  auto cas = CasParam(c);
  if (!cas.ok()) return FailError(c, cas.error());
  auto r = c.store->KvDelete(key, recurse, *cas);
  if (!r.ok()) return FailError(c, r.error());
  return Reply(c, 200, *r, 0);
}

Result<TxnOp> ParseOp(const json& item) {
  const json* kv = Field(item, "KV");
  if (!kv || !kv->is_object()) return Error::Invalid("only KV operations are supported");
  TxnOp op;
  op.verb = BERTH_TRY(ParseTxnVerb(StringField(*kv, "Verb")));
  op.key = StringField(*kv, "Key");
  std::string value = StringField(*kv, "Value");
  op.value = BERTH_TRY(Base64Decode(value).Context("Value"));
  if (const json* f = Field(*kv, "Flags"); f && f->is_number_unsigned()) op.flags = f->get<uint64_t>();
  if (const json* i = Field(*kv, "Index"); i && i->is_number_unsigned()) op.index = i->get<uint64_t>();
  if (op.key.empty()) return Error::Invalid("Key must be set");
  return op;
}

}  // namespace

Status ServeKv(Call& c, const std::string& key) {
  const std::string& m = c.req.method;
  if (m == "GET" || m == "HEAD") return GetKv(c, key);
  if (m == "PUT" || m == "POST") return PutKv(c, key);
  if (m == "DELETE") return DeleteKv(c, key);
  return Fail(c, 405, "Method not allowed");
}

Status ServeTxn(Call& c) {
  auto body = Body(c);
  if (!body.ok()) return FailError(c, body.error());
  if (!body->is_array()) return Fail(c, 400, "Failed to parse body: expected a list of operations");
  if (body->size() > 128) return Fail(c, 413, "Transaction contains too many operations (max 128)");
  std::vector<TxnOp> ops;
  json errors = json::array();
  for (size_t i = 0; i < body->size(); ++i) {
    auto op = ParseOp((*body)[i]);
    if (!op.ok()) {
      errors.push_back({{"OpIndex", i}, {"What", op.error().message()}});
      continue;
    }
    bool writes = op->verb != TxnVerb::kGet && op->verb != TxnVerb::kGetTree &&
                  op->verb != TxnVerb::kCheckIndex && op->verb != TxnVerb::kCheckNotExists;
    if (writes && !MayWriteKey(c.caller, op->key))
      errors.push_back({{"OpIndex", i}, {"What", "Permission denied"}});
    ops.push_back(std::move(*op));
  }
  if (!errors.empty()) return Reply(c, 409, {{"Results", nullptr}, {"Errors", errors}}, 0);
  auto r = c.store->Txn(ops);
  if (!r.ok()) return FailError(c, r.error());
  if (!r->committed) {
    for (const auto& [i, what] : r->errors) errors.push_back({{"OpIndex", i}, {"What", what}});
    return Reply(c, 409, {{"Results", nullptr}, {"Errors", errors}}, r->index);
  }
  json results = json::array();
  for (const KvEntry& e : r->results) results.push_back({{"KV", KvJson(e)}});
  return Reply(c, 200, {{"Results", results}, {"Errors", nullptr}}, r->index);
}

}  // namespace berth::discovery::api
