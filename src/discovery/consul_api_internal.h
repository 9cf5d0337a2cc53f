// Internal to the Consul API: one request being served and the helpers the
// endpoint files share.
#pragma once

#include <nlohmann/json.hpp>

#include "discovery/consul_api.h"

namespace berth::discovery {

struct ConsulApi::Call {
  http::Request& req;
  http::ResponseWriter& w;
  Store* store;
  const ApiOptions& options;
  std::atomic<size_t>& blocking;
  Caller caller;
};

namespace api {

using nlohmann::json;
using Call = ConsulApi::Call;

// The value of a field whose name matches name in any case, or nullptr.
const json* Field(const json& obj, std::string_view name);
std::string StringField(const json& obj, std::string_view name);
// Consul's query flags: present (with any value but "false"/"0") is true.
bool Flag(const http::Request& req, std::string_view name);

// Holds the request while ?index= is given and the target's index has not
// passed it (see consul_api.h). Errors: 400 for a bad index or wait, 429.
Status Block(Call& c, const WatchTarget& target);
// Sends JSON with X-Consul-Index and the other headers Consul sends.
Status Reply(Call& c, int status, const json& body, uint64_t index);
Status ReplyText(Call& c, int status, std::string_view body, uint64_t index,
                 std::string_view content_type = "text/plain; charset=utf-8");
// Consul's error replies are plain text.
Status Fail(Call& c, int status, std::string_view message);
Status FailError(Call& c, const Error& e);
// The parsed JSON body (an empty body is null); 400 on bad JSON.
Result<json> Body(Call& c);

bool MayWriteKey(const Caller& caller, std::string_view key);

Status ServeKv(Call& c, const std::string& key);
Status ServeTxn(Call& c);
Status ServeAgent(Call& c, std::string_view rest);
Status ServeCatalog(Call& c, std::string_view rest);
Status ServeHealth(Call& c, std::string_view rest);

// Consul's JSON shapes.
json KvJson(const KvEntry& e);
json CheckJson(const Call& c, const Service& s, const Check& k);
json AgentServiceJson(const Service& s);
json CatalogServiceJson(const Call& c, const Service& s);
json NodeJson(const Call& c);

}  // namespace api
}  // namespace berth::discovery
