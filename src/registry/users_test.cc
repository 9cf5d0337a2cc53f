#include "registry/users.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "base/fs.h"
#include "registry/test_util.h"

namespace berth::registry {

TEST(Users, BcryptRoundTrip) {
  std::string h = *BcryptHash("s3cret", 4);
  EXPECT_EQ(h.substr(0, 7), "$2y$04$");
  EXPECT_TRUE(BcryptVerify("s3cret", h));
  EXPECT_FALSE(BcryptVerify("s3creT", h));
  EXPECT_FALSE(BcryptVerify("s3cret", "plain"));
  EXPECT_FALSE(BcryptVerify("s3cret", "{SHA}abc"));
}

TEST(Users, VerifiesHashesWrittenByApacheHtpasswd) {
  // A line made by `htpasswd -nbB u pw` (apache2-utils).
  EXPECT_TRUE(BcryptVerify("pw", "$2y$05$SzP1XGKGbshL7cV9nw3o0OCisi8VIVxVxEVVU4RXXVxAcbHphvI6S"));
  EXPECT_FALSE(BcryptVerify("pX", "$2y$05$SzP1XGKGbshL7cV9nw3o0OCisi8VIVxVxEVVU4RXXVxAcbHphvI6S"));
}

TEST(Users, HtpasswdCanVerifyOurHashes) {
  if (system("command -v htpasswd >/dev/null 2>&1") != 0) GTEST_SKIP() << "htpasswd not installed";
  testing::TempDir t;
  Users users(t.path + "/htpasswd", t.path + "/admins");
  ASSERT_TRUE(users.Add("alice", "wonder", false).ok());
  std::string cmd = "htpasswd -vb " + t.path + "/htpasswd alice wonder >/dev/null 2>&1";
  EXPECT_EQ(system(cmd.c_str()), 0);
  cmd = "htpasswd -vb " + t.path + "/htpasswd alice wrong >/dev/null 2>&1";
  EXPECT_NE(system(cmd.c_str()), 0);
}

TEST(Users, AddPasswdRemoveListAndReloadFromDisk) {
  testing::TempDir t;
  Users users(t.path + "/htpasswd", t.path + "/admins");
  EXPECT_FALSE(users.Any());
  ASSERT_TRUE(users.Add("alice", "a-pw", false).ok());
  ASSERT_TRUE(users.Add("root1", "r-pw", true).ok());
  EXPECT_EQ(users.Add("alice", "x", false).error().code(), Code::kAlreadyExists);
  EXPECT_EQ(users.Add("Bad Name", "x", false).error().code(), Code::kInvalidArgument);
  EXPECT_TRUE(users.Any());
  EXPECT_TRUE(users.Verify("alice", "a-pw"));
  EXPECT_TRUE(users.Verify("alice", "a-pw"));  // cached
  EXPECT_FALSE(users.Verify("alice", "r-pw"));
  EXPECT_FALSE(users.Verify("nobody", "a-pw"));
  EXPECT_TRUE(users.IsAdmin("root1"));
  EXPECT_FALSE(users.IsAdmin("alice"));
  // Another process (the CLI) changes the password: the cache does not hide it.
  Users cli(t.path + "/htpasswd", t.path + "/admins");
  ASSERT_TRUE(cli.SetPassword("alice", "new-pw").ok());
  EXPECT_FALSE(users.Verify("alice", "a-pw"));
  EXPECT_TRUE(users.Verify("alice", "new-pw"));
  ASSERT_TRUE(cli.Remove("root1").ok());
  EXPECT_FALSE(users.IsAdmin("root1"));
  auto list = *users.List();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "alice");
  EXPECT_EQ(cli.Remove("root1").error().code(), Code::kNotFound);
  // The file is htpasswd's format, private.
  std::string text = *fs::ReadFile(t.path + "/htpasswd");
  EXPECT_EQ(text.substr(0, 10), "alice:$2y$");
  struct stat st;
  ASSERT_EQ(stat((t.path + "/htpasswd").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace berth::registry
