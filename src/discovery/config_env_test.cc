#include "discovery/config_env.h"

#include <gtest/gtest.h>

namespace berth::discovery {
namespace {

KvEntry E(std::string k, std::string v) {
  KvEntry e;
  e.key = std::move(k);
  e.value = std::move(v);
  return e;
}

TEST(ConfigEnv, LevelsAndPrecedence) {
  std::vector<KvEntry> in = {
      E("config/global/LOG_LEVEL", "info"),     E("config/global/REGION", "eu"),
      E("config/web/LOG_LEVEL", "debug"),       E("config/web/PORT", "8080"),
      E("config/web/web1/PORT", "9090"),        E("config/web/web2/PORT", "7070"),
      E("config/api/LOG_LEVEL", "warn"),        E("config/web/web1/deep/X", "no"),
      E("config/web/bad-name", "no"),           E("config/global/1X", "no"),
  };
  EXPECT_EQ(ResolveConfigEnv(in, "web", "web1"),
            (std::vector<std::string>{"LOG_LEVEL=debug", "PORT=9090", "REGION=eu"}));
  EXPECT_EQ(ResolveConfigEnv(in, "web", "web3"),
            (std::vector<std::string>{"LOG_LEVEL=debug", "PORT=8080", "REGION=eu"}));
  EXPECT_EQ(ResolveConfigEnv(in, "api", "a1"),
            (std::vector<std::string>{"LOG_LEVEL=warn", "REGION=eu"}));
  EXPECT_EQ(ResolveConfigEnv(in, "", ""),
            (std::vector<std::string>{"LOG_LEVEL=info", "REGION=eu"}));
}

TEST(ConfigEnv, GlobalIsNotAService) {
  std::vector<KvEntry> in = {E("config/global/A", "1"), E("config/global/x/A", "2")};
  EXPECT_EQ(ResolveConfigEnv(in, "global", "x"), (std::vector<std::string>{"A=1"}));
}

TEST(ConfigEnv, ValidEnvName) {
  EXPECT_TRUE(ValidEnvName("A_1"));
  EXPECT_TRUE(ValidEnvName("_x"));
  EXPECT_FALSE(ValidEnvName(""));
  EXPECT_FALSE(ValidEnvName("1A"));
  EXPECT_FALSE(ValidEnvName("a-b"));
  EXPECT_FALSE(ValidEnvName("a.b"));
}

}  // namespace
}  // namespace berth::discovery
