#include "network/netlink.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

#include <fmt/format.h>

namespace berth::network {
namespace {

constexpr size_t kBuf = 8192;

Error NlError(const std::string& what, int err) {
  Code code = err == EEXIST   ? Code::kAlreadyExists
              : err == ENODEV ? Code::kNotFound
                              : Code::kInternal;
  return Error(code, fmt::format("{}: {}", what, strerror(err)), err);
}

// A message being built in a buffer of its own.
struct Msg {
  std::vector<char> buf = std::vector<char>(kBuf);
  nlmsghdr* nlh;
  explicit Msg(uint16_t type, uint16_t flags) {
    nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  }
  std::vector<char> Done() {
    buf.resize(nlh->nlmsg_len);
    return std::move(buf);
  }
};

ifinfomsg* PutIfinfo(nlmsghdr* nlh) {
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  return ifm;
}

}  // namespace

Netlink::Netlink(mnl_socket* s) : sock_(s), portid_(mnl_socket_get_portid(s)) {}
Netlink::Netlink(Netlink&& o) noexcept
    : sock_(std::exchange(o.sock_, nullptr)), seq_(o.seq_), portid_(o.portid_) {}
Netlink& Netlink::operator=(Netlink&& o) noexcept {
  if (this != &o) {
    if (sock_) mnl_socket_close(sock_);
    sock_ = std::exchange(o.sock_, nullptr);
    seq_ = o.seq_;
    portid_ = o.portid_;
  }
  return *this;
}
Netlink::~Netlink() {
  if (sock_) mnl_socket_close(sock_);
}

Result<Netlink> Netlink::Open() {
  mnl_socket* s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
  if (!s) return Error::Sys("netlink socket");
  if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
    int e = errno;
    mnl_socket_close(s);
    return Error::Sys("netlink bind", e);
  }
  return Netlink(s);
}

void Netlink::Begin() {
  batching_ = true;
  batch_.clear();
  pending_.clear();
}

Status Netlink::Commit() {
  batching_ = false;
  if (pending_.empty()) return Ok();
  if (mnl_socket_sendto(sock_, batch_.data(), batch_.size()) < 0) return Error::Sys("netlink send");
  std::optional<Error> first;
  size_t acked = 0;
  std::array<char, kBuf> buf;
  while (acked < pending_.size()) {
    ssize_t n = mnl_socket_recvfrom(sock_, buf.data(), buf.size());
    if (n < 0) return Error::Sys("netlink receive");
    auto* nlh = reinterpret_cast<nlmsghdr*>(buf.data());
    int len = static_cast<int>(n);
    for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
      if (nlh->nlmsg_type != NLMSG_ERROR) continue;
      auto* err = static_cast<nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
      ++acked;
      if (err->error != 0 && !first) {
        std::string what = "netlink request";
        for (auto& [s, w] : pending_)
          if (s == nlh->nlmsg_seq) what = w;
        first = NlError(what, -err->error);
      }
    }
  }
  pending_.clear();
  batch_.clear();
  if (first) return std::move(*first);
  return Ok();
}

Status Netlink::Request(const std::vector<char>& msg, const std::string& what) {
  auto* nlh = reinterpret_cast<nlmsghdr*>(const_cast<char*>(msg.data()));
  nlh->nlmsg_flags |= NLM_F_ACK;
  nlh->nlmsg_seq = ++seq_;
  if (batching_) {
    batch_.insert(batch_.end(), msg.begin(), msg.end());
    pending_.emplace_back(seq_, what);
    return Ok();
  }
  Begin();
  batch_ = msg;
  pending_.emplace_back(seq_, what);
  return Commit();
}

Status Netlink::Query(const std::vector<char>& msg, int (*cb)(const nlmsghdr*, void*), void* data) {
  auto* nlh = reinterpret_cast<nlmsghdr*>(const_cast<char*>(msg.data()));
  nlh->nlmsg_seq = ++seq_;
  bool dump = nlh->nlmsg_flags & NLM_F_DUMP;
  if (mnl_socket_sendto(sock_, msg.data(), msg.size()) < 0) return Error::Sys("netlink send");
  std::array<char, 32768> buf;
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock_, buf.data(), buf.size());
    if (n < 0) return Error::Sys("netlink receive");
    int r = mnl_cb_run(buf.data(), static_cast<size_t>(n), seq_, portid_, cb, data);
    if (r < 0) return NlError("netlink query", errno);
    // A get (not a dump) is answered by one message, without NLMSG_DONE.
    if (r == MNL_CB_STOP || !dump) return Ok();
  }
}

Status Netlink::CreateBridge(const std::string& name, int mtu) {
  Msg m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  PutIfinfo(m.nlh);
  mnl_attr_put_strz(m.nlh, IFLA_IFNAME, name.c_str());
  if (mtu > 0) mnl_attr_put_u32(m.nlh, IFLA_MTU, static_cast<uint32_t>(mtu));
  nlattr* info = mnl_attr_nest_start(m.nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(m.nlh, IFLA_INFO_KIND, "bridge");
  mnl_attr_nest_end(m.nlh, info);
  return Request(m.Done(), "create bridge " + name);
}

Status Netlink::CreateVeth(const VethSpec& v) {
  Msg m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  ifinfomsg* ifm = PutIfinfo(m.nlh);
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;
  mnl_attr_put_strz(m.nlh, IFLA_IFNAME, v.host_name.c_str());
  if (v.mtu > 0) mnl_attr_put_u32(m.nlh, IFLA_MTU, static_cast<uint32_t>(v.mtu));
  if (v.master_index > 0) mnl_attr_put_u32(m.nlh, IFLA_MASTER, static_cast<uint32_t>(v.master_index));
  nlattr* info = mnl_attr_nest_start(m.nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(m.nlh, IFLA_INFO_KIND, "veth");
  nlattr* data = mnl_attr_nest_start(m.nlh, IFLA_INFO_DATA);
  nlattr* peer = mnl_attr_nest_start(m.nlh, VETH_INFO_PEER);
  auto* pifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(m.nlh, sizeof(ifinfomsg)));
  pifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(m.nlh, IFLA_IFNAME, v.peer_name.c_str());
  if (v.peer_netns_fd >= 0) mnl_attr_put_u32(m.nlh, IFLA_NET_NS_FD, static_cast<uint32_t>(v.peer_netns_fd));
  if (v.mtu > 0) mnl_attr_put_u32(m.nlh, IFLA_MTU, static_cast<uint32_t>(v.mtu));
  if (v.peer_mac) mnl_attr_put(m.nlh, IFLA_ADDRESS, 6, v.peer_mac->data());
  mnl_attr_nest_end(m.nlh, peer);
  mnl_attr_nest_end(m.nlh, data);
  mnl_attr_nest_end(m.nlh, info);
  return Request(m.Done(), "create veth " + v.host_name);
}

Status Netlink::DeleteLink(const std::string& name) {
  Msg m(RTM_DELLINK, 0);
  PutIfinfo(m.nlh);
  mnl_attr_put_strz(m.nlh, IFLA_IFNAME, name.c_str());
  return Request(m.Done(), "delete link " + name);
}

Status Netlink::SetUp(const std::string& name) {
  Msg m(RTM_NEWLINK, 0);
  ifinfomsg* ifm = PutIfinfo(m.nlh);
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;
  mnl_attr_put_strz(m.nlh, IFLA_IFNAME, name.c_str());
  return Request(m.Done(), "set " + name + " up");
}

Status Netlink::AddAddress(int index, Ipv4 ip, int prefix, bool replace) {
  Msg m(RTM_NEWADDR, NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL));
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(m.nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = static_cast<uint8_t>(prefix);
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = static_cast<uint32_t>(index);
  uint32_t be = htonl(ip.v);
  mnl_attr_put_u32(m.nlh, IFA_LOCAL, be);
  mnl_attr_put_u32(m.nlh, IFA_ADDRESS, be);
  Subnet s{Ipv4{ip.v}, prefix};
  s.base = Ipv4{ip.v & s.Mask()};
  if (prefix < 31) mnl_attr_put_u32(m.nlh, IFA_BROADCAST, htonl(s.Broadcast().v));
  return Request(m.Done(), fmt::format("add address {}/{} to link {}", ToString(ip), prefix, index));
}

Status Netlink::AddDefaultRoute(Ipv4 gateway, int oif) {
  Msg m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(m.nlh, sizeof(rtmsg)));
  rtm->rtm_family = AF_INET;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = RT_SCOPE_UNIVERSE;
  rtm->rtm_type = RTN_UNICAST;
  mnl_attr_put_u32(m.nlh, RTA_GATEWAY, htonl(gateway.v));
  if (oif > 0) mnl_attr_put_u32(m.nlh, RTA_OIF, static_cast<uint32_t>(oif));
  return Request(m.Done(), "add default route via " + ToString(gateway));
}

namespace {

struct LinkInfo {
  std::string want;
  int index = 0;
  int mtu = 0;
};

int LinkCb(const nlmsghdr* nlh, void* data) {
  auto* li = static_cast<LinkInfo*>(data);
  auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  std::string name;
  int mtu = 0;
  auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(*ifm)));
  for (; mnl_attr_ok(attr, static_cast<int>(static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh)) -
                                            reinterpret_cast<const char*>(attr)));
       attr = mnl_attr_next(attr)) {
    if (mnl_attr_get_type(attr) == IFLA_IFNAME) name = mnl_attr_get_str(attr);
    if (mnl_attr_get_type(attr) == IFLA_MTU) mtu = static_cast<int>(mnl_attr_get_u32(attr));
  }
  if (name == li->want) {
    li->index = ifm->ifi_index;
    li->mtu = mtu;
  }
  return MNL_CB_OK;
}

}  // namespace

Status Netlink::GetLink(const std::string& name, int* index, int* mtu) {
  Msg m(RTM_GETLINK, 0);
  PutIfinfo(m.nlh);
  mnl_attr_put_strz(m.nlh, IFLA_IFNAME, name.c_str());
  LinkInfo li;
  li.want = name;
  BERTH_TRY(Query(m.Done(), LinkCb, &li).Context("link " + name));
  *index = li.index;
  *mtu = li.mtu;
  return Ok();
}

Result<int> Netlink::LinkIndex(const std::string& name) {
  int index = 0, mtu = 0;
  BERTH_TRY(GetLink(name, &index, &mtu));
  return index;
}

Result<int> Netlink::LinkMtu(const std::string& name) {
  int index = 0, mtu = 0;
  BERTH_TRY(GetLink(name, &index, &mtu));
  return mtu;
}

}  // namespace berth::network
