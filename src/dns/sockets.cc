// Listener sockets (host or a container's namespace) and upstream addresses.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <thread>

#include "base/strings.h"
#include "dns/server.h"

namespace berth::dns {
namespace {

Result<sockaddr_storage> SockAddr(const std::string& addr, uint16_t port, socklen_t* len) {
  sockaddr_storage ss{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, addr.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    *len = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, addr.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    *len = sizeof(sockaddr_in6);
  } else {
    return Error::Invalid("not an IP address: " + addr);
  }
  return ss;
}

Result<unique_fd> Bound(int type, const sockaddr_storage& ss, socklen_t len,
                        const std::string& what) {
  unique_fd fd(::socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return Error::Sys("socket for " + what);
  int one = 1;
  if (type == SOCK_STREAM) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) < 0)
    return Error::Sys("bind " + what);
  if (type == SOCK_STREAM && ::listen(fd.get(), 128) < 0) return Error::Sys("listen on " + what);
  return fd;
}

}  // namespace

Result<Upstream> Upstream::Parse(const std::string& s) {
  std::string host = s;
  uint16_t port = 53;
  auto set_port = [&](std::string_view p) -> Status {
    auto v = str::ParseInt(p);
    if (!v || *v <= 0 || *v > 65535) return Error::Invalid("invalid DNS server port in " + s);
    port = static_cast<uint16_t>(*v);
    return Ok();
  };
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string::npos) return Error::Invalid("invalid DNS server address " + s);
    host = s.substr(1, close - 1);
    if (close + 1 < s.size()) {
      if (s[close + 1] != ':') return Error::Invalid("invalid DNS server address " + s);
      BERTH_TRY(set_port(std::string_view(s).substr(close + 2)));
    }
  } else if (std::count(s.begin(), s.end(), ':') == 1) {
    size_t colon = s.find(':');
    host = s.substr(0, colon);
    BERTH_TRY(set_port(std::string_view(s).substr(colon + 1)));
  }
  Upstream u;
  auto ss = SockAddr(host, port, &u.len);
  if (!ss.ok()) return Error::Invalid("invalid DNS server address " + s);
  u.addr = *ss;
  u.text = s;
  return u;
}

std::vector<Upstream> UpstreamsFromResolvConf(const std::string& text) {
  std::vector<Upstream> out;
  for (const std::string& line : str::Split(text, '\n')) {
    std::string_view t = str::Trim(line);
    if (!str::StartsWith(t, "nameserver") || t.size() < 11 || (t[10] != ' ' && t[10] != '\t'))
      continue;
    std::string addr(str::Trim(t.substr(10)));
    if (str::StartsWith(addr, "127.") || addr == "::1") continue;
    if (auto u = Upstream::Parse(addr); u.ok()) out.push_back(std::move(*u));
  }
  return out;
}

Result<Sockets> Open(const std::string& addr, uint16_t port) {
  socklen_t len = 0;
  std::string what = addr + ":" + std::to_string(port);
  for (int attempt = 0;; ++attempt) {
    sockaddr_storage ss = BERTH_TRY(SockAddr(addr, port, &len));
    Sockets s;
    s.udp = BERTH_TRY(Bound(SOCK_DGRAM, ss, len, "udp " + what));
    uint16_t p = BERTH_TRY(BoundPort(s.udp.get()));
    sockaddr_storage st = BERTH_TRY(SockAddr(addr, p, &len));
    auto tcp = Bound(SOCK_STREAM, st, len, "tcp " + addr + ":" + std::to_string(p));
    if (tcp.ok()) {
      s.tcp = std::move(*tcp);
      return s;
    }
    // A kernel-picked UDP port may be taken for TCP: pick again.
    if (port != 0 || attempt >= 8) return std::move(tcp).error();
  }
}

Result<Sockets> OpenInNetns(const std::string& netns_path, const std::string& addr, uint16_t port) {
  unique_fd ns(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) return Error::Sys("open " + netns_path);
  std::optional<Result<Sockets>> out;
  // A thread of its own: its namespace change dies with it.
  std::thread t([&] {
    if (::setns(ns.get(), CLONE_NEWNET) < 0) {
      out.emplace(Error::Sys("enter the network namespace " + netns_path));
      return;
    }
    out.emplace(Open(addr, port));
  });
  t.join();
  return std::move(*out);
}

Result<uint16_t> BoundPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0)
    return Error::Sys("getsockname");
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

}  // namespace berth::dns
