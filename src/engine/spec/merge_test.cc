#include <gtest/gtest.h>

#include "engine/spec/spec_builder.h"

namespace berth::engine {
namespace {

using nlohmann::json;

struct MergeCase {
  const char* name;
  json config;
  json image;
  json want;  // members that must equal these
};

TEST(MergeImageConfig, Table) {
  const json image = {{"Env", {"PATH=/usr/bin", "A=image"}},
                      {"Cmd", {"sh"}},
                      {"Entrypoint", nullptr},
                      {"WorkingDir", "/srv"},
                      {"User", "daemon"},
                      {"Labels", {{"a", "image"}, {"b", "image"}}},
                      {"ExposedPorts", {{"80/tcp", json::object()}}},
                      {"Volumes", {{"/data", json::object()}}},
                      {"StopSignal", "SIGQUIT"},
                      {"OnBuild", {"RUN true"}}};
  const MergeCase cases[] = {
      {"image defaults", json::object(), image,
       {{"Cmd", {"sh"}},
        {"Env", {"PATH=/usr/bin", "A=image"}},
        {"WorkingDir", "/srv"},
        {"User", "daemon"},
        {"StopSignal", "SIGQUIT"},
        {"OnBuild", {"RUN true"}},
        {"Labels", {{"a", "image"}, {"b", "image"}}}}},
      {"container env overrides by name", {{"Env", {"A=mine", "B=mine"}}}, image,
       {{"Env", {"A=mine", "B=mine", "PATH=/usr/bin"}}}},
      {"container cmd replaces image cmd", {{"Cmd", {"echo", "hi"}}}, image,
       {{"Cmd", {"echo", "hi"}}}},
      {"entrypoint clears image cmd", {{"Entrypoint", {"/bin/echo"}}}, image,
       {{"Entrypoint", {"/bin/echo"}}, {"Cmd", nullptr}}},
      {"entrypoint and cmd both given", {{"Entrypoint", {"/bin/echo"}}, {"Cmd", {"x"}}}, image,
       {{"Entrypoint", {"/bin/echo"}}, {"Cmd", {"x"}}}},
      {"image entrypoint kept with container cmd",
       {{"Cmd", {"x"}}},
       {{"Entrypoint", {"/init"}}, {"Cmd", {"default"}}},
       {{"Entrypoint", {"/init"}}, {"Cmd", {"x"}}}},
      {"labels: container wins", {{"Labels", {{"a", "mine"}}}}, image,
       {{"Labels", {{"a", "mine"}, {"b", "image"}}}}},
      {"exposed ports and volumes union",
       {{"ExposedPorts", {{"443/tcp", json::object()}}}, {"Volumes", {{"/v", json::object()}}}},
       image,
       {{"ExposedPorts", {{"443/tcp", json::object()}, {"80/tcp", json::object()}}},
        {"Volumes", {{"/v", json::object()}, {"/data", json::object()}}}}},
      {"user, workdir and stop signal given", {{"User", "1000"}, {"WorkingDir", "/w"}, {"StopSignal", "9"}},
       image, {{"User", "1000"}, {"WorkingDir", "/w"}, {"StopSignal", "9"}}},
      {"image name kept", {{"Image", "busybox"}}, image, {{"Image", "busybox"}}},
  };
  for (const auto& c : cases) {
    auto got = MergeImageConfig(c.config, c.image);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.error().message();
    for (const auto& [k, v] : c.want.items()) {
      json have = got->contains(k) ? (*got)[k] : json();
      EXPECT_EQ(have, v) << c.name << ": " << k;
    }
  }
}

TEST(MergeImageConfig, Healthcheck) {
  json image = {{"Cmd", {"sh"}},
                {"Healthcheck", {{"Test", {"CMD", "true"}}, {"Interval", 5}, {"Retries", 3}}}};
  auto got = MergeImageConfig({{"Healthcheck", {{"Interval", 7}}}}, image);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["Healthcheck"]["Test"], json({"CMD", "true"}));
  EXPECT_EQ((*got)["Healthcheck"]["Interval"], 7);
  EXPECT_EQ((*got)["Healthcheck"]["Retries"], 3);
}

TEST(MergeImageConfig, NoCommand) {
  auto got = MergeImageConfig(json::object(), {{"Env", {"A=1"}}});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(got.error().message(), "No command specified");
  // --entrypoint "" with an image that has only an entrypoint
  got = MergeImageConfig({{"Entrypoint", {""}}}, {{"Entrypoint", {"/init"}}});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message(), "No command specified");
}

TEST(MergeImageConfig, EmptyEntrypointKeepsCmd) {
  auto got = MergeImageConfig({{"Entrypoint", {""}}, {"Cmd", {"ls"}}}, {{"Entrypoint", {"/init"}}});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["Entrypoint"], json::array());
  EXPECT_EQ((*got)["Cmd"], json({"ls"}));
}

}  // namespace
}  // namespace berth::engine
