// Server: HTTP/1.1 on unix and TCP listeners (optionally TLS with client
// certificates), keep-alive, pipelining (requests on one connection are
// answered in order), Content-Length and chunked request bodies, Expect:
// 100-continue, chunked streaming responses and hijacking.
//
// Threads: one accept thread polls every listener; each accepted connection
// gets its own thread that reads a request, runs the handler on that same
// thread (handlers may block as long as they like), writes the response and
// loops. Idle cost is one thread and no buffers per open connection; an idle
// daemon with no clients has exactly one extra thread. Beast is used only as
// the request parser, over plain blocking sockets.
//
// Stop: closes the listeners, ends idle connections at once, lets requests
// in flight finish until the deadline, then shuts their sockets down (any
// I/O the handler does fails), and waits for the handlers to return.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/error.h"
#include "http/handler.h"

namespace berth::http {

struct TlsOptions {
  std::string ca_file;    // CA bundle client certificates must chain to
  std::string cert_file;  // server certificate (PEM)
  std::string key_file;   // server key (PEM)
  bool verify_client = true;  // require and verify a client certificate
};

class Server {
 public:
  struct Options {
    // Largest request head accepted.
    uint32_t max_header_bytes = 1u << 20;
  };

  explicit Server(Handler handler) : Server(std::move(handler), Options{}) {}
  Server(Handler handler, Options options);
  ~Server();  // Stop(0s) if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Listens on a unix socket (see http::ListenUnix); the caller then sets
  // mode and group with SetSocketOwnership. The file is removed on Stop.
  Status ListenUnix(const std::string& path);
  // Listens on host:port and returns the bound port (useful with port 0).
  // With tls, connections must complete a TLS handshake first.
  Result<uint16_t> ListenTcp(const std::string& host, uint16_t port,
                             const TlsOptions* tls = nullptr);

  // Starts accepting on every listener.
  Status Start();
  // See above. Safe to call more than once.
  void Stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));

  // Open connections right now (for tests and diagnostics).
  size_t ConnectionCount() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::http
