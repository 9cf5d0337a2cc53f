#include "image/manifest.h"

#include <gtest/gtest.h>

namespace berth::image {
namespace {

// A Docker schema2 manifest as registries serve busybox.
constexpr std::string_view kDockerManifestJson = R"({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 1457,
      "digest": "sha256:a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824"
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 2591575,
         "digest": "sha256:ec562eabd705d25bfea8c8d79e4610775e375524af00552fe871d3338261563c"
      }
   ]
})";

// An OCI index with attestation entries, as BuildKit pushes them.
constexpr std::string_view kOciIndexJson = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
      "size": 1035,
      "platform": {"architecture": "arm", "os": "linux", "variant": "v6"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
      "size": 1035,
      "platform": {"architecture": "arm", "os": "linux", "variant": "v7"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:3333333333333333333333333333333333333333333333333333333333333333",
      "size": 1035,
      "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:4444444444444444444444444444444444444444444444444444444444444444",
      "size": 1035,
      "annotations": {"org.opencontainers.image.ref.name": "1.36"},
      "platform": {"architecture": "amd64", "os": "linux"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:5555555555555555555555555555555555555555555555555555555555555555",
      "size": 566,
      "annotations": {
        "vnd.docker.reference.digest": "sha256:4444444444444444444444444444444444444444444444444444444444444444",
        "vnd.docker.reference.type": "attestation-manifest"
      },
      "platform": {"architecture": "unknown", "os": "unknown"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:6666666666666666666666666666666666666666666666666666666666666666",
      "size": 1035,
      "platform": {"architecture": "amd64", "os": "windows", "os.version": "10.0.17763.5122"}
    }
  ]
})";

std::string Hex(char c) { return std::string(64, c); }

TEST(Manifest, ParsesDockerSchema2) {
  auto m = ParseManifest(kDockerManifestJson);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->schema_version, 2);
  EXPECT_EQ(m->media_type, media::kDockerManifest);
  EXPECT_EQ(m->config.media_type, media::kDockerConfig);
  EXPECT_EQ(m->config.size, 1457);
  EXPECT_EQ(m->config.digest.str(),
            "sha256:a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824");
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].size, 2591575);
  EXPECT_EQ(LayerCompression(m->layers[0].media_type), Compression::kGzip);
  EXPECT_EQ(DetectKind(kDockerManifestJson), ManifestKind::kManifest);
}

TEST(Manifest, EncodeRoundTrips) {
  auto m = ParseManifest(kDockerManifestJson);
  ASSERT_TRUE(m.ok());
  m->annotations["a"] = "b";
  m->layers.push_back({.media_type = std::string(media::kOciLayerZstd),
                       .digest = *Digest::FromHex(Hex('e')),
                       .size = 7,
                       .urls = {"https://example.com/l"}});
  auto again = ParseManifest(EncodeManifest(*m));
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->config, m->config);
  EXPECT_EQ(again->layers, m->layers);
  EXPECT_EQ(again->annotations, m->annotations);
  EXPECT_EQ(again->media_type, m->media_type);
}

TEST(Manifest, OciManifestWithoutMediaTypeAndSubject) {
  const std::string json = R"({"schemaVersion":2,
    "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:)" +
                           Hex('a') + R"(","size":2},
    "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:)" +
                           Hex('b') + R"(","size":10240}],
    "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
                           Hex('c') + R"(","size":7}})";
  EXPECT_EQ(DetectKind(json), ManifestKind::kManifest);
  auto m = ParseManifest(json);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->media_type, "");
  ASSERT_TRUE(m->subject.has_value());
  EXPECT_EQ(m->subject->digest.hex(), Hex('c'));
  EXPECT_EQ(LayerCompression(m->layers[0].media_type), Compression::kNone);
}

TEST(Manifest, ErrorsNameTheField) {
  struct Case {
    std::string json, err;
  };
  const std::string cfg =
      R"("config":{"mediaType":"x","digest":"sha256:)" + Hex('a') + R"(","size":1})";
  const Case cases[] = {
      {"not json", "manifest: invalid JSON"},
      {"[]", "manifest: expected a JSON object, got array"},
      {R"({"schemaVersion":1,"fsLayers":[]})", "manifest: unsupported manifest schema version 1"},
      {R"({"schemaVersion":2})", "manifest: config: missing"},
      {R"({"schemaVersion":2,"config":{"digest":"sha256:abc","size":1}})",
       "manifest: config.digest: invalid checksum digest length"},
      {R"({"schemaVersion":2,"config":{"size":1}})", "manifest: config.digest: missing"},
      {R"({"schemaVersion":2,)" + cfg + R"(,"layers":[{"digest":"sha256:)" + Hex('b') +
           R"(","size":"12"}]})",
       "manifest: layers[0].size: expected integer, got string"},
      {R"({"schemaVersion":2,)" + cfg + R"(,"layers":[{"digest":"sha256:)" + Hex('b') +
           R"(","size":-1}]})",
       "manifest: layers[0].size: must not be negative"},
      {R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)" + cfg + "}",
       "manifest: mediaType: not an image manifest: application/vnd.oci.image.index.v1+json"},
      {R"({"schemaVersion":2,)" + cfg + R"(,"layers":{}})",
       "manifest: layers: expected array, got object"},
  };
  for (const auto& c : cases) {
    auto m = ParseManifest(c.json);
    ASSERT_FALSE(m.ok()) << c.json;
    EXPECT_EQ(m.error().message(), c.err) << c.json;
    EXPECT_EQ(m.error().code(), Code::kInvalidArgument);
  }
}

TEST(Manifest, DetectKind) {
  EXPECT_EQ(DetectKind(kOciIndexJson), ManifestKind::kIndex);
  EXPECT_EQ(DetectKind(R"({"schemaVersion":2,"manifests":[]})"), ManifestKind::kIndex);
  EXPECT_EQ(DetectKind(R"({"schemaVersion":1,"fsLayers":[]})"), ManifestKind::kSchema1);
  EXPECT_EQ(DetectKind("{}", "application/vnd.docker.distribution.manifest.list.v2+json"),
            ManifestKind::kIndex);
  EXPECT_EQ(DetectKind(kDockerManifestJson, "application/json; charset=utf-8"),
            ManifestKind::kManifest);
  EXPECT_EQ(DetectKind("garbage"), ManifestKind::kUnknown);
}

TEST(Index, ParseAndPickPlatform) {
  auto index = ParseIndex(kOciIndexJson);
  ASSERT_TRUE(index.ok()) << index.error().message();
  EXPECT_EQ(index->manifests.size(), 6u);
  EXPECT_EQ(index->manifests[5].platform->os_version, "10.0.17763.5122");

  auto pick = [&](std::string_view os, std::string_view arch, std::string_view variant = "") {
    auto d = PickPlatform(*index, os, arch, variant);
    return d.ok() ? d->digest.hex().substr(0, 1) : d.error().message();
  };
  EXPECT_EQ(pick("linux", "amd64"), "4");
  EXPECT_EQ(pick("linux", "x86_64"), "4");
  EXPECT_EQ(pick("linux", "arm64"), "3");
  EXPECT_EQ(pick("linux", "aarch64"), "3");
  EXPECT_EQ(pick("linux", "arm"), "2");  // v7 is arm's default
  EXPECT_EQ(pick("linux", "arm", "v6"), "1");
  EXPECT_EQ(pick("windows", "amd64"), "6");
  EXPECT_EQ(pick("linux", "s390x"),
            "no matching manifest for linux/s390x in the manifest list entries");
  EXPECT_EQ(pick("linux", "arm", "v5"),
            "no matching manifest for linux/arm/v5 in the manifest list entries");
  EXPECT_EQ(PickPlatform(*index, "linux", "ppc64le").error().code(), Code::kNotFound);
}

TEST(Index, PickWithoutDefaultVariantTakesAny) {
  Index index;
  index.manifests.push_back(
      {.media_type = std::string(media::kDockerManifest),
       .digest = *Digest::FromHex(Hex('7')),
       .size = 1,
       .platform = Platform{.architecture = "arm", .os = "linux", .variant = "v6"}});
  auto d = PickPlatform(index, "linux", "arm");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->digest.hex(), Hex('7'));
}

TEST(Index, DockerManifestListRoundTrip) {
  Index list;
  list.media_type = media::kDockerManifestList;
  list.manifests.push_back({.media_type = std::string(media::kDockerManifest),
                            .digest = *Digest::FromHex(Hex('a')),
                            .size = 528,
                            .platform = Platform{.architecture = "amd64", .os = "linux"}});
  std::string text = EncodeIndex(list);
  EXPECT_EQ(DetectKind(text), ManifestKind::kIndex);
  auto back = ParseIndex(text);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->media_type, media::kDockerManifestList);
  EXPECT_EQ(back->manifests, list.manifests);
  EXPECT_FALSE(ParseIndex(kDockerManifestJson).ok());
}

}  // namespace
}  // namespace berth::image
