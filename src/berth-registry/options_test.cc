#include "berth-registry/options.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <vector>

#include "base/fs.h"

namespace berth::registry_cli {
namespace {

Result<Options> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "berth-registry");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return ParseOptions(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST(Options, Durations) {
  EXPECT_EQ(ParseDuration("90")->count(), 90);
  EXPECT_EQ(ParseDuration("90s")->count(), 90);
  EXPECT_EQ(ParseDuration("15m")->count(), 900);
  EXPECT_EQ(ParseDuration("2h")->count(), 7200);
  EXPECT_EQ(ParseDuration("1d")->count(), 86400);
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("m").ok());
  EXPECT_EQ(ParseDuration("1.5h")->count(), 5400);
  EXPECT_EQ(ParseDuration("1h30m")->count(), 5400);
  EXPECT_FALSE(ParseDuration(".s").ok());
  EXPECT_FALSE(ParseDuration("1.2.3s").ok());
  EXPECT_FALSE(ParseDuration("99999999999999999999").ok());
  EXPECT_FALSE(ParseDuration("99999999999999999999d").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
}

TEST(Options, DefaultsAndCommandArguments) {
  auto o = Parse({});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->addr, "127.0.0.1:5000");
  EXPECT_FALSE(o->root.empty());
  EXPECT_TRUE(o->args.empty());
  o = Parse({"--root", "/r", "user", "add", "alice", "--password", "pw", "--admin"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->root, "/r");
  EXPECT_EQ(o->args, (std::vector<std::string>{"user", "add", "alice", "--password", "pw", "--admin"}));
  o = Parse({"gc", "--root=/x", "--dry-run"});
  EXPECT_EQ(o->root, "/x");
  EXPECT_EQ(o->args, (std::vector<std::string>{"gc", "--dry-run"}));
  EXPECT_FALSE(Parse({"--addr"}).ok());
  EXPECT_FALSE(Parse({"--auth-challenge", "digest"}).ok());
  EXPECT_FALSE(Parse({"--upload-timeout", "soon"}).ok());
}

TEST(Options, ConfigFileThenFlags) {
  char tmpl[] = "/tmp/berth-registry-opt-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string cfg = dir + "/c.json";
  ASSERT_TRUE(fs::AtomicWrite(cfg, R"({"root": "/from-config", "addr": "0.0.0.0:6000",
      "upload-timeout": 120, "insecure-remote": true, "service": "svc"})").ok());
  auto o = Parse({"--config", cfg, "--addr", "127.0.0.1:7000"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->root, "/from-config");
  EXPECT_EQ(o->addr, "127.0.0.1:7000");  // the flag wins, wherever it is
  EXPECT_EQ(o->upload_timeout.count(), 120);
  EXPECT_TRUE(o->insecure_remote);
  EXPECT_EQ(o->service, "svc");
  ASSERT_TRUE(fs::AtomicWrite(cfg, R"({"bogus": "x"})").ok());
  EXPECT_FALSE(Parse({"--config", cfg}).ok());
  ASSERT_TRUE(fs::AtomicWrite(cfg, "[1]").ok());
  EXPECT_FALSE(Parse({"--config", cfg}).ok());
  EXPECT_FALSE(Parse({"--config", dir + "/missing.json"}).ok());
  (void)fs::RemoveAll(dir);
}

}  // namespace berth::registry_cli
