// IPv4 addresses, subnets and MAC addresses as berth's networking uses them.
// Pure values: parsing, formatting, arithmetic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::network {

// An IPv4 address in host byte order.
struct Ipv4 {
  uint32_t v = 0;
  auto operator<=>(const Ipv4&) const = default;
};

Result<Ipv4> ParseIpv4(std::string_view s);
std::string ToString(Ipv4 a);

// A subnet: a network address and a prefix length (0..32).
struct Subnet {
  Ipv4 base;
  int prefix = 0;
  bool operator==(const Subnet&) const = default;

  uint32_t Mask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
  bool Contains(Ipv4 a) const { return (a.v & Mask()) == base.v; }
  Ipv4 Broadcast() const { return Ipv4{base.v | ~Mask()}; }
  // Overlap: one contains the other's base.
  bool Overlaps(const Subnet& o) const { return Contains(o.base) || o.Contains(base); }
};

// "10.1.0.0/16" → the subnet (the address masked). "10.1.0.1/16" parses
// too; ParseCidr also gives the address as written.
Result<Subnet> ParseSubnet(std::string_view s);
Result<Subnet> ParseCidr(std::string_view s, Ipv4* address);
std::string ToString(const Subnet& s);

// Docker's MAC for an address: 02:42 followed by the address's 4 bytes.
std::string MacForIp(Ipv4 a);
// "aa:bb:cc:dd:ee:ff" → 6 bytes; kInvalidArgument otherwise.
Status ParseMac(std::string_view s, uint8_t out[6]);

}  // namespace berth::network
