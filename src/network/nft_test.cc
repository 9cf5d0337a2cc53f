#include "network/nft.h"

#include <gtest/gtest.h>

namespace berth::network {
namespace {

PortMapping P(const char* proto, const char* hip, uint16_t hp, const char* cip, uint16_t cp) {
  return {proto, *ParseIpv4(hip), hp, *ParseIpv4(cip), cp};
}

TEST(Nft, TableReplacesItselfAndMasquerades) {
  std::string s = TableScript("berth_t0", {{"bt0", *ParseSubnet("10.9.0.0/16"), false}}, {});
  // Declare, delete and recreate: one transaction whatever existed.
  EXPECT_EQ(s.find("table ip berth_t0 {}\ndelete table ip berth_t0\ntable ip berth_t0 {"), 0u);
  EXPECT_NE(s.find("ip saddr 10.9.0.0/16 oifname != \"bt0\" masquerade"), std::string::npos);
  EXPECT_NE(s.find("oifname \"bt0\" ip saddr 127.0.0.0/8 masquerade"), std::string::npos);
  EXPECT_NE(s.find("iifname \"bt0\" oifname \"bt0\" ct status dnat masquerade"), std::string::npos);
  EXPECT_NE(s.find("type nat hook output priority -100"), std::string::npos);
  EXPECT_EQ(s.find("add element"), std::string::npos);
}

TEST(Nft, InternalNetworkDropsForwardingAndHasNoMasquerade) {
  std::string s = TableScript("t", {{"bi", *ParseSubnet("10.8.0.0/24"), true}}, {});
  EXPECT_EQ(s.find("ip saddr 10.8.0.0/24"), std::string::npos);
  EXPECT_NE(s.find("iifname \"bi\" oifname != \"bi\" drop"), std::string::npos);
}

TEST(Nft, BridgesAreIsolatedFromEachOther) {
  std::string one = TableScript("t", {{"b0", *ParseSubnet("10.8.0.0/24"), false}}, {});
  EXPECT_EQ(one.find("drop"), std::string::npos);
  std::string s = TableScript("t",
                              {{"b0", *ParseSubnet("10.8.0.0/24"), false},
                               {"b1", *ParseSubnet("10.8.1.0/24"), false},
                               {"b2", *ParseSubnet("10.8.2.0/24"), true}},
                              {});
  EXPECT_NE(s.find("iifname \"b0\" oifname { \"b1\", \"b2\" } drop"), std::string::npos);
  EXPECT_NE(s.find("iifname \"b2\" oifname { \"b0\", \"b1\" } drop"), std::string::npos);
  EXPECT_NE(s.find("ip saddr 10.8.1.0/24 oifname != \"b1\" masquerade"), std::string::npos);
  EXPECT_EQ(s.find("ip saddr 10.8.2.0/24 oifname"), std::string::npos);
}

TEST(Nft, PortElements) {
  std::vector<PortMapping> ps = {P("tcp", "0.0.0.0", 8080, "10.9.0.2", 80),
                                 P("udp", "127.0.0.1", 5353, "10.9.0.2", 53)};
  EXPECT_EQ(AddPortsScript("t", ps),
            "add element ip t ports { tcp . 8080 : 10.9.0.2 . 80 }\n"
            "add element ip t ipports { 127.0.0.1 . udp . 5353 : 10.9.0.2 . 53 }\n");
  EXPECT_EQ(DeletePortsScript("t", ps),
            "delete element ip t ports { tcp . 8080 }\n"
            "delete element ip t ipports { 127.0.0.1 . udp . 5353 }\n");
  EXPECT_EQ(AddPortsScript("t", {}), "");
  std::string full = TableScript("t", {}, ps);
  EXPECT_NE(full.find("add element ip t ports { tcp . 8080 : 10.9.0.2 . 80 }"), std::string::npos);
  EXPECT_EQ(DeleteTableScript("t"), "table ip t {}\ndelete table ip t\n");
}

}  // namespace
}  // namespace berth::network
