// EtcdClient: etcd v3 through its JSON gateway (POST /v3/kv/range, put,
// deleterange, txn; /v3/lease/grant, keepalive, revoke; /v3/watch), so
// berthd needs no gRPC stack. Keys and values travel base64-encoded, 64-bit
// numbers as strings (proto3 JSON). Endpoints are tried in order; the first
// that answers serves the call (a dead cluster member changes nothing).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "http/client.h"
#include "http/socket.h"

namespace berth::discovery {

class EtcdClient {
 public:
  // url: "etcd://[user:password@]host:port[,host:port...]". With a user,
  // berthd authenticates (etcd's auth enabled: /v3/auth/authenticate).
  static Result<std::unique_ptr<EtcdClient>> Open(const std::string& url);

  // POST /v3/<path> with body; the decoded JSON answer. The endpoint that
  // answered last is tried first; connection failures and 502/503 move on to
  // the next one (writes too). Errors name the endpoint, the call, the key
  // (when the body has one) and the HTTP status.
  Result<nlohmann::json> Call(const std::string& path, const nlohmann::json& body);

  // Watches [key, range_end) from start_revision until at least one event
  // arrives (returns the events) or deadline passes (returns none). Starts
  // at the endpoint that answered last; a member that cannot be reached or
  // refuses the watch is skipped.
  Result<std::vector<nlohmann::json>> WatchOnce(const std::string& key,
                                                const std::string& range_end,
                                                int64_t start_revision,
                                                std::chrono::steady_clock::time_point deadline,
                                                bool prev_kv);

 private:
  // One call without re-authentication; token: "" sends none.
  Result<nlohmann::json> CallOnce(const std::string& path, const nlohmann::json& body,
                                  const std::string& token);
  // The current token, authenticating first when there is none (or when
  // `stale` is the one etcd refused). "" without credentials.
  Result<std::string> Token(const std::string& stale = "");

  std::vector<http::Endpoint> endpoints_;
  std::string user_, password_;
  std::mutex auth_mu_;  // guards token_
  std::string token_;
  std::mutex mu_;  // guards idle_, preferred_
  std::vector<std::pair<size_t, std::unique_ptr<http::Client>>> idle_;
  size_t preferred_ = 0;
};

// etcd's helpers: the end of the range of keys that start with prefix, and
// a JSON int64 (a string or a number) as a number.
std::string PrefixEnd(const std::string& prefix);
// url with its password as "***", for messages and logs.
std::string RedactUrl(const std::string& url);
int64_t JsonInt(const nlohmann::json& j, const char* field);

}  // namespace berth::discovery
