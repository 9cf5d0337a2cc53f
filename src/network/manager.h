// The container networks of one daemon: the default bridge ("bridge",
// Docker's name; the Linux bridge is --bridge, default berth0, with the
// address --bip, default 10.210.0.1/16), the user-defined bridge networks
// (`network create`), each container's endpoints on them and the NAT table
// (nft.h).
//
//   <data-root>/network/bridge.json          the default bridge: ID, IPAM
//                                            state, endpoints
//   <data-root>/network/networks/<id>.json   a user-defined network: its
//                                            config, IPAM state, endpoints
//   <exec-root>/netns/<container-id>         the container's network namespace
//                                            (one, shared by its endpoints)
//   veth<id[0:11]>                           host end of the veth on the
//                                            default bridge
//   veth<id[0:6]><network-id[0:5]>           host end on a user-defined one
//   bb-<network-id[0:12]>                    a user-defined network's bridge
//                                            (-o com.docker.network.bridge.name)
//
// A state file is rewritten (write a new file, rename it over; no fsync)
// when its network changes: an attach rewrites one network's file only.
//
// Inside the container the endpoints are eth0, eth1, ... in attach order;
// the first one on a non-internal network carries the default route and
// the published ports. An --internal network has no route out: no
// masquerade, no default route, forwarding only within its bridge.
// Different bridges never forward to each other (nft.h: isolation).
//
// Life cycle: Open() creates (or adopts) the bridges, enables forwarding
// and rebuilds the nft table from the saved networks and endpoints (live
// restore: running containers keep their addresses and ports). AttachAll()
// before a container starts, DetachAll() when it has stopped (idempotent:
// addresses, ports, veths, namespace all go); Attach()/Detach() connect and
// disconnect a running container. Prune() after the engine has restored
// drops endpoints of containers that are gone. Close() on a clean shutdown
// removes the table and every bridge when no endpoint is left (the
// networks stay in the state and are rebuilt at the next Open; running
// containers keep theirs: berthd's live restore).
//
// Threads: every method locks mu_; an attach holds it for the whole setup.
// Lock order: the engine's locks (Engine::Impl::mu, Container::mu) come
// before mu_, never after: the engine calls in while holding them, so the
// manager never calls out (Prune's keep()) while holding mu_. Nft and
// Netlink locks come after mu_.
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
inline constexpr const char* kDefaultPool = "10.211.0.0/16";
inline constexpr int kDefaultPoolSize = 24;

struct ManagerOptions {
  std::string bridge = kDefaultBridge;
  std::string bip = kDefaultBip;  // gateway address / prefix
  std::string table;              // "" → "berth_" + bridge
  int mtu = 1500;
  std::string state_dir;  // <data-root>/network
  std::string netns_dir;  // <exec-root>/netns
  // Subnets of user-defined networks created without --subnet: the first
  // /pool_size in pool overlapping no network and no host route.
  std::string pool = kDefaultPool;
  int pool_size = kDefaultPoolSize;
};

// `network create`: what the client asked for.
struct NetworkSpec {
  std::string name;
  std::optional<Subnet> subnet;
  std::optional<Ipv4> gateway;
  std::optional<Subnet> ip_range;
  bool internal = false;
  bool attachable = false;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;  // -o (bridge.name read from them)
};

struct Endpoint {
  std::string container_id;
  std::string container_name;  // without the leading '/'
  std::string network_id;
  std::string endpoint_id;
  std::string iface;  // eth0, eth1, ... inside the container
  Ipv4 ip, gateway;
  int prefix = 0;
  std::string mac;
  std::string veth;
  std::string netns;  // path
  std::vector<std::string> aliases;
  bool default_route = false;
  std::vector<PortMapping> ports;

  nlohmann::json ToJson() const;
  static Result<Endpoint> FromJson(const nlohmann::json& j);
};

// A network as the views show it (a copy, taken under the manager's lock).
struct NetworkInfo {
  std::string id, name, bridge, created;
  bool is_default = false;     // the "bridge" network
  bool user_subnet = false;    // --subnet given: --ip allowed
  Subnet subnet;
  Ipv4 gateway;
  std::optional<Subnet> ip_range;
  bool internal = false, attachable = false;
  std::map<std::string, std::string> labels, options;
  std::vector<Endpoint> endpoints;
};

struct AttachRequest {
  std::string container_id;
  std::string container_name;       // without '/'; errors, DNS
  std::string network;              // name or ID; "" the default bridge
  std::optional<Ipv4> ip;           // --ip
  std::string mac;                  // --mac-address
  std::vector<std::string> aliases; // --network-alias / connect --alias
  std::vector<PortRequest> ports;   // published on the default-route endpoint
};

class Manager {
 public:
  static Result<std::unique_ptr<Manager>> Open(const ManagerOptions& o);
  ~Manager();

  // Networks. Lookup as Docker: full ID, exact name, then a unique ID prefix.
  Result<NetworkInfo> CreateNetwork(const NetworkSpec& spec);
  Status RemoveNetwork(const std::string& name_or_id);
  Result<NetworkInfo> FindNetwork(const std::string& name_or_id);
  std::vector<NetworkInfo> Networks();

  // Sets up the container's namespace with one endpoint per request (eth0,
  // eth1, ... in order); returns them (Endpoint::netns is the path the
  // runtime joins). All or nothing. Stale endpoints of the container (a
  // crash) go first.
  Result<std::vector<Endpoint>> AttachAll(const std::vector<AttachRequest>& rs);
  // Attach(r): one more endpoint in the container's existing namespace
  // (network connect of a running container). Single request for a
  // container without endpoints: as AttachAll({r}).
  Result<Endpoint> Attach(const AttachRequest& r);
  // Disconnects the container from one network (its veth, address, ports);
  // the namespace stays.
  Status Detach(const std::string& container_id, const std::string& network_id);
  // Everything of the container: endpoints, addresses, ports, namespace.
  void DetachAll(const std::string& container_id);
  void Detach(const std::string& container_id) { DetachAll(container_id); }

  // A renamed container answers to its new name on its networks' DNS
  // (its endpoints' container_name, saved).
  void RenameContainer(const std::string& container_id, const std::string& new_name);

  // The container's endpoints, in interface order; Get: the first one.
  std::vector<Endpoint> Endpoints(const std::string& container_id);
  std::optional<Endpoint> Get(const std::string& container_id);

  // Addresses of the containers sharing a user-defined network with
  // requester whose name, short ID (12) or alias on that network is name
  // (case-insensitive). The embedded DNS's lookup (Engine::ResolvePeer).
  std::vector<Ipv4> Peers(const std::string& requester_id, const std::string& name);

  // Detaches every endpoint whose container keep() rejects. keep() runs
  // without mu_ held and may call back into the manager or take the
  // engine's locks.
  void Prune(const std::function<bool(const std::string&)>& keep);
  void Close();

  const std::string& bridge() const { return o_.bridge; }
  const std::string& id() const { return default_id_; }  // the "bridge" network's ID
  const std::string& table() const { return o_.table; }
  Subnet subnet() const;
  Ipv4 gateway() const;
  int mtu() const { return o_.mtu; }

 private:
  struct Net {
    NetworkInfo info;  // endpoints: in `endpoints` below, not here
    Ipam ipam;
    int bridge_index = 0;
    std::map<std::string, Endpoint> endpoints;  // by container id
  };

  explicit Manager(ManagerOptions o);
  Status SetupBridge(Net& n);
  Status LoadNetwork(const nlohmann::json& j, bool is_default);
  Status SaveLocked(const Net& n);
  Status RebuildTableLocked();
  Net* FindLocked(const std::string& name_or_id);
  Result<Subnet> AllocateSubnetLocked();
  Result<Endpoint> AttachLocked(Net& n, const AttachRequest& r, const std::string& iface,
                                bool default_route, int netns_fd, Netlink& ns_nl);
  void DetachLocked(Net& n, const std::string& container_id);
  void DetachAllLocked(const std::string& container_id);
  bool HasEndpointsLocked(const std::string& container_id) const;
  // Removes the endpoint's published ports from the nft maps.
  void DeletePortsLocked(const Endpoint& e);
  std::vector<PortMapping> AllPortsLocked() const;
  NetworkInfo InfoLocked(const Net& n) const;

  ManagerOptions o_;
  Subnet pool_;
  std::string default_id_;  // these three set by Open, then constant
  Subnet default_subnet_;
  Ipv4 default_gw_;
  Nft nft_;

  std::mutex mu_;
  Netlink nl_;  // host namespace; guarded by mu_
  std::map<std::string, Net> nets_;                         // by network id
  std::map<std::string, std::vector<unique_fd>> reserved_;  // host ports held, by container id
};

}  // namespace berth::network
