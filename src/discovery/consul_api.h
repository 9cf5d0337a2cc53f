// ConsulApi: the Consul HTTP API subset berthd serves over a Store, so that
// Consul clients (python3-consul, consul-template, confd, curl) work as they
// are. Endpoints (docs/discovery.md has the full table):
//
//   GET|PUT|DELETE /v1/kv/<key>   ?recurse ?keys ?separator ?raw ?cas ?flags
//   PUT  /v1/txn
//   GET|PUT /v1/agent/service/register, /v1/agent/service/deregister/<id>
//   GET|PUT /v1/agent/check/pass|warn|fail/<id>, /v1/agent/check/update/<id>
//   GET  /v1/agent/services, /v1/agent/checks, /v1/agent/self
//   GET  /v1/catalog/services, /v1/catalog/service/<name>, /v1/catalog/nodes
//   GET  /v1/health/service/<name> ?passing ?tag, /v1/health/checks/<name>
//   GET  /v1/status/leader, /v1/status/peers
//
// Quirks kept: field names in bodies match in any case; GET works where
// Consul wants PUT on the agent endpoints; recurse, recurse=1 and
// recurse=true are alike; %2F in a key is a '/'; the token comes as
// X-Consul-Token, "Authorization: Bearer", or ?token=.
//
// Blocking queries: every read answers X-Consul-Index (the watch index of
// what it read); ?index=N holds the request until that index passes N or
// ?wait= ends (default 5m, at most 10m, plus up to wait/16 of jitter, as
// Consul). A held request costs its connection's thread (http::Server is
// thread-per-connection) sleeping on a condition variable; at most
// max_blocking are held at once (more get 429 Too Many Requests), and a
// held request whose client went away ends within a second.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "discovery/store.h"
#include "http/handler.h"

namespace berth::discovery {

// Who is calling, as the token says.
struct Caller {
  bool privileged = false;  // may change anything
  bool known = false;       // the token named a container
  std::string owner;        // recorded on services it registers
  std::string address;      // the container's address: Address of what it registers without one
  // Key prefixes it may write ("" = all) when not privileged.
  std::vector<std::string> kv_prefixes;
};

struct ApiOptions {
  std::string node = "berth";
  std::string datacenter = "dc1";
  std::string node_address = "127.0.0.1";
  size_t max_blocking = 1024;
  std::chrono::milliseconds max_wait{10 * 60 * 1000};
  std::chrono::milliseconds default_wait{5 * 60 * 1000};
  // Maps a token to a container's rights; returns known=false for tokens
  // that name no container. Unset: every token is unknown.
  std::function<Caller(const std::string& token)> resolve_token;
};

class ConsulApi {
 public:
  ConsulApi(Store* store, ApiOptions options);

  // For the host's listener (loopback): callers are privileged unless their
  // token names a container. For the containers' listeners: a caller is the
  // container its token names, or else anonymous (reads only).
  http::Handler HostHandler();
  http::Handler ContainerHandler();

  size_t blocking_now() const { return blocking_; }
  // Replaces options.resolve_token (berthd sets it once containers are known).
  void SetResolver(std::function<Caller(const std::string& token)> fn);

  struct Call;  // one request being served (consul_api_internal.h)

 private:
  Status Serve(http::Request& req, http::ResponseWriter& w, bool host);

  Store* store_;
  ApiOptions options_;
  std::atomic<size_t> blocking_{0};
  std::mutex resolver_mu_;  // guards options_.resolve_token
};

}  // namespace berth::discovery
