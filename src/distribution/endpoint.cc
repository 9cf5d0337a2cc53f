#include "distribution/endpoint.h"

#include <arpa/inet.h>

#include <algorithm>

#include "base/strings.h"

namespace berth::distribution {
namespace {

// "host:port" -> host; "[::1]:5000" -> "::1".
std::string HostOnly(std::string_view hp) {
  if (!hp.empty() && hp.front() == '[') {
    auto end = hp.find(']');
    return std::string(hp.substr(1, end == std::string_view::npos ? hp.size() - 1 : end - 1));
  }
  if (std::count(hp.begin(), hp.end(), ':') > 1) return std::string(hp);  // bare IPv6
  auto colon = hp.rfind(':');
  return std::string(colon == std::string_view::npos ? hp : hp.substr(0, colon));
}

bool InCidr(const std::string& host, std::string_view cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string_view::npos) return false;
  in_addr net{}, ip{};
  if (inet_pton(AF_INET, std::string(cidr.substr(0, slash)).c_str(), &net) != 1) return false;
  if (inet_pton(AF_INET, host.c_str(), &ip) != 1) return false;
  int bits = std::atoi(std::string(cidr.substr(slash + 1)).c_str());
  if (bits < 0 || bits > 32) return false;
  uint32_t mask = bits == 0 ? 0 : htonl(~uint32_t{0} << (32 - bits));
  return (net.s_addr & mask) == (ip.s_addr & mask);
}

}  // namespace

bool IsLoopbackHost(std::string_view hp) {
  std::string h = HostOnly(hp);
  if (h == "localhost" || h == "::1") return true;
  in_addr a{};
  if (inet_pton(AF_INET, h.c_str(), &a) == 1) return (ntohl(a.s_addr) >> 24) == 127;
  return false;
}

bool IsInsecure(std::string_view domain, const std::vector<std::string>& insecure) {
  if (IsLoopbackHost(domain)) return true;
  std::string host = HostOnly(domain);
  for (std::string_view e : insecure) {
    e = str::Trim(e);
    for (std::string_view p : {"http://", "https://"})
      if (str::StartsWith(e, p)) e.remove_prefix(p.size());
    while (!e.empty() && e.back() == '/') e.remove_suffix(1);
    if (e == domain || e == host) return true;
    if (InCidr(host, e)) return true;
  }
  return false;
}

Endpoint ResolveEndpoint(std::string_view domain, const std::vector<std::string>& insecure) {
  Endpoint ep;
  ep.domain = std::string(domain);
  ep.host = domain == "docker.io" ? "registry-1.docker.io" : std::string(domain);
  ep.insecure = IsInsecure(domain, insecure);
  ep.base = "https://" + ep.host;
  return ep;
}

}  // namespace berth::distribution
