#include "image/image_config.h"

#include <gtest/gtest.h>

namespace berth::image {
namespace {

// A config as Docker 20.10 writes it (busybox-like, with a healthcheck and
// the legacy container_config Docker keeps).
constexpr std::string_view kDockerConfig =
    R"({"architecture":"amd64","config":{"Hostname":"","Domainname":"","User":"nobody","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"ExposedPorts":{"80/tcp":{},"53/udp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"Healthcheck":{"Test":["CMD-SHELL","wget -q -O- localhost"],"Interval":30000000000,"Timeout":5000000000,"Retries":3},"Image":"sha256:3a093384ac306cbac30b35f2d2d5c1b5a7e9f8e9e9b1b5a1e3d8f1f2a1b2c3d4","Volumes":{"/data":{}},"WorkingDir":"/srv","Entrypoint":null,"OnBuild":["RUN echo child"],"Labels":{"org.example.tier":"base"},"StopSignal":"SIGQUIT"},"container":"0f0b8a1c2d3e","container_config":{"Hostname":"0f0b8a1c2d3e","Cmd":["/bin/sh","-c","#(nop) ","CMD [\"sh\"]"]},"created":"2023-05-19T20:19:23.139059627Z","docker_version":"20.10.23","history":[{"created":"2023-05-19T20:19:22.751398582Z","created_by":"/bin/sh -c #(nop) ADD file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7fd3443cef785fd1 in / "},{"created":"2023-05-19T20:19:23.139059627Z","created_by":"/bin/sh -c #(nop)  CMD [\"sh\"]","empty_layer":true,"comment":"buildkit.dockerfile.v0","author":"someone"}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:77ea7eee3d80b1a38f83906dd3048e2689457eb90e18a7d12f839c5ae37106a2"]}})";

TEST(ImageConfig, ParsesDockerConfig) {
  auto c = ParseImageConfig(kDockerConfig);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->architecture, "amd64");
  EXPECT_EQ(c->os, "linux");
  EXPECT_EQ(c->created, "2023-05-19T20:19:23.139059627Z");
  const RunConfig& r = c->config;
  EXPECT_EQ(r.user, "nobody");
  EXPECT_EQ(r.exposed_ports, (std::set<std::string>{"53/udp", "80/tcp"}));
  ASSERT_EQ(r.env.size(), 1u);
  EXPECT_EQ(r.cmd, std::vector<std::string>{"sh"});
  EXPECT_FALSE(r.entrypoint.has_value());
  EXPECT_EQ(r.volumes, std::set<std::string>{"/data"});
  EXPECT_EQ(r.working_dir, "/srv");
  EXPECT_EQ(r.labels.at("org.example.tier"), "base");
  EXPECT_EQ(r.stop_signal, "SIGQUIT");
  EXPECT_EQ(r.on_build, std::vector<std::string>{"RUN echo child"});
  ASSERT_TRUE(r.healthcheck.has_value());
  EXPECT_EQ(r.healthcheck->test[0], "CMD-SHELL");
  EXPECT_EQ(r.healthcheck->interval, 30000000000);
  EXPECT_EQ(r.healthcheck->retries, 3);
  EXPECT_EQ(c->rootfs_type, "layers");
  ASSERT_EQ(c->diff_ids.size(), 1u);
  ASSERT_EQ(c->history.size(), 2u);
  EXPECT_FALSE(c->history[0].empty_layer);
  EXPECT_TRUE(c->history[1].empty_layer);
  EXPECT_EQ(c->history[1].comment, "buildkit.dockerfile.v0");
  EXPECT_EQ(c->history[1].author, "someone");
}

TEST(ImageConfig, EncodeKeepsUnknownFieldsAndAppliesEdits) {
  auto c = ParseImageConfig(kDockerConfig);
  ASSERT_TRUE(c.ok());
  c->config.cmd = std::vector<std::string>{"/bin/app", "--serve"};
  c->config.labels.clear();
  c->config.entrypoint = std::vector<std::string>{};
  c->diff_ids.push_back(Sha256Of("layer2"));
  c->history.push_back({.created_by = "berth commit"});
  std::string text = EncodeImageConfig(*c);
  auto j = nlohmann::json::parse(text);
  // Unknown top-level and config members survive.
  EXPECT_EQ(j["docker_version"], "20.10.23");
  EXPECT_EQ(j["container"], "0f0b8a1c2d3e");
  EXPECT_EQ(j["container_config"]["Hostname"], "0f0b8a1c2d3e");
  EXPECT_EQ(j["config"]["Hostname"], "");
  EXPECT_EQ(j["config"]["AttachStdin"], false);
  EXPECT_EQ(j["config"]["Image"].get<std::string>().substr(0, 7), "sha256:");
  // Edits win over the raw values.
  EXPECT_EQ(j["config"]["Cmd"], nlohmann::json({"/bin/app", "--serve"}));
  EXPECT_TRUE(j["config"]["Entrypoint"].is_array());
  EXPECT_FALSE(j["config"].contains("Labels"));
  EXPECT_EQ(j["config"]["ExposedPorts"], nlohmann::json::parse(R"({"53/udp":{},"80/tcp":{}})"));
  EXPECT_EQ(j["rootfs"]["diff_ids"].size(), 2u);
  EXPECT_EQ(j["history"].size(), 3u);

  auto again = ParseImageConfig(text);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->config.cmd, c->config.cmd);
  EXPECT_EQ(again->config.entrypoint, std::vector<std::string>{});
  EXPECT_EQ(again->diff_ids, c->diff_ids);
  EXPECT_EQ(again->config.healthcheck->timeout, 5000000000);
  EXPECT_EQ(again->history[2].created_by, "berth commit");
}

TEST(ImageConfig, MinimalConfigEncodes) {
  ImageConfig c;
  c.architecture = "amd64";
  c.os = "linux";
  c.diff_ids.push_back(Sha256Of("x"));
  auto back = ParseImageConfig(EncodeImageConfig(c));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->diff_ids, c.diff_ids);
  EXPECT_FALSE(back->config.cmd.has_value());
  EXPECT_TRUE(back->history.empty());
}

TEST(ImageConfig, ErrorsNameTheField) {
  struct Case {
    std::string json, err;
  };
  const Case cases[] = {
      {"{", "image config: invalid JSON"},
      {R"({"rootfs":{"type":"layers","diff_ids":["sha256:xyz"]}})",
       "image config: rootfs.diff_ids[0]: invalid checksum digest length"},
      {R"({"config":{"Cmd":"sh"}})", "image config: config.Cmd: expected array, got string"},
      {R"({"config":{"Env":["A=1",2]}})",
       "image config: config.Env[1]: expected string, got number"},
      {R"({"config":{"Labels":{"a":1}}})",
       "image config: config.Labels[\"a\"]: expected string, got number"},
      {R"({"config":{"Healthcheck":{"Retries":"3"}}})",
       "image config: config.Healthcheck.Retries: expected integer, got string"},
      {R"({"history":[{"empty_layer":"yes"}]})",
       "image config: history[0].empty_layer: expected boolean, got string"},
      {R"({"architecture":5})", "image config: architecture: expected string, got number"},
  };
  for (const auto& c : cases) {
    auto r = ParseImageConfig(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.error().message(), c.err) << c.json;
  }
}

TEST(ImageConfig, ImageIdIsSha256OfTheBytes) {
  EXPECT_EQ(ImageId(kDockerConfig), Sha256Of(kDockerConfig));
  EXPECT_NE(ImageId(kDockerConfig), ImageId(std::string(kDockerConfig) + " "));
}

TEST(ChainId, MatchesTheSpecFormula) {
  // Expected values computed independently with sha256sum:
  //   printf '%s %s' "$A" "$B" | sha256sum
  const Digest l1 =
      *Digest::Parse("sha256:77ea7eee3d80b1a38f83906dd3048e2689457eb90e18a7d12f839c5ae37106a2");
  const Digest l2 =
      *Digest::Parse("sha256:95cf1a2e1698fe3ca1fcc3f653119146b271d0b62e487ec264441e886a11bd06");
  const Digest l3 =
      *Digest::Parse("sha256:a0e70458d19e37e14d6388030a017c587283e2fb6ef10c0744cad0294c47e8f8");
  const std::vector<Digest> layers{l1, l2, l3};
  EXPECT_EQ(l1, Sha256Of("layer1"));
  EXPECT_TRUE(ChainId({}).empty());
  EXPECT_EQ(ChainId(std::span(layers).first(1)), l1);
  auto ids = ChainIds(layers);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0], l1);
  EXPECT_EQ(ids[1].str(),
            "sha256:9c7a0b8937394482a0afcc4bef0ca0aba0d74084bd9f60198ec7fac434e5436d");
  EXPECT_EQ(ids[2].str(),
            "sha256:1512378f2edc09c9e21c7511cc1aaf7c6d42d3b6ff301027b8527b8b23c3ce70");
  EXPECT_EQ(ChainId(layers), ids[2]);
}

}  // namespace
}  // namespace berth::image
