#include "network/ports.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include "base/strings.h"

namespace berth::network {

using nlohmann::json;

namespace {

Result<uint16_t> ParsePort(std::string_view s, std::string_view what) {
  auto v = str::ParseInt(s);
  if (!v || *v < 0 || *v > 65535) return Error::Invalid(fmt::format("invalid {}: {}", what, s));
  return static_cast<uint16_t>(*v);
}

}  // namespace

Result<std::pair<uint16_t, std::string>> ParsePortProto(const std::string& key) {
  auto [port, proto] = str::Cut(key, '/');
  if (proto.empty()) proto = "tcp";
  proto = str::ToLower(proto);
  if (proto != "tcp" && proto != "udp" && proto != "sctp")
    return Error::Invalid(fmt::format("invalid proto: {}", proto));
  uint16_t p = BERTH_TRY(ParsePort(port, "containerPort"));
  if (p == 0) return Error::Invalid(fmt::format("invalid containerPort: {}", port));
  return std::make_pair(p, std::string(proto));
}

Result<std::vector<PortRequest>> PortRequests(const json& port_bindings, bool publish_all,
                                              const json& exposed_ports) {
  std::vector<PortRequest> out;
  if (port_bindings.is_object()) {
    for (const auto& [key, list] : port_bindings.items()) {
      auto [cport, proto] = BERTH_TRY(ParsePortProto(key));
      json bindings = list.is_array() && !list.empty() ? list : json::array({json::object()});
      for (const json& b : bindings) {
        PortRequest r;
        r.proto = proto;
        r.container_port = cport;
        std::string hip = b.is_object() ? b.value("HostIp", "") : "";
        if (hip.find(':') != std::string::npos) continue;  // IPv6: not supported
        if (!hip.empty()) r.host_ip = BERTH_TRY(ParseIpv4(hip));
        std::string hp = b.is_object() ? b.value("HostPort", "") : "";
        if (!hp.empty()) {
          auto [lo, hi] = str::Cut(hp, '-');
          r.host_lo = BERTH_TRY(ParsePort(lo, "hostPort"));
          r.host_hi = hi.empty() ? r.host_lo : BERTH_TRY(ParsePort(hi, "hostPort"));
          if (r.host_hi < r.host_lo) return Error::Invalid("invalid hostPort: " + hp);
        }
        out.push_back(r);
      }
    }
  }
  if (publish_all && exposed_ports.is_object()) {
    for (const auto& [key, _] : exposed_ports.items()) {
      if (port_bindings.is_object() && port_bindings.contains(key)) continue;
      auto [cport, proto] = BERTH_TRY(ParsePortProto(key));
      PortRequest r;
      r.proto = proto;
      r.container_port = cport;
      out.push_back(r);
    }
  }
  return out;
}

Result<unique_fd> ReservePort(const std::string& proto, Ipv4 host_ip, uint16_t port,
                              uint16_t* bound) {
  int type = proto == "udp" ? SOCK_DGRAM : SOCK_STREAM;
  int ipproto = proto == "udp" ? IPPROTO_UDP : proto == "sctp" ? IPPROTO_SCTP : IPPROTO_TCP;
  unique_fd fd(::socket(AF_INET, type | SOCK_CLOEXEC, ipproto));
  if (!fd) return Error::Sys("socket for a published port");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(host_ip.v);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    int e = errno;
    if (e == EADDRINUSE)
      return Error(Code::kConflict, fmt::format("Bind for {}:{} failed: port is already allocated",
                                                ToString(host_ip), port), e);
    return Error::Sys(fmt::format("bind {}:{}/{}", ToString(host_ip), port, proto), e);
  }
  socklen_t len = sizeof sa;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len);
  *bound = ntohs(sa.sin_port);
  return fd;
}

}  // namespace berth::network
