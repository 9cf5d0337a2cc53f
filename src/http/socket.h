// Endpoints ("unix:///run/berth/berth.sock", "tcp://127.0.0.1:2376") and the
// socket calls behind them: dial for clients, listen for servers.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::http {

struct Endpoint {
  enum class Kind { kUnix, kTcp };
  Kind kind = Kind::kUnix;
  std::string path;  // kUnix
  std::string host;  // kTcp: name or address ("::1" without brackets)
  uint16_t port = 0;

  // "unix:///path" or "tcp://host:port".
  std::string ToString() const;
};

// Parses "unix:///path", "tcp://host:port" (default port 2375), or an
// absolute path. kInvalidArgument otherwise.
Result<Endpoint> ParseEndpoint(std::string_view s);

// Connects (blocking). A missing socket or a refused connection is
// kUnavailable, a permission problem kPermissionDenied. TCP sockets get
// TCP_NODELAY.
Result<unique_fd> Dial(const Endpoint& endpoint);

// Binds and listens on a unix socket. A stale socket file is removed; a live
// one (something accepts on it) is kAlreadyExists; a non-socket file is
// refused.
Result<unique_fd> ListenUnix(const std::string& path, int backlog = 128);
// Binds and listens on host:port (port 0 picks one; see LocalPort).
Result<unique_fd> ListenTcp(const std::string& host, uint16_t port, int backlog = 128);
// The port a TCP socket is bound to.
Result<uint16_t> LocalPort(int fd);

// chown(path, -1, gid) (skipped for gid -1), then chmod(path, mode): the
// daemon's socket is root:berth 0660.
Status SetSocketOwnership(const std::string& path, mode_t mode,
                          gid_t gid = static_cast<gid_t>(-1));

}  // namespace berth::http
