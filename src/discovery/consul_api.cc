#include "discovery/consul_api.h"

#include <random>

#include "base/strings.h"
#include "discovery/codec.h"
#include "discovery/consul_api_internal.h"

namespace berth::discovery {

ConsulApi::ConsulApi(Store* store, ApiOptions options)
    : store_(store), options_(std::move(options)) {}

http::Handler ConsulApi::HostHandler() {
  return [this](http::Request& req, http::ResponseWriter& w) { return Serve(req, w, true); };
}

http::Handler ConsulApi::ContainerHandler() {
  return [this](http::Request& req, http::ResponseWriter& w) { return Serve(req, w, false); };
}

void ConsulApi::SetResolver(std::function<Caller(const std::string& token)> fn) {
  std::lock_guard<std::mutex> l(resolver_mu_);
  options_.resolve_token = std::move(fn);
}

namespace {

std::string TokenOf(const http::Request& req) {
  if (auto t = req.headers.Get("X-Consul-Token"); t && !t->empty()) return std::string(*t);
  if (auto a = req.headers.Get("Authorization"); a && str::StartsWith(*a, "Bearer "))
    return std::string(str::Trim(a->substr(7)));
  return req.query.Get("token");
}

}  // namespace

Status ConsulApi::Serve(http::Request& req, http::ResponseWriter& w, bool host) {
  Call c{req, w, store_, options_, blocking_, {}};
  std::string token = TokenOf(req);
  if (!token.empty()) {
    std::function<Caller(const std::string&)> resolve;
    {
      std::lock_guard<std::mutex> l(resolver_mu_);
      resolve = options_.resolve_token;
    }
    if (resolve) c.caller = resolve(token);
  }
  if (host && !c.caller.known) c.caller.privileged = true;

  const std::string& p = req.path;
  auto rest = [&](std::string_view prefix) { return std::string_view(p).substr(prefix.size()); };
  if (str::StartsWith(p, "/v1/kv/") || p == "/v1/kv") {
    return api::ServeKv(c, p.size() > 7 ? p.substr(7) : "");
  }
  if (p == "/v1/txn") {
    if (req.method != "PUT" && req.method != "POST") return api::Fail(c, 405, "Method not allowed");
    return api::ServeTxn(c);
  }
  if (str::StartsWith(p, "/v1/agent/")) return api::ServeAgent(c, rest("/v1/agent/"));
  if (str::StartsWith(p, "/v1/catalog/")) return api::ServeCatalog(c, rest("/v1/catalog/"));
  if (str::StartsWith(p, "/v1/health/")) return api::ServeHealth(c, rest("/v1/health/"));
  if (p == "/v1/status/leader")
    return api::Reply(c, 200, options_.node_address + ":8300", 0);
  if (p == "/v1/status/peers")
    return api::Reply(c, 200, api::json::array({options_.node_address + ":8300"}), 0);
  return api::Fail(c, 404, "404 page not found");
}

namespace api {

const json* Field(const json& obj, std::string_view name) {
  if (!obj.is_object()) return nullptr;
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (it.key().size() == name.size() && str::ToLower(it.key()) == str::ToLower(name))
      return &it.value();
  return nullptr;
}

std::string StringField(const json& obj, std::string_view name) {
  const json* f = Field(obj, name);
  return f && f->is_string() ? f->get<std::string>() : "";
}

bool Flag(const http::Request& req, std::string_view name) {
  if (!req.query.Has(name)) return false;
  std::string v = str::ToLower(req.query.Get(name));
  return v != "false" && v != "0";
}

Status Reply(Call& c, int status, const json& body, uint64_t index) {
  std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return ReplyText(c, status, text, index, "application/json");
}

Status ReplyText(Call& c, int status, std::string_view body, uint64_t index,
                 std::string_view content_type) {
  if (index > 0) {
    c.w.headers().Set("X-Consul-Index", std::to_string(index));
    c.w.headers().Set("X-Consul-KnownLeader", "true");
    c.w.headers().Set("X-Consul-LastContact", "0");
  }
  return c.w.Send(status, body, content_type);
}

Status Fail(Call& c, int status, std::string_view message) {
  return c.w.Send(status, message, "text/plain; charset=utf-8");
}

Status FailError(Call& c, const Error& e) {
  int status = 500;
  switch (e.code()) {
    case Code::kInvalidArgument: status = 400; break;
    case Code::kNotFound: status = 404; break;
    case Code::kPermissionDenied:
    case Code::kUnauthorized: status = 403; break;
    case Code::kConflict: status = 409; break;
    case Code::kUnavailable: status = 503; break;
    default: break;
  }
  return Fail(c, status, e.message());
}

Result<json> Body(Call& c) {
  std::string text = BERTH_TRY(c.req.ReadBody(16u << 20));
  if (str::Trim(text).empty()) return json(nullptr);
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Error::Invalid("Request decode failed: invalid JSON");
  return j;
}

bool MayWriteKey(const Caller& caller, std::string_view key) {
  if (caller.privileged) return true;
  for (const std::string& p : caller.kv_prefixes)
    if (str::StartsWith(key, p)) return true;
  return false;
}

Status Block(Call& c, const WatchTarget& target) {
  if (!c.req.query.Has("index")) return Ok();
  auto index = str::ParseUint(c.req.query.Get("index"));
  if (!index) return Error::Invalid("Invalid index: " + c.req.query.Get("index"));
  if (*index == 0) return Ok();
  std::chrono::milliseconds wait = c.options.default_wait;
  if (c.req.query.Has("wait")) {
    wait = BERTH_TRY(ParseDuration(c.req.query.Get("wait")));
    if (wait > c.options.max_wait) wait = c.options.max_wait;
  }
  if (wait.count() > 16) {  // Consul's jitter: up to wait/16 more
    static thread_local std::mt19937 rng{std::random_device{}()};
    wait += std::chrono::milliseconds(rng() % (wait.count() / 16));
  }
  if (c.blocking.fetch_add(1) >= c.options.max_blocking) {
    c.blocking.fetch_sub(1);
    (void)Fail(c, 429, "too many blocking queries");
    return Error(Code::kUnavailable, "too many blocking queries");
  }
  auto deadline = Store::Clock::now() + wait;
  Status st = Ok();
  for (;;) {
    auto slice = std::min(deadline, Store::Clock::now() + std::chrono::seconds(1));
    auto r = c.store->Wait(target, *index, slice);
    if (!r.ok()) {
      st = std::move(r).error();
      break;
    }
    if (*r != *index || Store::Clock::now() >= deadline || c.w.ClientGone()) break;
  }
  c.blocking.fetch_sub(1);
  return st;
}

json KvJson(const KvEntry& e) {
  return {{"LockIndex", e.lock_index},
          {"Key", e.key},
          {"Flags", e.flags},
          {"Value", e.value.empty() ? json(nullptr) : json(Base64Encode(e.value))},
          {"CreateIndex", e.create_index},
          {"ModifyIndex", e.modify_index}};
}

json NodeJson(const Call& c) {
  return {{"ID", ""},
          {"Node", c.options.node},
          {"Address", c.options.node_address},
          {"Datacenter", c.options.datacenter},
          {"TaggedAddresses", {{"lan", c.options.node_address}, {"wan", c.options.node_address}}},
          {"Meta", json::object()}};
}

}  // namespace api
}  // namespace berth::discovery
