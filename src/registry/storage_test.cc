#include "registry/storage.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "registry/test_util.h"

namespace berth::registry {

TEST(Storage, BlobsAreContentAddressedAndShared) {
  testing::TempDir t;
  auto s = Storage::Open(t.path + "/root");
  ASSERT_TRUE(s.ok()) << s.error().message();
  Digest d = *s->PutBlob("hello");
  EXPECT_EQ(d, Sha256Of("hello"));
  EXPECT_EQ(*s->BlobSize(d), 5u);
  EXPECT_EQ(*fs::ReadFile(s->BlobPath(d)), "hello");
  EXPECT_NE(s->BlobPath(d).find("/blobs/sha256/" + d.hex().substr(0, 2) + "/" + d.hex()), std::string::npos);
  // Not visible in a repository until linked.
  EXPECT_FALSE(s->HasLayer("a/b", d));
  ASSERT_TRUE(s->LinkLayer("a/b", d).ok());
  ASSERT_TRUE(s->LinkLayer("c", d).ok());
  EXPECT_TRUE(s->HasLayer("a/b", d));
  EXPECT_TRUE(s->HasLayer("c", d));
  EXPECT_EQ(s->AllBlobs()->size(), 1u);
  ASSERT_TRUE(s->UnlinkLayer("a/b", d).ok());
  EXPECT_FALSE(s->HasLayer("a/b", d));
  EXPECT_EQ(s->UnlinkLayer("a/b", d).error().code(), Code::kNotFound);
  // Nothing left in tmp/.
  EXPECT_TRUE(fs::ListDir(s->TmpDir())->empty());
}

TEST(Storage, ManifestsTagsAndRepositories) {
  testing::TempDir t;
  auto s = *Storage::Open(t.path);
  std::string doc = R"({"schemaVersion":2})";
  Digest d = Sha256Of(doc);
  ASSERT_TRUE(s.PutManifest("alice/app", d, "application/vnd.oci.image.manifest.v1+json", doc, "v1").ok());
  ASSERT_TRUE(s.PutManifest("alice/app", d, "application/vnd.oci.image.manifest.v1+json", doc, "latest").ok());
  ASSERT_TRUE(s.PutManifest("alice/app/sub", d, "application/vnd.oci.image.manifest.v1+json", doc, "").ok());
  EXPECT_EQ(*s.ResolveTag("alice/app", "v1"), d);
  auto m = s.GetManifest("alice/app", d);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->content, doc);
  EXPECT_EQ(m->media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(*s.Tags("alice/app"), (std::vector<std::string>{"latest", "v1"}));
  EXPECT_EQ(*s.Repositories(), (std::vector<std::string>{"alice/app", "alice/app/sub"}));
  EXPECT_EQ(s.Tags("nope").error().code(), Code::kNotFound);
  ASSERT_TRUE(s.DeleteTag("alice/app", "v1").ok());
  EXPECT_EQ(*s.Tags("alice/app"), (std::vector<std::string>{"latest"}));
  ASSERT_TRUE(s.DeleteManifest("alice/app", d).ok());
  EXPECT_TRUE(s.Tags("alice/app")->empty());  // tags pointing at it went too
  EXPECT_FALSE(s.HasManifest("alice/app", d));
  EXPECT_TRUE(s.HasManifest("alice/app/sub", d));
}

TEST(Storage, MetaAndReferrers) {
  testing::TempDir t;
  auto s = *Storage::Open(t.path);
  EXPECT_FALSE(s.Meta("a/b").is_private);
  ASSERT_TRUE(s.SetMeta("a/b", RepoMeta{"alice", true, "hi"}).ok());
  RepoMeta m = s.Meta("a/b");
  EXPECT_EQ(m.owner, "alice");
  EXPECT_TRUE(m.is_private);
  EXPECT_EQ(m.description, "hi");
  Digest subject = Sha256Of("subject");
  std::string doc = "{}";
  Digest d = Sha256Of(doc);
  ASSERT_TRUE(s.PutManifest("a/b", d, "application/vnd.oci.image.manifest.v1+json", doc, "").ok());
  ASSERT_TRUE(s.AddReferrer("a/b", subject, d, R"({"digest":"x"})").ok());
  EXPECT_EQ(s.Referrers("a/b", subject)->size(), 1u);
  ASSERT_TRUE(s.DeleteManifest("a/b", d).ok());
  EXPECT_TRUE(s.Referrers("a/b", subject)->empty());
}

TEST(Storage, CommitFileVerifiedContentOnly) {
  testing::TempDir t;
  auto s = *Storage::Open(t.path);
  std::string f = t.path + "/uploads/x";
  ASSERT_TRUE(fs::AtomicWrite(f, "abc").ok());
  Digest d = Sha256Of("abc");
  ASSERT_TRUE(s.CommitFile(f, d).ok());
  EXPECT_FALSE(fs::Exists(f));
  EXPECT_EQ(*fs::ReadFile(s.BlobPath(d)), "abc");
  // Committing the same content again just drops the file.
  ASSERT_TRUE(fs::AtomicWrite(f, "abc").ok());
  ASSERT_TRUE(s.CommitFile(f, d).ok());
  EXPECT_FALSE(fs::Exists(f));
}

}  // namespace berth::registry
