// Registry operations through berthd: pull, push, search, login.
#include "base/reference.h"
#include "client/client.h"
#include "client/json_message.h"

namespace berth::client {
namespace {

// Stream messages with an in-stream error turned into the returned error.
Status StreamJson(Client& c, const Call& call, const JsonStreamDecoder::Fn& on_message) {
  JsonStreamDecoder dec([&](const json& m) -> Status {
    BERTH_TRY(JsonMessageError(m));
    return on_message(m);
  });
  BERTH_TRY(c.Stream(call, [&](std::string_view d) { return dec.Feed(d); }));
  return dec.Finish();
}

}  // namespace

Status ImagePull(Client& c, const PullOptions& o, const JsonStreamDecoder::Fn& on_message) {
  ref::Reference r = BERTH_TRY(ref::ParseNormalized(o.image));
  if (o.all_tags && !r.NameOnly()) return Error::Invalid("tag can't be used with --all-tags/-a");
  Call call{.method = "POST", .path = "/images/create"};
  call.query.Add("fromImage", r.FamiliarName());
  std::string tag = !r.digest.empty() ? r.digest.str() : o.all_tags ? "" : r.WithDefaultTag().tag;
  call.query.Add("tag", tag);
  if (!o.platform.empty()) call.query.Add("platform", o.platform);
  if (!o.registry_auth.empty()) call.headers.push_back({"X-Registry-Auth", o.registry_auth});
  return StreamJson(c, call, on_message);
}

Status ImagePush(Client& c, const std::string& name, const std::string& tag,
                 const std::string& registry_auth, const JsonStreamDecoder::Fn& on_message) {
  Call call{.method = "POST", .path = "/images/" + name + "/push"};
  call.query.Add("tag", tag);
  call.headers.push_back({"X-Registry-Auth", registry_auth.empty() ? "e30=" : registry_auth});
  return StreamJson(c, call, on_message);
}

Result<json> ImageSearch(Client& c, const std::string& term, int limit, const Filters& filters,
                         const std::string& registry_auth) {
  Call call{.method = "GET", .path = "/images/search"};
  call.query.Add("term", term);
  if (limit > 0) call.query.Add("limit", std::to_string(limit));
  if (!filters.empty()) call.query.Add("filters", filters.ToJson());
  if (!registry_auth.empty()) call.headers.push_back({"X-Registry-Auth", registry_auth});
  auto resp = BERTH_TRY(c.Do(call));
  json j = json::parse(resp.body, nullptr, false);
  if (j.is_discarded()) return Error::Internal("search: invalid JSON from the daemon");
  return j;
}

Result<json> RegistryLogin(Client& c, const json& auth_config) {
  Call call{.method = "POST", .path = "/auth", .body = auth_config.dump(), .content_type = "application/json"};
  auto resp = BERTH_TRY(c.Do(call));
  json j = json::parse(resp.body, nullptr, false);
  if (j.is_discarded()) return Error::Internal("login: invalid JSON from the daemon");
  return j;
}

}  // namespace berth::client
