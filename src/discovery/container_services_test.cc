#include "discovery/container_services.h"

#include <gtest/gtest.h>

namespace berth::discovery {
namespace {

using nlohmann::json;

json Inspect(json env, json exposed, json bindings = json::object(), json labels = json::object()) {
  return {{"Id", "abc123"},
          {"Name", "/web1"},
          {"Config", {{"Image", "reg:5000/team/web:1.2"}, {"Env", env}, {"ExposedPorts", exposed},
                      {"Labels", labels}}},
          {"HostConfig", {{"PortBindings", bindings}}},
          {"NetworkSettings", {{"IPAddress", "172.30.0.5"}}}};
}

TEST(ContainerServices, ImageNameAndPortSuffix) {
  EXPECT_EQ(ImageBaseName("reg:5000/team/web:1.2"), "web");
  EXPECT_EQ(ImageBaseName("busybox"), "busybox");
  EXPECT_EQ(ImageBaseName("a/b@sha256:00"), "b");
  auto one = ServicesForContainer(Inspect(json::array(), {{"80/tcp", json::object()}}), "10.0.0.1");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].name, "web");
  EXPECT_EQ(one[0].id, "berth:web1:80");
  EXPECT_EQ(one[0].address, "172.30.0.5");
  EXPECT_EQ(one[0].port, 80);
  EXPECT_EQ(one[0].meta.at("berth_container"), "abc123");
  auto two = ServicesForContainer(
      Inspect(json::array(), {{"80/tcp", json::object()}, {"443/tcp", json::object()}}), "h");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].name, "web-443");
  EXPECT_EQ(two[1].name, "web-80");
}

TEST(ContainerServices, EnvNamesTagsMetaIgnore) {
  json env = {"SERVICE_NAME=api", "SERVICE_TAGS=a, b", "SERVICE_VERSION=2", "SERVICE_443_NAME=tls",
              "SERVICE_443_TAGS=secure", "SERVICE_8080_IGNORE=1", "SERVICE_443_ZONE=z", "OTHER=x"};
  auto s = ServicesForContainer(
      Inspect(env, {{"80/tcp", json::object()}, {"443/tcp", json::object()}, {"8080/tcp", json::object()}}),
      "h");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].name, "tls");
  EXPECT_EQ(s[0].tags, std::vector<std::string>{"secure"});
  EXPECT_EQ(s[0].meta.at("zone"), "z");
  EXPECT_EQ(s[1].name, "api-80");
  EXPECT_EQ(s[1].tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s[1].meta.at("version"), "2");
  EXPECT_EQ(s[1].meta.count("zone"), 0u);
  EXPECT_TRUE(ServicesForContainer(Inspect({"SERVICE_IGNORE=true"}, {{"80/tcp", json::object()}}), "h").empty());
  EXPECT_TRUE(ServicesForContainer(Inspect(json::array(), {{"80/tcp", json::object()}}, json::object(),
                                           {{"berth.service.ignore", "1"}}), "h").empty());
  auto lbl = ServicesForContainer(Inspect(json::array(), {{"80/tcp", json::object()}}, json::object(),
                                          {{"berth.service.name", "front"}}), "h");
  EXPECT_EQ(lbl.at(0).name, "front");
}

TEST(ContainerServices, PublishedPortsAndHealth) {
  json in = Inspect(json::array(), json::object(),
                    {{"80/tcp", json::array({{{"HostIp", ""}, {"HostPort", "8080"}}})}});
  in["NetworkSettings"] = {{"IPAddress", ""}};
  in["State"] = {{"Health", {{"Status", "starting"}}}};
  auto s = ServicesForContainer(in, "192.168.1.9");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].address, "192.168.1.9");
  EXPECT_EQ(s[0].port, 8080);
  EXPECT_EQ(s[0].meta.at("berth_host_port"), "8080");
  ASSERT_EQ(s[0].checks.size(), 1u);
  EXPECT_EQ(s[0].checks[0].status, kWarning);
  EXPECT_EQ(CheckStatusForHealth("healthy"), kPassing);
  EXPECT_EQ(CheckStatusForHealth("unhealthy"), kCritical);
}

}  // namespace
}  // namespace berth::discovery
