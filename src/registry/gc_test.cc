#include "registry/gc.h"

#include <gtest/gtest.h>
#include <utime.h>

#include <nlohmann/json.hpp>

#include "registry/test_util.h"

namespace berth::registry {

namespace {
void Age(const Storage& s, const Digest& d) {
  struct utimbuf t = {time(nullptr) - 7200, time(nullptr) - 7200};
  ASSERT_EQ(utime(s.BlobPath(d).c_str(), &t), 0);
}
}  // namespace

TEST(Gc, KeepsReferencedDropsUnreferencedOldBlobs) {
  testing::TempDir dir;
  auto s = *Storage::Open(dir.path);
  Digest cfg = *s.PutBlob("{}"), layer = *s.PutBlob("layer"), orphan = *s.PutBlob("orphan"),
         young = *s.PutBlob("young");
  ASSERT_TRUE(s.LinkLayer("a", orphan).ok());
  std::string m = nlohmann::json{{"schemaVersion", 2},
                                 {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                 {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                             {"digest", cfg.str()}, {"size", 2}}},
                                 {"layers", {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                                              {"digest", layer.str()}, {"size", 5}}}}}
                      .dump();
  Digest md = Sha256Of(m);
  ASSERT_TRUE(s.PutManifest("a", md, "application/vnd.oci.image.manifest.v1+json", m, "").ok());
  for (const Digest& d : {cfg, layer, orphan, md}) Age(s, d);

  auto dry = CollectGarbage(s, GcOptions{true, std::chrono::seconds(3600)});
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->removed, 1u);
  EXPECT_TRUE(s.BlobSize(orphan).ok());

  auto r = CollectGarbage(s, GcOptions{false, std::chrono::seconds(3600)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->blobs, 5u);
  EXPECT_EQ(r->marked, 3u);
  EXPECT_EQ(r->removed, 1u);
  EXPECT_EQ(r->kept_young, 1u);
  EXPECT_FALSE(s.BlobSize(orphan).ok());
  EXPECT_FALSE(s.HasLayer("a", orphan));
  for (const Digest& d : {cfg, layer, md, young}) EXPECT_TRUE(s.BlobSize(d).ok());

  // Once the manifest is deleted, its blobs go too.
  ASSERT_TRUE(s.DeleteManifest("a", md).ok());
  r = CollectGarbage(s, GcOptions{false, std::chrono::seconds(3600)});
  EXPECT_EQ(r->removed, 3u);
}

}  // namespace berth::registry
