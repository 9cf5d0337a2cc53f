#include "network/ports.h"

#include <gtest/gtest.h>

namespace berth::network {
namespace {

using nlohmann::json;

TEST(Ports, PortProto) {
  EXPECT_EQ(ParsePortProto("80/tcp")->first, 80);
  EXPECT_EQ(ParsePortProto("53/UDP")->second, "udp");
  EXPECT_EQ(ParsePortProto("8080")->second, "tcp");
  EXPECT_FALSE(ParsePortProto("80/icmp").ok());
  EXPECT_FALSE(ParsePortProto("0/tcp").ok());
  EXPECT_FALSE(ParsePortProto("70000/tcp").ok());
  EXPECT_FALSE(ParsePortProto("x/tcp").ok());
}

TEST(Ports, BindingsAndPublishAll) {
  json pb = json::parse(R"({"80/tcp":[{"HostIp":"","HostPort":"8080"}],
                           "53/udp":[{"HostIp":"127.0.0.1","HostPort":""}],
                           "81/tcp":[{"HostIp":"::","HostPort":"9"}],
                           "90/tcp":[{"HostIp":"","HostPort":"7000-7005"}]})");
  json exposed = json::parse(R"({"80/tcp":{},"443/tcp":{}})");
  auto r = PortRequests(pb, true, exposed);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 4u);  // the IPv6 one is skipped, 443 added
  EXPECT_EQ((*r)[0].proto, "udp");
  EXPECT_EQ(ToString((*r)[0].host_ip), "127.0.0.1");
  EXPECT_EQ((*r)[0].host_lo, 0);
  EXPECT_EQ((*r)[1].host_lo, 8080);
  EXPECT_EQ((*r)[1].host_hi, 8080);
  EXPECT_EQ((*r)[2].host_lo, 7000);
  EXPECT_EQ((*r)[2].host_hi, 7005);
  EXPECT_EQ((*r)[3].container_port, 443);
  EXPECT_EQ((*r)[3].host_lo, 0);
  EXPECT_FALSE(PortRequests(json::parse(R"({"80/tcp":[{"HostPort":"9-1"}]})"), false, {}).ok());
  EXPECT_FALSE(PortRequests(json::parse(R"({"80/tcp":[{"HostIp":"x"}]})"), false, {}).ok());
}

TEST(Ports, ReserveClashes) {
  uint16_t got = 0;
  auto a = ReservePort("tcp", *ParseIpv4("127.0.0.1"), 0, &got);
  ASSERT_TRUE(a.ok());
  EXPECT_GT(got, 1024);
  uint16_t again = 0;
  auto b = ReservePort("tcp", *ParseIpv4("127.0.0.1"), got, &again);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code(), Code::kConflict);
  EXPECT_NE(b.error().message().find("port is already allocated"), std::string::npos);
  // UDP is its own space.
  EXPECT_TRUE(ReservePort("udp", *ParseIpv4("127.0.0.1"), got, &again).ok());
}

}  // namespace
}  // namespace berth::network
