#include "registry/access.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "registry/test_util.h"

namespace berth::registry {

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = std::make_unique<Storage>(*Storage::Open(dir_.path));
    users_ = std::make_unique<Users>(dir_.path + "/htpasswd", dir_.path + "/admins");
    policy_ = std::make_unique<Policy>(storage_.get(), users_.get());
  }
  testing::TempDir dir_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Users> users_;
  std::unique_ptr<Policy> policy_;
};

TEST_F(AccessTest, OpenRegistryWithoutUsers) {
  EXPECT_EQ(policy_->Check(Identity{}, "any/thing", Action::kPush), Verdict::kAllow);
}

TEST_F(AccessTest, NamespacesAndPrivateRepositories) {
  ASSERT_TRUE(users_->Add("alice", "a", false).ok());
  ASSERT_TRUE(users_->Add("bob", "b", false).ok());
  ASSERT_TRUE(users_->Add("admin", "c", true).ok());
  Identity anon, alice{"alice"}, bob{"bob"}, admin{"admin", true};
  EXPECT_EQ(policy_->Check(alice, "alice/app", Action::kPush), Verdict::kAllow);
  EXPECT_EQ(policy_->Check(alice, "bob/app", Action::kPush), Verdict::kDenied);
  EXPECT_EQ(policy_->Check(alice, "alice", Action::kPush), Verdict::kDenied);
  EXPECT_EQ(policy_->Check(alice, "aliceX/app", Action::kPush), Verdict::kDenied);
  EXPECT_EQ(policy_->Check(anon, "alice/app", Action::kPush), Verdict::kUnauthenticated);
  EXPECT_EQ(policy_->Check(admin, "bob/app", Action::kPush), Verdict::kAllow);
  EXPECT_EQ(policy_->Check(admin, "library/x", Action::kDelete), Verdict::kAllow);
  // Public by default: everyone pulls.
  EXPECT_EQ(policy_->Check(anon, "bob/app", Action::kPull), Verdict::kAllow);
  ASSERT_TRUE(storage_->SetMeta("bob/app", RepoMeta{"bob", true, ""}).ok());
  EXPECT_EQ(policy_->Check(anon, "bob/app", Action::kPull), Verdict::kUnauthenticated);
  EXPECT_EQ(policy_->Check(alice, "bob/app", Action::kPull), Verdict::kDenied);
  EXPECT_EQ(policy_->Check(bob, "bob/app", Action::kPull), Verdict::kAllow);
  EXPECT_EQ(policy_->Check(admin, "bob/app", Action::kPull), Verdict::kAllow);
  EXPECT_EQ(policy_->Check(alice, "bob/app", Action::kSettings), Verdict::kDenied);
  EXPECT_EQ(policy_->Check(bob, "bob/app", Action::kSettings), Verdict::kAllow);
  // The first pusher of a top-level repository owns it.
  ASSERT_TRUE(storage_->SetMeta("tools", RepoMeta{"admin", false, ""}).ok());
  EXPECT_TRUE(policy_->IsOwner("admin", "tools"));
  EXPECT_FALSE(policy_->IsOwner("alice", "tools"));
}

TEST_F(AccessTest, TokensGrantOnlyTheirScopes) {
  ASSERT_TRUE(users_->Add("alice", "a", false).ok());
  Identity alice{"alice"};
  auto grant = policy_->Grant(alice, *ParseScope("repository:alice/app:pull,push"));
  EXPECT_EQ(grant, (std::vector<std::string>{"pull", "push"}));
  grant = policy_->Grant(alice, *ParseScope("repository:bob/app:pull,push"));
  EXPECT_EQ(grant, (std::vector<std::string>{"pull"}));
  grant = policy_->Grant(Identity{}, *ParseScope("repository:bob/app:push"));
  EXPECT_TRUE(grant.empty());
  Identity tok{"alice", false, true, {{"repository", "alice/app", {"pull"}}}};
  EXPECT_EQ(policy_->Check(tok, "alice/app", Action::kPull), Verdict::kAllow);
  EXPECT_EQ(policy_->Check(tok, "alice/app", Action::kPush), Verdict::kUnauthenticated);
  EXPECT_EQ(policy_->Check(tok, "alice/other", Action::kPull), Verdict::kUnauthenticated);
}

TEST_F(AccessTest, AuthenticateBasicAndBearer) {
  ASSERT_TRUE(users_->Add("alice", "a-pw", false).ok());
  TokenSigner signer("0123456789abcdef0123456789abcdef");
  http::Request req;
  auto who = policy_->Authenticate(req, signer, "svc");
  ASSERT_TRUE(who.ok());
  EXPECT_TRUE(who->anonymous());
  req.headers.Set("Authorization", "Basic " + base64::Encode("alice:a-pw"));
  who = policy_->Authenticate(req, signer, "svc");
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->user, "alice");
  req.headers.Set("Authorization", "Basic " + base64::Encode("alice:wrong"));
  EXPECT_EQ(policy_->Authenticate(req, signer, "svc").error().code(), Code::kUnauthorized);
  TokenClaims c{"svc", "alice", "svc", time(nullptr), time(nullptr) + 60, {}};
  req.headers.Set("Authorization", "Bearer " + signer.Issue(c));
  who = policy_->Authenticate(req, signer, "svc");
  ASSERT_TRUE(who.ok());
  EXPECT_TRUE(who->bearer);
  // A token for a removed user is refused.
  ASSERT_TRUE(users_->Add("bob", "b", false).ok());
  ASSERT_TRUE(users_->Remove("alice").ok());
  EXPECT_FALSE(policy_->Authenticate(req, signer, "svc").ok());
}

}  // namespace berth::registry
