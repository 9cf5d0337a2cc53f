// IPAM: the addresses of one subnet, each held by at most one owner (a
// container ID). Pure: the manager persists it (ToJson/FromJson) after each
// change, so an address is never handed out twice, across berthd restarts
// too.
//
// Allocation walks forward from the last address handed out (wrapping), as
// Docker's allocator does, so a released address is not reused at once.
// The network address, the gateway and the broadcast address are never
// handed out; with an ip range (--ip-range) only addresses inside it are.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "network/addr.h"

namespace berth::network {

class Ipam {
 public:
  Ipam() = default;
  Ipam(Subnet subnet, Ipv4 gateway, std::optional<Subnet> range = std::nullopt);

  // An address for owner: `want` when given (kConflict when held by another
  // owner, kInvalidArgument outside the subnet), else the next free one
  // (kUnavailable when none is left). An owner asking again gets its own.
  Result<Ipv4> Allocate(const std::string& owner, std::optional<Ipv4> want = std::nullopt);
  // Frees owner's address (no-op when it has none).
  void Release(const std::string& owner);
  std::optional<Ipv4> Of(const std::string& owner) const;
  const std::map<uint32_t, std::string>& Allocated() const { return by_ip_; }

  const Subnet& subnet() const { return subnet_; }
  Ipv4 gateway() const { return gateway_; }

  nlohmann::json ToJson() const;
  static Result<Ipam> FromJson(const nlohmann::json& j);

 private:
  bool Usable(uint32_t a) const;

  Subnet subnet_;
  Ipv4 gateway_;
  std::optional<Subnet> range_;
  uint32_t last_ = 0;
  std::map<uint32_t, std::string> by_ip_;
};

}  // namespace berth::network
