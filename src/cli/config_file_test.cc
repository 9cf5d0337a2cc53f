#include "cli/config_file.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "base/base64.h"
#include "base/fs.h"

namespace berth::cli {
namespace {

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-cfg-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)fs::RemoveAll(dir_); }
  std::string dir_;
};

TEST_F(ConfigFileTest, StoresDockerShapeWithMode0600) {
  std::string d = dir_ + "/.docker";
  auto cfg = ConfigFile::Load(d);
  ASSERT_TRUE(cfg.ok());
  EXPECT_FALSE(cfg->Get("localhost:5000"));
  cfg->Set("http://localhost:5000/", "alice", "pw:1");
  ASSERT_TRUE(cfg->Save().ok());
  struct stat st;
  ASSERT_EQ(stat((d + "/config.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(d.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto text = fs::ReadFile(d + "/config.json");
  auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["auths"]["localhost:5000"]["auth"], base64::Encode("alice:pw:1"));
  auto again = ConfigFile::Load(d);
  auto c = again->Get("localhost:5000");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "alice");
  EXPECT_EQ(c->password, "pw:1");
}

TEST_F(ConfigFileTest, KeepsOtherKeysAndRemoves) {
  ASSERT_TRUE(fs::AtomicWrite(dir_ + "/config.json",
                              R"({"auths":{"https://index.docker.io/v1/":{"auth":"dTpw"},"reg:1":{"auth":"eDp5"}},"psFormat":"x"})")
                  .ok());
  auto cfg = ConfigFile::Load(dir_);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->Get("docker.io")->username, "u");
  EXPECT_EQ(cfg->Get("https://reg:1")->password, "y");
  EXPECT_TRUE(cfg->Remove("reg:1"));
  EXPECT_FALSE(cfg->Remove("reg:1"));
  ASSERT_TRUE(cfg->Save().ok());
  auto j = nlohmann::json::parse(*fs::ReadFile(dir_ + "/config.json"));
  EXPECT_EQ(j["psFormat"], "x");
  EXPECT_FALSE(j["auths"].contains("reg:1"));
  EXPECT_TRUE(j["auths"].contains("https://index.docker.io/v1/"));
}

TEST_F(ConfigFileTest, BadJsonIsAnError) {
  ASSERT_TRUE(fs::AtomicWrite(dir_ + "/config.json", "{nope").ok());
  EXPECT_FALSE(ConfigFile::Load(dir_).ok());
}

TEST(ConfigKeys, ServerKeys) {
  EXPECT_EQ(ServerKey("docker.io"), "https://index.docker.io/v1/");
  EXPECT_EQ(ServerKey(""), "https://index.docker.io/v1/");
  EXPECT_EQ(ServerKey("https://localhost:5000/v2/"), "localhost:5000");
  EXPECT_EQ(ServerKeyForImage("busybox"), "https://index.docker.io/v1/");
  EXPECT_EQ(ServerKeyForImage("127.0.0.1:5000/alice/app:1"), "127.0.0.1:5000");
  auto header = EncodeRegistryAuth(Credentials{"a", "b", "r:1"});
  auto decoded = nlohmann::json::parse(*base64::Decode(header));
  EXPECT_EQ(decoded["username"], "a");
  EXPECT_EQ(decoded["serveraddress"], "r:1");
  EXPECT_EQ(EncodeRegistryAuth(std::nullopt), "");
}

}  // namespace
}  // namespace berth::cli
