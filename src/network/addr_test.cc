#include "network/addr.h"

#include <gtest/gtest.h>

namespace berth::network {
namespace {

TEST(Addr, ParsesAndFormatsIpv4) {
  auto a = ParseIpv4("10.210.0.1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->v, 0x0AD20001u);
  EXPECT_EQ(ToString(*a), "10.210.0.1");
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.x", "01.2.3.4", "1..2.3"})
    EXPECT_FALSE(ParseIpv4(bad).ok()) << bad;
}

TEST(Addr, Cidr) {
  Ipv4 ip;
  auto s = ParseCidr("10.210.3.1/16", &ip);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(ToString(*s), "10.210.0.0/16");
  EXPECT_EQ(ToString(ip), "10.210.3.1");
  EXPECT_TRUE(s->Contains(*ParseIpv4("10.210.255.255")));
  EXPECT_FALSE(s->Contains(*ParseIpv4("10.211.0.1")));
  EXPECT_EQ(ToString(s->Broadcast()), "10.210.255.255");
  EXPECT_TRUE(s->Overlaps(*ParseSubnet("10.0.0.0/8")));
  EXPECT_FALSE(s->Overlaps(*ParseSubnet("172.17.0.0/16")));
  EXPECT_FALSE(ParseSubnet("10.0.0.0").ok());
  EXPECT_FALSE(ParseSubnet("10.0.0.0/33").ok());
  EXPECT_FALSE(ParseSubnet("10.0.0.0/").ok());
}

TEST(Addr, Mac) {
  EXPECT_EQ(MacForIp(*ParseIpv4("172.17.0.2")), "02:42:ac:11:00:02");
  uint8_t m[6];
  ASSERT_TRUE(ParseMac("02:42:AC:11:00:02", m).ok());
  EXPECT_EQ(m[2], 0xac);
  EXPECT_FALSE(ParseMac("02:42:ac:11:00", m).ok());
  EXPECT_FALSE(ParseMac("02:42:ac:11:00:zz", m).ok());
}

}  // namespace
}  // namespace berth::network
