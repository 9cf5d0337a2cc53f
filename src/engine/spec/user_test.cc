#include <gtest/gtest.h>

#include "engine/spec/internal.h"

namespace berth::engine::spec {
namespace {

const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# comment\n"
    "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
    "alice:x:1000:1000::/home/alice:/bin/sh\n"
    "nohome:x:1001:1001:::\n";
const char* kGroup =
    "root:x:0:\n"
    "daemon:x:1:\n"
    "wheel:x:10:alice,root\n"
    "audio:x:29:alice\n"
    "alice:x:1000:alice\n"
    "staff:x:50:\n";

struct UserCase {
  const char* user;
  std::vector<std::string> group_add;
  uint32_t uid, gid;
  std::vector<uint32_t> gids;
  const char* home;
};

TEST(ResolveUser, Table) {
  const UserCase cases[] = {
      {"", {}, 0, 0, {10}, "/root"},
      {"root", {}, 0, 0, {10}, "/root"},
      {"alice", {}, 1000, 1000, {10, 29}, "/home/alice"},
      {"1000", {}, 1000, 1000, {10, 29}, "/home/alice"},
      {"alice:staff", {}, 1000, 50, {}, "/home/alice"},
      {"alice:50", {}, 1000, 50, {}, "/home/alice"},
      {"alice:777", {}, 1000, 777, {}, "/home/alice"},
      {"4242", {}, 4242, 0, {}, "/"},
      {"4242:4343", {}, 4242, 4343, {}, "/"},
      {"daemon", {"staff", "99"}, 1, 1, {50, 99}, "/usr/sbin"},
      {"nohome", {}, 1001, 1001, {}, "/"},
  };
  for (const auto& c : cases) {
    auto u = ResolveUser(c.user, c.group_add, std::string(kPasswd), std::string(kGroup));
    ASSERT_TRUE(u.ok()) << c.user << ": " << u.error().message();
    EXPECT_EQ(u->uid, c.uid) << c.user;
    EXPECT_EQ(u->gid, c.gid) << c.user;
    EXPECT_EQ(u->additional_gids, c.gids) << c.user;
    EXPECT_EQ(u->home, c.home) << c.user;
  }
}

TEST(ResolveUser, Errors) {
  auto u = ResolveUser("foo", {}, std::string(kPasswd), std::string(kGroup));
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().message(), "unable to find user foo: no matching entries in passwd file");
  u = ResolveUser("alice:nogroup", {}, std::string(kPasswd), std::string(kGroup));
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().message(),
            "unable to find group nogroup: no matching entries in group file");
  u = ResolveUser("alice", {"nogroup"}, std::string(kPasswd), std::string(kGroup));
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().message(), "Unable to find group nogroup");
  u = ResolveUser("foo", {}, std::nullopt, std::nullopt);  // no passwd file at all
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().message(), "unable to find user foo: no matching entries in passwd file");
  u = ResolveUser("99999999999", {}, std::nullopt, std::nullopt);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().message(), "uids and gids must be in range 0-2147483647");
}

TEST(ResolveUser, NoFiles) {
  auto u = ResolveUser("", {}, std::nullopt, std::nullopt);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->uid, 0u);
  EXPECT_EQ(u->home, "/");
  u = ResolveUser("12:34", {"56"}, std::nullopt, std::nullopt);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->uid, 12u);
  EXPECT_EQ(u->gid, 34u);
  EXPECT_EQ(u->additional_gids, std::vector<uint32_t>{56});
}

}  // namespace
}  // namespace berth::engine::spec
