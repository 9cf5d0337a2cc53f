#include "discovery/codec.h"

#include <gtest/gtest.h>

namespace berth::discovery {
namespace {

TEST(Base64, RoundTrips) {
  for (std::string s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)})
    EXPECT_EQ(*Base64Decode(Base64Encode(s)), s);
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(*Base64Decode("Zm8"), "fo");
  EXPECT_FALSE(Base64Decode("Zm 8").ok());
  EXPECT_FALSE(Base64Decode("Z").ok());
}

TEST(Duration, GoForms) {
  using std::chrono::milliseconds;
  EXPECT_EQ(*ParseDuration("10s"), milliseconds(10000));
  EXPECT_EQ(*ParseDuration("1m30s"), milliseconds(90000));
  EXPECT_EQ(*ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(*ParseDuration("1.5h"), milliseconds(5400000));
  EXPECT_EQ(*ParseDuration("7"), milliseconds(7000));
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("10x").ok());
  EXPECT_FALSE(ParseDuration("s").ok());
  // Used to throw out of std::stod / std::stoll and take berthd down.
  for (const char* bad : {".", ".s", "1..s", "1.2.3s", "12345678901234567890",
                          "12345678901234567890s", "99999999999999999999ms"}) {
    auto r = ParseDuration(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(ServiceJson, RoundTrips) {
  Service s;
  s.id = "a";
  s.name = "web";
  s.tags = {"x"};
  s.port = 80;
  s.meta = {{"k", "v"}};
  Check c;
  c.id = "service:a";
  c.ttl_ms = 1000;
  s.checks.push_back(c);
  Service t = *ServiceFromJson(ServiceToJson(s));
  EXPECT_EQ(t.id, "a");
  EXPECT_EQ(t.tags, s.tags);
  EXPECT_EQ(t.meta, s.meta);
  EXPECT_EQ(t.checks.at(0).ttl_ms, 1000);
  EXPECT_FALSE(ServiceFromJson(nlohmann::json::object()).ok());
}

}  // namespace
}  // namespace berth::discovery
