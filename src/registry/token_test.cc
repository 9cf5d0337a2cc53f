#include "registry/token.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "registry/test_util.h"

namespace berth::registry {

TEST(Token, Base64Url) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_FALSE(Base64UrlDecode("a!b").ok());
}

TEST(Token, Scopes) {
  auto a = ParseScope("repository:alice/app:pull,push");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->type, "repository");
  EXPECT_EQ(a->name, "alice/app");
  EXPECT_EQ(a->actions, (std::vector<std::string>{"pull", "push"}));
  EXPECT_TRUE(a->Allows("push"));
  EXPECT_FALSE(a->Allows("delete"));
  EXPECT_EQ(ParseScope("repository:host:5000/x:pull")->name, "host:5000/x");
  EXPECT_FALSE(ParseScope("repository").ok());
  EXPECT_EQ(FormatScope(*a), "repository:alice/app:pull,push");
}

TEST(Token, IssueAndVerify) {
  testing::TempDir t;
  auto signer = TokenSigner::Load(t.path + "/token.key");
  ASSERT_TRUE(signer.ok());
  struct stat st;
  ASSERT_EQ(stat((t.path + "/token.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  TokenClaims c{"berth-registry", "alice", "svc", 1000, 2000, {{"repository", "alice/app", {"pull"}}}};
  std::string tok = signer->Issue(c);
  auto v = signer->Verify(tok, "svc", 1500);
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->subject, "alice");
  ASSERT_EQ(v->access.size(), 1u);
  EXPECT_EQ(v->access[0].name, "alice/app");
  EXPECT_EQ(signer->Verify(tok, "svc", 2000).error().code(), Code::kUnauthorized);  // expired
  EXPECT_FALSE(signer->Verify(tok, "other", 1500).ok());                            // audience
  // A tampered payload or another key fails.
  std::string forged = tok;
  forged[forged.find('.') + 3] ^= 1;
  EXPECT_FALSE(signer->Verify(forged, "svc", 1500).ok());
  TokenSigner other("another key of thirty-two bytes!");
  EXPECT_FALSE(other.Verify(tok, "svc", 1500).ok());
  // The same key is loaded again.
  auto again = TokenSigner::Load(t.path + "/token.key");
  EXPECT_TRUE(again->Verify(tok, "svc", 1500).ok());
}

}  // namespace berth::registry
