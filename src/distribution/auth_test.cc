#include "distribution/auth.h"

#include <gtest/gtest.h>

#include "base/base64.h"

namespace berth::distribution {
namespace {

TEST(Challenges, Bearer) {
  auto cs = ParseChallenges(
      R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:alice/app:pull,push")");
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].scheme, "bearer");
  EXPECT_EQ(cs[0].params["realm"], "https://auth.example/token");
  EXPECT_EQ(cs[0].params["service"], "registry.example");
  EXPECT_EQ(cs[0].params["scope"], "repository:alice/app:pull,push");
}

TEST(Challenges, BasicAndSeveral) {
  auto cs = ParseChallenges(R"(Basic realm="basic-realm", Bearer realm="http://x/t",error="invalid_token")");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].scheme, "basic");
  EXPECT_EQ(cs[0].params["realm"], "basic-realm");
  EXPECT_EQ(cs[1].scheme, "bearer");
  EXPECT_EQ(cs[1].params["error"], "invalid_token");
}

TEST(Challenges, QuotedEscapesAndBareValues) {
  auto cs = ParseChallenges(R"(bearer realm=http://h/t, service="a \"b\"")");
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].params["realm"], "http://h/t");
  EXPECT_EQ(cs[0].params["service"], "a \"b\"");
  EXPECT_TRUE(ParseChallenges("").empty());
}

TEST(Scope, Repository) {
  EXPECT_EQ(RepositoryScope("alice/app", {"pull", "push", "pull"}), "repository:alice/app:pull,push");
  EXPECT_EQ(RepositoryScope("library/busybox", {"pull"}), "repository:library/busybox:pull");
}

TEST(Scope, TokenUrl) {
  Challenge c{"bearer", {{"realm", "http://127.0.0.1:5000/token"}, {"service", "berth registry"}}};
  EXPECT_EQ(TokenUrl(c, {"repository:a/b:pull,push", "repository:c:pull"}, "alice"),
            "http://127.0.0.1:5000/token?service=berth+registry&scope=repository%3Aa%2Fb%3Apull%2Cpush"
            "&scope=repository%3Ac%3Apull&account=alice");
  Challenge q{"bearer", {{"realm", "http://h/t?x=1"}}};
  EXPECT_EQ(TokenUrl(q, {}, ""), "http://h/t?x=1");
}

TEST(Token, Response) {
  EXPECT_EQ(*ParseTokenResponse(R"({"token":"abc","expires_in":60})"), "abc");
  EXPECT_EQ(*ParseTokenResponse(R"({"access_token":"def"})"), "def");
  EXPECT_FALSE(ParseTokenResponse("{}").ok());
  EXPECT_FALSE(ParseTokenResponse("nope").ok());
}

TEST(RegistryAuth, Header) {
  std::string j = R"({"username":"alice","password":"s3cret","serveraddress":"localhost:5000"})";
  auto a = DecodeRegistryAuth(base64::Encode(j, true));
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->username, "alice");
  EXPECT_EQ(a->password, "s3cret");
  EXPECT_EQ(a->server_address, "localhost:5000");
  EXPECT_TRUE(DecodeRegistryAuth("").value().empty());
  EXPECT_TRUE(DecodeRegistryAuth(base64::Encode("{}")).value().empty());
  EXPECT_FALSE(DecodeRegistryAuth("!!!").ok());
  // "auth" (config.json's form) gives the user and password.
  auto b = ParseAuthConfig(R"({"auth":")" + base64::Encode("bob:pw:with:colons") + R"("})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->username, "bob");
  EXPECT_EQ(b->password, "pw:with:colons");
  // Docker's Go JSON is case-insensitive on keys.
  EXPECT_EQ(ParseAuthConfig(R"({"Username":"x","Password":"y"})")->username, "x");
}

}  // namespace
}  // namespace berth::distribution
