#include "network/addr.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace berth::network {

Result<Ipv4> ParseIpv4(std::string_view s) {
  uint32_t v = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    uint32_t octet = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3)
      octet = octet * 10 + static_cast<uint32_t>(s[i++] - '0');
    if (i == start || octet > 255 || (i - start > 1 && s[start] == '0')) break;
    v = (v << 8) | octet;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') break;
      ++i;
    }
  }
  if (parts != 4 || i != s.size())
    return Error::Invalid(fmt::format("invalid IPv4 address: {}", s));
  return Ipv4{v};
}

std::string ToString(Ipv4 a) {
  return fmt::format("{}.{}.{}.{}", a.v >> 24, (a.v >> 16) & 255, (a.v >> 8) & 255, a.v & 255);
}

Result<Subnet> ParseCidr(std::string_view s, Ipv4* address) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos)
    return Error::Invalid(fmt::format("invalid CIDR address: {}", s));
  auto ip = ParseIpv4(s.substr(0, slash));
  auto len = str::ParseInt(std::string(s.substr(slash + 1)));
  if (!ip.ok() || !len || *len < 0 || *len > 32 || s.substr(slash + 1).empty())
    return Error::Invalid(fmt::format("invalid CIDR address: {}", s));
  Subnet n;
  n.prefix = static_cast<int>(*len);
  n.base = Ipv4{ip->v & n.Mask()};
  if (address) *address = *ip;
  return n;
}

Result<Subnet> ParseSubnet(std::string_view s) { return ParseCidr(s, nullptr); }

std::string ToString(const Subnet& s) { return ToString(s.base) + "/" + std::to_string(s.prefix); }

std::string MacForIp(Ipv4 a) {
  return fmt::format("02:42:{:02x}:{:02x}:{:02x}:{:02x}", a.v >> 24, (a.v >> 16) & 255,
                     (a.v >> 8) & 255, a.v & 255);
}

Status ParseMac(std::string_view s, uint8_t out[6]) {
  auto bad = [&] { return Error::Invalid(fmt::format("invalid MAC address: {}", s)); };
  if (s.size() != 17) return bad();
  for (int i = 0; i < 6; ++i) {
    if (i > 0 && s[i * 3 - 1] != ':' && s[i * 3 - 1] != '-') return bad();
    unsigned v = 0;
    for (int k = 0; k < 2; ++k) {
      char c = s[i * 3 + k];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return bad();
      v = v * 16 + static_cast<unsigned>(d);
    }
    out[i] = static_cast<uint8_t>(v);
  }
  return Ok();
}

}  // namespace berth::network
