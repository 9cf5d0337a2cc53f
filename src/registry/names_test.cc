#include "registry/names.h"

#include <gtest/gtest.h>

namespace berth::registry {

TEST(Names, RepoNames) {
  EXPECT_TRUE(ValidRepoName("alice/app"));
  EXPECT_TRUE(ValidRepoName("a/b/c-d__e.f"));
  EXPECT_TRUE(ValidRepoName("x"));
  EXPECT_FALSE(ValidRepoName(""));
  EXPECT_FALSE(ValidRepoName("Alice/app"));
  EXPECT_FALSE(ValidRepoName("alice//app"));
  EXPECT_FALSE(ValidRepoName("alice/_manifests"));
  EXPECT_FALSE(ValidRepoName("a/../b"));
  EXPECT_FALSE(ValidRepoName("a/b/"));
  EXPECT_FALSE(ValidRepoName("a___b"));
  EXPECT_FALSE(ValidRepoName(std::string(256, 'a')));
}

TEST(Names, Routes) {
  using K = V2Route::Kind;
  EXPECT_EQ(ParseV2Path("/v2/").kind, K::kPing);
  EXPECT_EQ(ParseV2Path("/v2").kind, K::kPing);
  EXPECT_EQ(ParseV2Path("/v2/_catalog").kind, K::kCatalog);
  V2Route r = ParseV2Path("/v2/a/b/manifests/latest");
  EXPECT_EQ(r.kind, K::kManifest);
  EXPECT_EQ(r.name, "a/b");
  EXPECT_EQ(r.ref, "latest");
  r = ParseV2Path("/v2/a/blobs/uploads/");
  EXPECT_EQ(r.kind, K::kUploads);
  EXPECT_EQ(r.name, "a");
  r = ParseV2Path("/v2/a/b/c/blobs/uploads/abc");
  EXPECT_EQ(r.kind, K::kUpload);
  EXPECT_EQ(r.name, "a/b/c");
  EXPECT_EQ(r.ref, "abc");
  r = ParseV2Path("/v2/x/blobs/sha256:00");
  EXPECT_EQ(r.kind, K::kBlob);
  r = ParseV2Path("/v2/blobs/tags/list");  // a repository called "blobs"
  EXPECT_EQ(r.kind, K::kTags);
  EXPECT_EQ(r.name, "blobs");
  EXPECT_EQ(ParseV2Path("/v2/x/referrers/sha256:00").kind, K::kReferrers);
  EXPECT_EQ(ParseV2Path("/v2/x/unknown/y").kind, K::kNone);
  EXPECT_EQ(ParseV2Path("/v1/x").kind, K::kNone);
  EXPECT_EQ(ParseV2Path("/v2/manifests/x").kind, K::kNone);
}

}  // namespace berth::registry
