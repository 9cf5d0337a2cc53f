// The DNS server: one thread (an epoll loop) serving every listener.
//
// A listener is a UDP and/or TCP socket bound by the caller — in a
// container's network namespace (OpenInNetns, 127.0.0.11:53) or on a host
// address (Open) — with a ListenerConfig: who asks through it (Client) and
// which upstream servers get the questions no resolver takes.
//
// A question goes through the resolver chain (resolver.h) in order; the
// first Answer is the reply (authoritative). Unclaimed questions are
// forwarded to the listener's upstreams one after the other, over UDP (over
// TCP when the client asked over TCP) with a timeout each, then SERVFAIL; a listener with no upstream answers
// REFUSED. Single-label names and names under ".berth" are never forwarded
// (NXDOMAIN): they are local by construction. UDP replies respect 512 bytes
// or the client's EDNS size (TC set beyond); TCP carries the RFC 1035
// two-byte length framing, several questions per connection, idle
// connections closed after 10 s. Malformed packets get FORMERR when their
// header is readable, else nothing.
//
// Use:
//   auto srv = dns::Server::Start({});
//   (*srv)->AddResolver(std::make_shared<MyResolver>());
//   auto socks = dns::Open("127.0.0.1", 5353);          // host listener
//   auto id = (*srv)->AddListener(std::move(*socks), {dns::Client{""}, upstreams});
//   (*srv)->RemoveListener(*id);                          // closes its sockets
//
// Threads: every public method may be called from any thread; mu_ guards the
// listener table and the chain. Resolvers are called without mu_ held, so
// they may take their own locks (the engine's) — which must never be held
// while calling into the Server.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "dns/resolver.h"

namespace berth::dns {

// An upstream server: "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:53".
struct Upstream {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string text;
  static Result<Upstream> Parse(const std::string& s);
};

// The nameservers of a resolv.conf text, loopback ones left out (they are
// the host's local caches; a container's questions must not reach them).
std::vector<Upstream> UpstreamsFromResolvConf(const std::string& text);

struct Sockets {
  unique_fd udp, tcp;  // non-blocking, close-on-exec; either may be empty
};

// UDP + TCP sockets bound to addr:port in the calling thread's namespace
// (port 0: the kernel picks one for UDP and TCP uses the same number).
Result<Sockets> Open(const std::string& addr, uint16_t port);
// The same, created inside the network namespace bound at netns_path (on a
// short-lived thread that enters it; the sockets stay in that namespace).
Result<Sockets> OpenInNetns(const std::string& netns_path, const std::string& addr, uint16_t port);
// The port a socket is bound to.
Result<uint16_t> BoundPort(int fd);

struct ListenerConfig {
  Client client;
  std::vector<Upstream> upstreams;  // empty: REFUSED for what no resolver takes
};

struct ServerOptions {
  std::chrono::milliseconds upstream_timeout{2000};  // per upstream
  size_t max_pending = 1024;                         // forwarded questions in flight
  size_t max_tcp_connections = 256;
};

struct ServerStats {
  uint64_t queries = 0, forwarded = 0, malformed = 0;
};

class Server {
 public:
  using ListenerId = uint64_t;

  static Result<std::unique_ptr<Server>> Start(ServerOptions o);
  ~Server();  // stops the thread, closes every socket

  // Appends to the chain (asked in the order added).
  void AddResolver(std::shared_ptr<Resolver> r);
  Result<ListenerId> AddListener(Sockets s, ListenerConfig cfg);
  // Closes the listener's sockets and its TCP connections; unknown IDs are ignored.
  void RemoveListener(ListenerId id);
  size_t ListenerCount();
  ServerStats Stats();

  // The answer the chain gives (nullopt: it would be forwarded), without a
  // socket: for tests and for the engine's own lookups.
  std::optional<Answer> ResolveLocal(const Question& q, const Client& who);

  class Loop;

 private:
  explicit Server(std::unique_ptr<Loop> loop);
  std::unique_ptr<Loop> loop_;
};

}  // namespace berth::dns
