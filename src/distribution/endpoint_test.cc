#include "distribution/endpoint.h"

#include <gtest/gtest.h>

#include "distribution/service.h"

namespace berth::distribution {
namespace {

TEST(Endpoint, Loopback) {
  EXPECT_TRUE(IsLoopbackHost("localhost:5000"));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1:5000"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("[::1]:5000"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1:5000"));
  EXPECT_FALSE(IsLoopbackHost("registry.example.com"));
}

TEST(Endpoint, InsecureList) {
  std::vector<std::string> list = {"reg.lan:5000", "10.1.0.0/16", "http://other.lan/"};
  EXPECT_TRUE(IsInsecure("reg.lan:5000", list));
  EXPECT_FALSE(IsInsecure("reg.lan:5001", list));
  EXPECT_TRUE(IsInsecure("10.1.2.3:5000", list));
  EXPECT_FALSE(IsInsecure("10.2.0.1:5000", list));
  EXPECT_TRUE(IsInsecure("other.lan", list));
  EXPECT_FALSE(IsInsecure("quay.io", list));
}

TEST(Endpoint, Resolve) {
  auto hub = ResolveEndpoint("docker.io", {});
  EXPECT_EQ(hub.host, "registry-1.docker.io");
  EXPECT_EQ(hub.base, "https://registry-1.docker.io");
  EXPECT_FALSE(hub.insecure);
  auto local = ResolveEndpoint("localhost:5000", {});
  EXPECT_EQ(local.host, "localhost:5000");
  EXPECT_TRUE(local.insecure);
}

TEST(Endpoint, ServerAddressAndSearchTerm) {
  EXPECT_EQ(DomainOfServer("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(DomainOfServer(""), "docker.io");
  EXPECT_EQ(DomainOfServer("http://localhost:5000/"), "localhost:5000");
  EXPECT_EQ(DomainOfServer("127.0.0.1:5000"), "127.0.0.1:5000");
  EXPECT_EQ(SplitSearchTerm("localhost:5000/ali"), (std::pair<std::string, std::string>{"localhost:5000", "ali"}));
  EXPECT_EQ(SplitSearchTerm("busybox"), (std::pair<std::string, std::string>{"docker.io", "busybox"}));
  EXPECT_EQ(SplitSearchTerm("alice/app"), (std::pair<std::string, std::string>{"docker.io", "alice/app"}));
}

}  // namespace
}  // namespace berth::distribution
