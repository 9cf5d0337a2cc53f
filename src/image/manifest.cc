#include "image/manifest.h"

#include "base/strings.h"
#include "image/json_fields.h"

namespace berth::image {
namespace {

using jsonf::json;

Status ReadPlatform(const json& j, const std::string& path, Platform* p) {
  if (!j.is_object()) return jsonf::TypeError(path, "object", j);
  BERTH_TRY(jsonf::String(j, path, "architecture", &p->architecture));
  BERTH_TRY(jsonf::String(j, path, "os", &p->os));
  BERTH_TRY(jsonf::String(j, path, "os.version", &p->os_version));
  BERTH_TRY(jsonf::Strings(j, path, "os.features", &p->os_features));
  BERTH_TRY(jsonf::String(j, path, "variant", &p->variant));
  return Ok();
}

Status ReadDescriptor(const json& j, const std::string& path, Descriptor* d) {
  if (!j.is_object()) return jsonf::TypeError(path, "object", j);
  BERTH_TRY(jsonf::String(j, path, "mediaType", &d->media_type));
  BERTH_TRY(jsonf::DigestField(j, path, "digest", &d->digest));
  BERTH_TRY(jsonf::Int(j, path, "size", &d->size));
  if (d->size < 0) return Error::Invalid(jsonf::Child(path, "size") + ": must not be negative");
  BERTH_TRY(jsonf::Strings(j, path, "urls", &d->urls));
  BERTH_TRY(jsonf::StringMap(j, path, "annotations", &d->annotations));
  BERTH_TRY(jsonf::String(j, path, "artifactType", &d->artifact_type));
  if (auto it = j.find("platform"); it != j.end() && !it->is_null()) {
    Platform p;
    BERTH_TRY(ReadPlatform(*it, jsonf::Child(path, "platform"), &p));
    d->platform = std::move(p);
  }
  return Ok();
}

Status ReadDescriptors(const json& obj, const std::string& key, std::vector<Descriptor>* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Ok();
  if (!it->is_array()) return jsonf::TypeError(key, "array", *it);
  for (size_t i = 0; i < it->size(); ++i) {
    Descriptor d;
    BERTH_TRY(ReadDescriptor((*it)[i], jsonf::Index(key, i), &d));
    out->push_back(std::move(d));
  }
  return Ok();
}

Status ReadSubject(const json& obj, std::optional<Descriptor>* out) {
  auto it = obj.find("subject");
  if (it == obj.end() || it->is_null()) return Ok();
  Descriptor d;
  BERTH_TRY(ReadDescriptor(*it, "subject", &d));
  *out = std::move(d);
  return Ok();
}

Status CheckSchemaVersion(const json& obj, int64_t* version) {
  BERTH_TRY(jsonf::Int(obj, "", "schemaVersion", version));
  if (*version != 2)
    return Error::Invalid("unsupported manifest schema version " + std::to_string(*version));
  return Ok();
}

json EncodePlatform(const Platform& p) {
  json j = {{"architecture", p.architecture}, {"os", p.os}};
  if (!p.os_version.empty()) j["os.version"] = p.os_version;
  if (!p.os_features.empty()) j["os.features"] = p.os_features;
  if (!p.variant.empty()) j["variant"] = p.variant;
  return j;
}

json EncodeDescriptor(const Descriptor& d) {
  json j = {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
  if (!d.urls.empty()) j["urls"] = d.urls;
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  if (d.platform) j["platform"] = EncodePlatform(*d.platform);
  return j;
}

json EncodeDescriptors(const std::vector<Descriptor>& ds) {
  json arr = json::array();
  for (const auto& d : ds) arr.push_back(EncodeDescriptor(d));
  return arr;
}

// The default variant Docker assumes for an architecture.
std::string_view DefaultVariant(std::string_view arch) {
  if (arch == "arm64") return "v8";
  if (arch == "arm") return "v7";
  return "";
}

}  // namespace

Compression LayerCompression(std::string_view t) {
  if (t == media::kOciLayer || t == media::kDockerLayer || t == media::kOciLayerNonDistributable)
    return Compression::kNone;
  if (t == media::kOciLayerGzip || t == media::kDockerLayerGzip ||
      t == media::kDockerForeignLayerGzip || t == media::kOciLayerNonDistributableGzip)
    return Compression::kGzip;
  if (t == media::kOciLayerZstd || t == media::kOciLayerNonDistributableZstd)
    return Compression::kZstd;
  return Compression::kUnknown;
}

ManifestKind DetectKind(std::string_view text, std::string_view content_type) {
  auto by_type = [](std::string_view t) {
    if (t == media::kOciManifest || t == media::kDockerManifest) return ManifestKind::kManifest;
    if (t == media::kOciIndex || t == media::kDockerManifestList) return ManifestKind::kIndex;
    if (t == media::kDockerSchema1 || t == media::kDockerSchema1Signed)
      return ManifestKind::kSchema1;
    return ManifestKind::kUnknown;
  };
  // "application/json; charset=utf-8" and the like say nothing.
  std::string_view ct = str::Trim(content_type.substr(0, content_type.find(';')));
  if (ManifestKind k = by_type(ct); k != ManifestKind::kUnknown) return k;
  auto j = jsonf::ParseObject(text, "manifest");
  if (!j.ok()) return ManifestKind::kUnknown;
  std::string mt;
  if (jsonf::String(*j, "", "mediaType", &mt).ok() && !mt.empty()) return by_type(mt);
  if (j->contains("manifests")) return ManifestKind::kIndex;
  if (j->contains("config") && j->contains("layers")) return ManifestKind::kManifest;
  if (j->contains("fsLayers")) return ManifestKind::kSchema1;
  return ManifestKind::kUnknown;
}

Result<Manifest> ParseManifest(std::string_view text) {
  json j = BERTH_TRY(jsonf::ParseObject(text, "manifest"));
  Manifest m;
  auto parse = [&]() -> Status {
    BERTH_TRY(CheckSchemaVersion(j, &m.schema_version));
    BERTH_TRY(jsonf::String(j, "", "mediaType", &m.media_type));
    if (!m.media_type.empty() && m.media_type != media::kOciManifest &&
        m.media_type != media::kDockerManifest)
      return Error::Invalid("mediaType: not an image manifest: " + m.media_type);
    BERTH_TRY(jsonf::String(j, "", "artifactType", &m.artifact_type));
    auto config = j.find("config");
    if (config == j.end() || config->is_null()) return Error::Invalid("config: missing");
    BERTH_TRY(ReadDescriptor(*config, "config", &m.config));
    BERTH_TRY(ReadDescriptors(j, "layers", &m.layers));
    BERTH_TRY(ReadSubject(j, &m.subject));
    BERTH_TRY(jsonf::StringMap(j, "", "annotations", &m.annotations));
    return Ok();
  };
  BERTH_TRY_CTX(parse(), "manifest");
  return m;
}

Result<Index> ParseIndex(std::string_view text) {
  json j = BERTH_TRY(jsonf::ParseObject(text, "index"));
  Index index;
  auto parse = [&]() -> Status {
    BERTH_TRY(CheckSchemaVersion(j, &index.schema_version));
    BERTH_TRY(jsonf::String(j, "", "mediaType", &index.media_type));
    if (!index.media_type.empty() && index.media_type != media::kOciIndex &&
        index.media_type != media::kDockerManifestList)
      return Error::Invalid("mediaType: not an image index: " + index.media_type);
    BERTH_TRY(jsonf::String(j, "", "artifactType", &index.artifact_type));
    BERTH_TRY(ReadDescriptors(j, "manifests", &index.manifests));
    BERTH_TRY(ReadSubject(j, &index.subject));
    BERTH_TRY(jsonf::StringMap(j, "", "annotations", &index.annotations));
    return Ok();
  };
  BERTH_TRY_CTX(parse(), "index");
  return index;
}

std::string EncodeManifest(const Manifest& m) {
  json j = {{"schemaVersion", m.schema_version},
            {"config", EncodeDescriptor(m.config)},
            {"layers", EncodeDescriptors(m.layers)}};
  if (!m.media_type.empty()) j["mediaType"] = m.media_type;
  if (!m.artifact_type.empty()) j["artifactType"] = m.artifact_type;
  if (m.subject) j["subject"] = EncodeDescriptor(*m.subject);
  if (!m.annotations.empty()) j["annotations"] = m.annotations;
  return j.dump();
}

std::string EncodeIndex(const Index& index) {
  json j = {{"schemaVersion", index.schema_version},
            {"manifests", EncodeDescriptors(index.manifests)}};
  if (!index.media_type.empty()) j["mediaType"] = index.media_type;
  if (!index.artifact_type.empty()) j["artifactType"] = index.artifact_type;
  if (index.subject) j["subject"] = EncodeDescriptor(*index.subject);
  if (!index.annotations.empty()) j["annotations"] = index.annotations;
  return j.dump();
}

Platform NormalizePlatform(Platform p) {
  p.os = str::ToLower(p.os);
  std::string arch = str::ToLower(p.architecture);
  if (arch == "x86_64" || arch == "x86-64") {
    arch = "amd64";
  } else if (arch == "aarch64") {
    arch = "arm64";
  } else if (arch == "armhf") {
    arch = "arm";
    if (p.variant.empty()) p.variant = "v7";
  } else if (arch == "armel") {
    arch = "arm";
    if (p.variant.empty()) p.variant = "v6";
  } else if (arch == "i386") {
    arch = "386";
  }
  p.architecture = arch;
  if (arch == "arm64" && (p.variant == "8" || p.variant == "v8")) p.variant = "v8";
  if (arch == "arm" && p.variant.size() == 1) p.variant = "v" + p.variant;
  return p;
}

Result<Descriptor> PickPlatform(const Index& index, std::string_view os,
                                std::string_view architecture, std::string_view variant) {
  Platform want = NormalizePlatform({.architecture = std::string(architecture),
                                     .os = std::string(os),
                                     .variant = std::string(variant)});
  const Descriptor* any_variant = nullptr;
  for (const Descriptor& d : index.manifests) {
    if (!d.platform) continue;
    Platform have = NormalizePlatform(*d.platform);
    if (have.os != want.os || have.architecture != want.architecture) continue;
    std::string_view have_variant =
        have.variant.empty() ? DefaultVariant(have.architecture) : std::string_view(have.variant);
    std::string_view want_variant =
        want.variant.empty() ? DefaultVariant(want.architecture) : std::string_view(want.variant);
    if (have_variant == want_variant) return d;
    if (want.variant.empty() && any_variant == nullptr) any_variant = &d;
  }
  if (any_variant != nullptr) return *any_variant;
  std::string name = want.os + "/" + want.architecture;
  if (!want.variant.empty()) name += "/" + want.variant;
  return Error::NotFound("no matching manifest for " + name + " in the manifest list entries");
}

}  // namespace berth::image
