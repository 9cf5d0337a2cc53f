// A small rtnetlink client (libmnl): links, addresses and routes, in the
// network namespace the socket was opened in. Requests can be batched: all
// messages go out in one sendmsg and their acks are read together, which
// keeps the per-container setup to a few system calls.
//
// Errors name the request and the object ("create veth vethab12: File
// exists"); kAlreadyExists for EEXIST, kNotFound for ENODEV.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "network/addr.h"

struct mnl_socket;
struct nlmsghdr;

namespace berth::network {

struct VethSpec {
  std::string host_name;      // in the socket's namespace
  std::string peer_name;      // created directly in peer_netns_fd
  int peer_netns_fd = -1;
  int master_index = 0;       // the bridge (0: none)
  int mtu = 0;                // 0: the kernel's default
  std::optional<std::array<uint8_t, 6>> peer_mac;
  // The peer cannot be brought up in the creating request (veth_open needs
  // the pair linked: ENOTCONN); SetUp it afterwards.
};

class Netlink {
 public:
  // A socket in the calling thread's network namespace.
  Netlink() = default;  // no socket: Open() one
  static Result<Netlink> Open();
  Netlink(Netlink&& o) noexcept;
  Netlink& operator=(Netlink&& o) noexcept;
  ~Netlink();

  // Starts a batch: the calls below queue their request; Commit() sends the
  // batch and returns the first error. Outside a batch each call is sent
  // and acked at once.
  void Begin();
  Status Commit();

  Status CreateBridge(const std::string& name, int mtu);
  Status CreateVeth(const VethSpec& v);
  Status DeleteLink(const std::string& name);
  // Link flags: up (IFF_UP) by name.
  Status SetUp(const std::string& name);
  // dev_index: the link's index in the socket's namespace (LinkIndex).
  Status AddAddress(int dev_index, Ipv4 ip, int prefix, bool replace = false);
  Status AddDefaultRoute(Ipv4 gateway, int oif);

  // Reads (never batched): index (kNotFound when absent), MTU.
  Result<int> LinkIndex(const std::string& name);
  Result<int> LinkMtu(const std::string& name);

 private:
  explicit Netlink(mnl_socket* s);
  // RTM_GETLINK of one link by name: its index and MTU.
  Status GetLink(const std::string& name, int* index, int* mtu);
  // Sends one request (or queues it in a batch).
  Status Request(const std::vector<char>& msg, const std::string& what);
  // Sends a dump/get request; cb sees each reply message.
  Status Query(const std::vector<char>& msg, int (*cb)(const struct nlmsghdr*, void*), void* data);

  mnl_socket* sock_ = nullptr;
  uint32_t seq_ = 0;
  uint32_t portid_ = 0;
  bool batching_ = false;
  std::vector<char> batch_;
  std::vector<std::pair<uint32_t, std::string>> pending_;  // seq → what
};

}  // namespace berth::network
