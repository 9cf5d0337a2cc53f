#include "registry/registry.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "registry/test_util.h"

namespace berth::registry {
namespace {

using testing::FakeWriter;
using testing::StringBody;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = std::make_unique<Storage>(*Storage::Open(dir_.path));
    uploads_ = std::make_unique<Uploads>(storage_.get(), std::chrono::seconds(60));
    users_ = std::make_unique<Users>(dir_.path + "/htpasswd", dir_.path + "/admins");
    reg_ = std::make_unique<Registry>(storage_.get(), uploads_.get(), users_.get(),
                                      TokenSigner("0123456789abcdef0123456789abcdef"),
                                      RegistryOptions{});
  }

  FakeWriter Call(const std::string& method, const std::string& target, std::string body = "",
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = http::Query::Parse(target.substr(q + 1));
    for (auto& [k, v] : headers) req.headers.Add(k, v);
    StringBody b(std::move(body));
    req.body = &b;
    FakeWriter w;
    EXPECT_TRUE(reg_->Serve(req, w).ok());
    return w;
  }

  std::string PushBlob(const std::string& repo, const std::string& data) {
    Digest d = Sha256Of(data);
    auto w = Call("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + d.str(), data);
    EXPECT_EQ(w.status_, 201) << w.body_;
    return d.str();
  }

  std::string Manifest(const std::string& cfg, const std::string& layer) {
    return nlohmann::json{{"schemaVersion", 2},
                          {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                          {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                      {"digest", cfg}, {"size", 2}}},
                          {"layers", {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                                       {"digest", layer}, {"size", 5}}}}}
        .dump();
  }

  static std::string Code(const FakeWriter& w) {
    auto j = nlohmann::json::parse(w.body_, nullptr, false);
    return j.is_object() ? j["errors"][0].value("code", "") : "";
  }

  testing::TempDir dir_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Uploads> uploads_;
  std::unique_ptr<Users> users_;
  std::unique_ptr<Registry> reg_;
};

}  // namespace

TEST(Paginate, NAndLast) {
  std::vector<std::string> v{"a", "b", "c", "d"};
  bool more = false;
  EXPECT_EQ(Paginate(v, "", 2, &more), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(more);
  EXPECT_EQ(Paginate(v, "b", 2, &more), (std::vector<std::string>{"c", "d"}));
  EXPECT_FALSE(more);
  EXPECT_EQ(Paginate(v, "bb", -1, &more), (std::vector<std::string>{"c", "d"}));
  EXPECT_TRUE(Paginate(v, "", 0, &more).empty());
  EXPECT_TRUE(more);
  EXPECT_TRUE(Paginate(v, "z", 5, &more).empty());
  EXPECT_FALSE(more);
}

TEST_F(RegistryTest, PushAndPullAManifest) {
  std::string cfg = PushBlob("a/b", "{}");
  std::string layer = PushBlob("a/b", "hello");
  std::string m = Manifest(cfg, layer);
  auto w = Call("PUT", "/v2/a/b/manifests/v1", m,
                {{"Content-Type", "application/vnd.oci.image.manifest.v1+json"}});
  ASSERT_EQ(w.status_, 201) << w.body_;
  EXPECT_EQ(*w.headers_.Get("Docker-Content-Digest"), Sha256Of(m).str());
  w = Call("GET", "/v2/a/b/manifests/v1", "", {{"Accept", "application/vnd.oci.image.manifest.v1+json"}});
  EXPECT_EQ(w.status_, 200);
  EXPECT_EQ(w.body_, m);
  EXPECT_EQ(w.content_type_, "application/vnd.oci.image.manifest.v1+json");
  // Content negotiation: a client that accepts only Docker types gets MANIFEST_UNKNOWN.
  w = Call("GET", "/v2/a/b/manifests/v1", "",
           {{"Accept", "application/vnd.docker.distribution.manifest.v2+json"}});
  EXPECT_EQ(w.status_, 404);
  EXPECT_EQ(Code(w), "MANIFEST_UNKNOWN");
  w = Call("GET", "/v2/a/b/manifests/" + Sha256Of(m).str());
  EXPECT_EQ(w.status_, 200);
  w = Call("GET", "/v2/a/b/tags/list");
  EXPECT_EQ(nlohmann::json::parse(w.body_)["tags"], nlohmann::json({"v1"}));
}

TEST_F(RegistryTest, RefusesBadInput) {
  auto w = Call("PUT", "/v2/a/b/manifests/v1", Manifest(Sha256Of("x").str(), Sha256Of("y").str()));
  EXPECT_EQ(w.status_, 400);
  EXPECT_EQ(Code(w), "MANIFEST_BLOB_UNKNOWN");
  w = Call("PUT", "/v2/a/b/manifests/v1", "not json");
  EXPECT_EQ(Code(w), "MANIFEST_INVALID");
  w = Call("GET", "/v2/A/b/tags/list");
  EXPECT_EQ(Code(w), "NAME_INVALID");
  w = Call("GET", "/v2/a/nothing/tags/list");
  EXPECT_EQ(Code(w), "NAME_UNKNOWN");
  w = Call("GET", "/v2/a/b/blobs/sha256:xyz");
  EXPECT_EQ(Code(w), "DIGEST_INVALID");
  w = Call("POST", "/v2/a/b/blobs/uploads/?digest=" + Sha256Of("other").str(), "data");
  EXPECT_EQ(Code(w), "DIGEST_INVALID");
  EXPECT_TRUE(storage_->AllBlobs()->empty());
  w = Call("PATCH", "/v2/a/b/blobs/uploads/00000000-0000-4000-8000-000000000000", "x");
  EXPECT_EQ(Code(w), "BLOB_UPLOAD_UNKNOWN");
  std::string cfg = PushBlob("a/b", "{}");
  std::string m = Manifest(cfg, cfg);
  w = Call("PUT", "/v2/a/b/manifests/" + Sha256Of("other").str(), m);
  EXPECT_EQ(Code(w), "DIGEST_INVALID");
}

TEST_F(RegistryTest, TagsPaginateWithLink) {
  std::string cfg = PushBlob("r", "{}");
  std::string layer = PushBlob("r", "hello");
  for (const char* t : {"c", "a", "b"})
    ASSERT_EQ(Call("PUT", std::string("/v2/r/manifests/") + t, Manifest(cfg, layer)).status_, 201);
  auto w = Call("GET", "/v2/r/tags/list?n=2");
  EXPECT_EQ(nlohmann::json::parse(w.body_)["tags"], nlohmann::json({"a", "b"}));
  EXPECT_EQ(*w.headers_.Get("Link"), "</v2/r/tags/list?last=b&n=2>; rel=\"next\"");
  w = Call("GET", "/v2/r/tags/list?n=2&last=b");
  EXPECT_EQ(nlohmann::json::parse(w.body_)["tags"], nlohmann::json({"c"}));
  EXPECT_FALSE(w.headers_.Has("Link"));
  w = Call("GET", "/v2/r/tags/list?n=-1");
  EXPECT_EQ(w.status_, 400);
}

TEST_F(RegistryTest, ChallengesAndRefusals) {
  ASSERT_TRUE(users_->Add("alice", "a-pw", false).ok());
  ASSERT_TRUE(users_->Add("bob", "b-pw", false).ok());
  auto w = Call("GET", "/v2/", "", {{"Host", "reg.test:5000"}});
  EXPECT_EQ(w.status_, 401);
  EXPECT_EQ(*w.headers_.Get("WWW-Authenticate"),
            "Bearer realm=\"http://reg.test:5000/token\",service=\"berth-registry\"");
  std::string alice = "Basic " + base64::Encode("alice:a-pw");
  w = Call("POST", "/v2/bob/x/blobs/uploads/", "", {{"Authorization", alice}});
  EXPECT_EQ(w.status_, 403);
  EXPECT_EQ(Code(w), "DENIED");
  w = Call("POST", "/v2/alice/x/blobs/uploads/", "");
  EXPECT_EQ(w.status_, 401);
  EXPECT_NE(w.headers_.Get("WWW-Authenticate")->find("scope=\"repository:alice/x:pull,push\""),
            std::string::npos);
  w = Call("POST", "/v2/alice/x/blobs/uploads/?digest=" + Sha256Of("{}").str(), "{}",
           {{"Authorization", alice}});
  EXPECT_EQ(w.status_, 201);
  // The token endpoint grants only what the policy allows.
  w = Call("GET", "/token?service=berth-registry&scope=repository:alice/x:pull,push&scope=repository:bob/y:push",
           "", {{"Authorization", alice}});
  ASSERT_EQ(w.status_, 200);
  std::string token = nlohmann::json::parse(w.body_)["token"];
  w = Call("HEAD", "/v2/alice/x/blobs/" + Sha256Of("{}").str(), "", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(w.status_, 200);
  w = Call("GET", "/token?scope=repository:alice/x:pull", "", {{"Authorization", "Basic " + base64::Encode("alice:bad")}});
  EXPECT_EQ(w.status_, 401);
}

}  // namespace berth::registry
