// Manifests and indexes: the JSON documents that name an image's config and
// layers (OCI image-spec 1.1 and Docker's distribution schema 2).
//
// Vocabulary: a Descriptor points at a blob (media type, digest, size). A
// Manifest names one image: its config blob and its layer blobs, base layer
// first; OCI's image manifest and Docker's schema2 manifest share this shape
// and differ only in media types. An Index (OCI image index, Docker manifest
// list) names one manifest per platform; PickPlatform chooses one.
// Schema 1 manifests are recognised only to be refused.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/error.h"

namespace berth::image {

namespace media {
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kOciLayerNonDistributable =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view kOciLayerNonDistributableGzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view kOciLayerNonDistributableZstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kDockerForeignLayerGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
inline constexpr std::string_view kDockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
}  // namespace media

enum class Compression { kNone, kGzip, kZstd, kUnknown };
// The compression a layer media type declares (kUnknown: not a layer type).
Compression LayerCompression(std::string_view media_type);

struct Platform {
  std::string architecture;  // "amd64", "arm64"
  std::string os;            // "linux"
  std::string os_version;    // "os.version"
  std::vector<std::string> os_features;
  std::string variant;  // "v8"
  friend bool operator==(const Platform&, const Platform&) = default;
};

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;
  std::string artifact_type;
  friend bool operator==(const Descriptor&, const Descriptor&) = default;
};

struct Manifest {
  int64_t schema_version = 2;
  std::string media_type;  // kOciManifest or kDockerManifest; may be empty in OCI
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
};

struct Index {
  int64_t schema_version = 2;
  std::string media_type;  // kOciIndex or kDockerManifestList; may be empty in OCI
  std::string artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
};

enum class ManifestKind { kManifest, kIndex, kSchema1, kUnknown };
// What a manifest document is, from the registry's Content-Type (when given),
// its mediaType field, or else its shape (OCI lets mediaType be absent).
ManifestKind DetectKind(std::string_view json, std::string_view content_type = "");

// Errors are kInvalidArgument naming the field: "manifest: layers[1].digest:
// invalid checksum digest length".
Result<Manifest> ParseManifest(std::string_view json);
Result<Index> ParseIndex(std::string_view json);
std::string EncodeManifest(const Manifest& m);
std::string EncodeIndex(const Index& index);

// Normalises platform names as Docker does: x86_64 -> amd64, aarch64 ->
// arm64, armhf -> arm/v7; os lower case.
Platform NormalizePlatform(Platform p);

// The index entry for os/architecture[/variant]. Without a variant the
// entry with the architecture's default (none for amd64, v8 for arm64, v7
// for arm) or else any variant matches. kNotFound with Docker's text: "no
// matching manifest for linux/amd64 in the manifest list entries".
Result<Descriptor> PickPlatform(const Index& index, std::string_view os,
                                std::string_view architecture, std::string_view variant = "");

}  // namespace berth::image
