#include "network/ipam.h"

#include <gtest/gtest.h>

#include <set>

namespace berth::network {
namespace {

Ipv4 Ip(const char* s) { return *ParseIpv4(s); }

TEST(Ipam, HandsOutEachAddressOnce) {
  Ipam m(*ParseSubnet("10.0.0.0/29"), Ip("10.0.0.1"));
  std::set<std::string> got;
  for (int i = 0; i < 5; ++i) {
    auto a = m.Allocate("c" + std::to_string(i));
    ASSERT_TRUE(a.ok());
    got.insert(ToString(*a));
  }
  EXPECT_EQ(got, (std::set<std::string>{"10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"}));
  auto full = m.Allocate("c9");
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code(), Code::kUnavailable);
}

TEST(Ipam, SameOwnerSameAddressAndNoImmediateReuse) {
  Ipam m(*ParseSubnet("10.0.0.0/24"), Ip("10.0.0.1"));
  auto a = m.Allocate("a");
  EXPECT_EQ(ToString(*m.Allocate("a")), ToString(*a));
  m.Release("a");
  auto b = m.Allocate("b");
  EXPECT_NE(ToString(*b), ToString(*a));  // walks on
  EXPECT_FALSE(m.Of("a"));
}

TEST(Ipam, RequestedAddress) {
  Ipam m(*ParseSubnet("10.0.0.0/24"), Ip("10.0.0.1"));
  ASSERT_TRUE(m.Allocate("a", Ip("10.0.0.50")).ok());
  auto clash = m.Allocate("b", Ip("10.0.0.50"));
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code(), Code::kConflict);
  EXPECT_FALSE(m.Allocate("b", Ip("10.0.0.1")).ok());  // the gateway
  auto outside = m.Allocate("b", Ip("10.0.1.5"));
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code(), Code::kInvalidArgument);
}

TEST(Ipam, IpRange) {
  Ipam m(*ParseSubnet("10.0.0.0/16"), Ip("10.0.0.1"), *ParseSubnet("10.0.5.0/24"));
  EXPECT_EQ(ToString(*m.Allocate("a")), "10.0.5.1");
}

TEST(Ipam, JsonRoundTripKeepsAllocations) {
  Ipam m(*ParseSubnet("10.0.0.0/24"), Ip("10.0.0.1"));
  (void)m.Allocate("a");
  (void)m.Allocate("b");
  m.Release("a");
  auto back = Ipam::FromJson(m.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(ToString(*back->Of("b")), "10.0.0.3");
  EXPECT_EQ(ToString(*back->Allocate("c")), "10.0.0.4");  // cursor kept
  EXPECT_FALSE(Ipam::FromJson(nlohmann::json::parse(R"({"Subnet":"x"})")).ok());
}

}  // namespace
}  // namespace berth::network
