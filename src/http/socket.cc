#include "http/socket.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "base/strings.h"

namespace berth::http {
namespace {

Result<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path))
    return Error::Invalid("unix socket path too long or empty: " + path);
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

// A dial error the CLI can recognise: kUnavailable when nothing listens.
Error DialError(const std::string& what, int err) {
  switch (err) {
    case ENOENT: case ECONNREFUSED: case ENOTDIR: case ECONNRESET: case EHOSTUNREACH:
    case ENETUNREACH: case ETIMEDOUT: case EAGAIN:
      return Error(Code::kUnavailable, what + ": " + std::strerror(err), err);
    case EACCES: case EPERM:
      return Error(Code::kPermissionDenied, what + ": " + std::strerror(err), err);
    default:
      return Error::Sys(what, err);
  }
}

using AddrInfo = std::unique_ptr<addrinfo, void (*)(addrinfo*)>;

Result<AddrInfo> Resolve(const std::string& host, uint16_t port, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* list = nullptr;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0)
    return Error(Code::kUnavailable, "resolve " + host + ": " + gai_strerror(rc));
  return AddrInfo(list, freeaddrinfo);
}

void SetNoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

std::string Endpoint::ToString() const {
  if (kind == Kind::kUnix) return "unix://" + path;
  bool v6 = host.find(':') != std::string::npos;
  return "tcp://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<Endpoint> ParseEndpoint(std::string_view s) {
  Endpoint ep;
  if (str::StartsWith(s, "/")) {
    ep.path = std::string(s);
    return ep;
  }
  if (str::StartsWith(s, "unix://")) {
    ep.path = std::string(s.substr(7));
    if (ep.path.empty() || ep.path[0] != '/')
      return Error::Invalid("invalid unix address " + std::string(s) + ": path must be absolute");
    return ep;
  }
  if (!str::StartsWith(s, "tcp://"))
    return Error::Invalid("invalid address " + std::string(s) +
                          ": want unix:///path or tcp://host:port");
  ep.kind = Endpoint::Kind::kTcp;
  std::string_view rest = s.substr(6);
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/")
      return Error::Invalid("invalid tcp address " + std::string(s) + ": no path allowed");
    rest = rest.substr(0, slash);
  }
  std::string_view port;
  if (str::StartsWith(rest, "[")) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return Error::Invalid("invalid tcp address " + std::string(s));
    ep.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (str::StartsWith(after, ":")) port = after.substr(1);
    else if (!after.empty()) return Error::Invalid("invalid tcp address " + std::string(s));
  } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    ep.host = std::string(rest.substr(0, colon));
    port = rest.substr(colon + 1);
  } else {
    ep.host = std::string(rest);
  }
  if (ep.host.empty()) ep.host = "127.0.0.1";
  ep.port = 2375;
  if (!port.empty()) {
    auto p = str::ParseUint(port);
    if (!p || *p > 65535) return Error::Invalid("invalid port in " + std::string(s));
    ep.port = static_cast<uint16_t>(*p);
  }
  return ep;
}

Result<unique_fd> Dial(const Endpoint& ep) {
  std::string what = "connect to " + ep.ToString();
  if (ep.kind == Endpoint::Kind::kUnix) {
    sockaddr_un addr = BERTH_TRY(UnixAddress(ep.path));
    unique_fd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return Error::Sys("socket");
    if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
      return DialError(what, errno);
    return fd;
  }
  AddrInfo info = BERTH_TRY(Resolve(ep.host, ep.port, false));
  int last = ECONNREFUSED;
  for (addrinfo* ai = info.get(); ai; ai = ai->ai_next) {
    unique_fd fd(socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd) return Error::Sys("socket");
    if (connect(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0) {
      SetNoDelay(fd.get());
      return fd;
    }
    last = errno;
  }
  return DialError(what, last);
}

Result<unique_fd> ListenUnix(const std::string& path, int backlog) {
  sockaddr_un addr = BERTH_TRY(UnixAddress(path));
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return Error(Code::kAlreadyExists, "listen on " + path + ": exists and is not a socket");
    Endpoint ep;
    ep.path = path;
    if (Dial(ep).ok())
      return Error(Code::kAlreadyExists, "listen on " + path + ": another server is listening");
    if (unlink(path.c_str()) < 0 && errno != ENOENT)
      return Error::Sys("remove stale socket " + path);
  }
  unique_fd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::Sys("socket");
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    return Error::Sys("bind " + path);
  if (listen(fd.get(), backlog) < 0) return Error::Sys("listen " + path);
  return fd;
}

Result<unique_fd> ListenTcp(const std::string& host, uint16_t port, int backlog) {
  std::string what = host + ":" + std::to_string(port);
  AddrInfo info = BERTH_TRY(Resolve(host, port, true));
  int last = EADDRNOTAVAIL;
  for (addrinfo* ai = info.get(); ai; ai = ai->ai_next) {
    unique_fd fd(socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd) return Error::Sys("socket");
    int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0) {
      if (listen(fd.get(), backlog) < 0) return Error::Sys("listen " + what);
      return fd;
    }
    last = errno;
  }
  return Error::Sys("bind " + what, last);
}

Result<uint16_t> LocalPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0)
    return Error::Sys("getsockname");
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return Error::Invalid("not a TCP socket");
}

Status SetSocketOwnership(const std::string& path, mode_t mode, gid_t gid) {
  if (gid != static_cast<gid_t>(-1) && chown(path.c_str(), static_cast<uid_t>(-1), gid) < 0)
    return Error::Sys("chown " + path + " to group " + std::to_string(gid));
  if (chmod(path.c_str(), mode) < 0) return Error::Sys("chmod " + path);
  return Ok();
}

}  // namespace berth::http
