// Published ports: Docker's HostConfig.PortBindings / PublishAllPorts read
// into requests, and host ports reserved by binding a socket on them (so a
// port taken by any other program, or by another container, is a clash, and
// a random port is the kernel's pick from its ephemeral range). Traffic is
// forwarded by DNAT (nft.h), not through the socket.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/unique_fd.h"
#include "network/addr.h"

namespace berth::network {

struct PortRequest {
  std::string proto = "tcp";
  uint16_t container_port = 0;
  Ipv4 host_ip;                      // 0.0.0.0: all addresses
  uint16_t host_lo = 0, host_hi = 0; // 0: a random port; a range: the first free
  bool operator==(const PortRequest&) const = default;
};

// "80/tcp" → (80, "tcp"). kInvalidArgument for anything else.
Result<std::pair<uint16_t, std::string>> ParsePortProto(const std::string& key);

// PortBindings {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]} plus, with
// publish_all, every ExposedPorts key not bound (on a random port).
// IPv6 host addresses are skipped (IPv4 only).
Result<std::vector<PortRequest>> PortRequests(const nlohmann::json& port_bindings, bool publish_all,
                                              const nlohmann::json& exposed_ports);

// Binds a socket of proto on host_ip:port (port 0: the kernel's pick);
// *bound gets the port. EADDRINUSE gives Docker's "port is already
// allocated" text (kConflict).
Result<unique_fd> ReservePort(const std::string& proto, Ipv4 host_ip, uint16_t port,
                              uint16_t* bound);

}  // namespace berth::network
