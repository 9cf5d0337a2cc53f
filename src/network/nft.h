// berth's nftables table: outbound NAT (masquerade) for its networks and
// DNAT for published ports, in one `ip` table of its own whose name is a
// daemon option (so daemons side by side never share one). Nothing else is
// touched: other tables (dockerd's, firewalld's) stay as they are.
//
//   table ip <name>
//     map ports    proto . port           → container ip . port  (any host address)
//     map ipports  host ip . proto . port → container ip . port
//     chain ports        the two DNAT lookups
//     chain prerouting   nat/dstnat: to a local address → ports
//     chain output       nat/-100:   to a local address → ports (the host itself,
//                                    127.0.0.1 included: route_localnet on the bridge)
//     chain postrouting  nat/srcnat: masquerade a subnet leaving by another interface;
//                        127.0.0.0/8 sources leaving by a bridge; hairpin (a container
//                        reaching a published port of its own bridge)
//     chain forward      filter: no bridge forwards to another (isolation);
//                        --internal networks reach only their own bridge
//
// The generators are pure (tested); Nft runs scripts through libnftables,
// each script one atomic transaction.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "base/error.h"
#include "network/addr.h"

struct nft_ctx;

namespace berth::network {

struct NatNetwork {
  std::string bridge;
  Subnet subnet;
  bool internal = false;
};

struct PortMapping {
  std::string proto = "tcp";  // "tcp" | "udp" | "sctp"
  Ipv4 host_ip;               // 0.0.0.0: every host address
  uint16_t host_port = 0;
  Ipv4 container_ip;
  uint16_t container_port = 0;
  bool operator==(const PortMapping&) const = default;
};

// The whole table, replacing any previous one atomically.
std::string TableScript(const std::string& table, const std::vector<NatNetwork>& networks,
                        const std::vector<PortMapping>& ports);
std::string AddPortsScript(const std::string& table, const std::vector<PortMapping>& ports);
std::string DeletePortsScript(const std::string& table, const std::vector<PortMapping>& ports);
std::string DeleteTableScript(const std::string& table);

// A libnftables context (one per daemon; calls are serialized).
class Nft {
 public:
  Nft();
  ~Nft();
  Nft(const Nft&) = delete;
  Nft& operator=(const Nft&) = delete;

  // Runs a script; returns its output (listings), or the error text.
  Result<std::string> Run(const std::string& script);

 private:
  std::mutex mu_;
  nft_ctx* ctx_ = nullptr;  // guarded by mu_
};

}  // namespace berth::network
