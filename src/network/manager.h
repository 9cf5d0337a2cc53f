// The container networks of one daemon: the default bridge ("bridge",
// Docker's name; the Linux bridge is --bridge, default berth0, with the
// address --bip, default 10.210.0.1/16), each container's endpoint on it
// and the NAT table (nft.h).
//
//   <data-root>/network/bridge.json   IPAM state + endpoints (atomic rewrite
//                                     on every change)
//   <exec-root>/netns/<container-id>  the container's network namespace
//   veth<id[0:11]>                    the host end of its veth pair, on the
//                                     bridge; eth0 inside
//
// Life cycle: Open() creates (or adopts) the bridge, enables forwarding and
// rebuilds the nft table from the saved endpoints (live restore: running
// containers keep their address and ports). Attach() before a container
// starts, Detach() when it has stopped (idempotent: address, ports, veth,
// namespace all go). Prune() after the engine has restored drops endpoints
// of containers that are gone. Close() on a clean shutdown removes the table
// and the bridge when no endpoint is left (running containers keep theirs:
// berthd's live restore).
//
// Threads: every method locks mu_; Attach holds it for the whole setup.
// Lock order: the engine's locks (Engine::Impl::mu, Container::mu) come
// before mu_, never after: the engine calls Attach/Detach/Get while holding
// them, so the manager never calls out (Prune's keep()) while holding mu_.
// Nft and Netlink locks come after mu_.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/unique_fd.h"
#include "network/addr.h"
#include "network/ipam.h"
#include "network/netlink.h"
#include "network/nft.h"
#include "network/ports.h"

namespace berth::network {

inline constexpr const char* kDefaultBridge = "berth0";
inline constexpr const char* kDefaultBip = "10.210.0.1/16";

struct ManagerOptions {
  std::string bridge = kDefaultBridge;
  std::string bip = kDefaultBip;  // gateway address / prefix
  std::string table;              // "" → "berth_" + bridge
  int mtu = 1500;
  std::string state_dir;  // <data-root>/network
  std::string netns_dir;  // <exec-root>/netns
};

struct AttachRequest {
  std::string container_id;
  std::string container_name;       // for error messages
  std::optional<Ipv4> ip;           // --ip
  std::string mac;                  // --mac-address
  std::vector<PortRequest> ports;
};

struct Endpoint {
  std::string container_id;
  std::string endpoint_id;
  Ipv4 ip, gateway;
  int prefix = 0;
  std::string mac;
  std::string veth;
  std::string netns;  // path
  std::vector<PortMapping> ports;

  nlohmann::json ToJson() const;
  static Result<Endpoint> FromJson(const nlohmann::json& j);
};

class Manager {
 public:
  static Result<std::unique_ptr<Manager>> Open(const ManagerOptions& o);
  ~Manager();

  // Sets up the container's namespace on the bridge; returns its endpoint
  // (Endpoint::netns is the path the runtime joins).
  Result<Endpoint> Attach(const AttachRequest& r);
  void Detach(const std::string& container_id);
  std::optional<Endpoint> Get(const std::string& container_id);
  // Detaches every endpoint whose container keep() rejects. keep() runs
  // without mu_ held and may call back into the manager or take the
  // engine's locks.
  void Prune(const std::function<bool(const std::string&)>& keep);
  void Close();

  const std::string& bridge() const { return o_.bridge; }
  const std::string& id() const { return id_; }  // the "bridge" network's ID (kept in the state)
  const std::string& table() const { return o_.table; }
  Subnet subnet() const;
  Ipv4 gateway() const;
  int mtu() const { return o_.mtu; }

 private:
  explicit Manager(ManagerOptions o);
  Status SetupBridge();
  Status SaveLocked();
  void DetachLocked(const std::string& id);
  // Removes the endpoint's published ports from the nft maps.
  void DeletePortsLocked(const Endpoint& e);
  std::vector<PortMapping> AllPortsLocked() const;

  ManagerOptions o_;
  std::string id_;
  Subnet subnet_;
  Ipv4 gw_;
  Nft nft_;

  std::mutex mu_;
  Netlink nl_;  // host namespace; guarded by mu_
  int bridge_index_ = 0;
  Ipam ipam_;
  std::map<std::string, Endpoint> endpoints_;              // by container id
  std::map<std::string, std::vector<unique_fd>> reserved_;  // host ports held
};

}  // namespace berth::network
