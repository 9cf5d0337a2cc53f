// ImageStore::Load: docker-archive (manifest.json) and OCI image layout
// (oci-layout, index.json, blobs/) tar streams.
#include <set>

#include "base/log.h"
#include "base/strings.h"
#include "image/archive_tar.h"
#include "image/image_store.h"
#include "image/image_store_impl.h"
#include "image/json_fields.h"
#include "image/manifest.h"

namespace berth::image {
namespace {

using nlohmann::json;

constexpr std::string_view kContainerdName = "io.containerd.image.name";
constexpr std::string_view kOciRefName = "org.opencontainers.image.ref.name";

class Loader {
 public:
  Loader(ImageStore::Impl* impl, const ArchiveFiles& files, Pins& pins, const ProgressFn& progress)
      : impl_(impl), files_(files), pins_(pins), progress_(progress) {}

  // An image from its config bytes and its layer members (archive paths),
  // base first.
  Result<ImagePlan> Plan(const std::string& config, const std::vector<std::string>& layer_paths,
                         const std::vector<Digest>& expected_blobs) {
    ImagePlan p;
    p.config_json = config;
    p.id = ImageId(config);
    p.config = BERTH_TRY_CTX(ParseImageConfig(config), "load image " + p.id.str());
    if (!p.config.os.empty() && p.config.os != "linux")
      return Error::Invalid("cannot load " + p.config.os + " image on linux");
    if (layer_paths.size() != p.config.diff_ids.size())
      return Error::Invalid("invalid manifest, layers length mismatch: expected " +
                            std::to_string(p.config.diff_ids.size()) + ", got " +
                            std::to_string(layer_paths.size()));
    Digest stored = BERTH_TRY_CTX(impl_->content->WriteBlob(config, p.id), "store config " + p.id.str());
    pins_.Add(stored.str());
    std::vector<Digest> chains = ChainIds(p.config.diff_ids);
    for (size_t i = 0; i < layer_paths.size(); ++i) {
      LayerPlan l;
      l.chain_id = chains[i];
      l.parent = i > 0 ? chains[i - 1] : Digest();
      l.diff_id = p.config.diff_ids[i];
      BERTH_TRY(Layer(layer_paths[i], i < expected_blobs.size() ? expected_blobs[i] : Digest(), &l, i));
      p.layers.push_back(l);
    }
    return p;
  }

 private:
  Status Layer(const std::string& path, const Digest& expected, LayerPlan* l, size_t index) {
    pins_.Add(l->chain_id.str());
    int64_t size = 0;
    bool have = false;
    {
      std::lock_guard lock(impl_->mu);
      have = BERTH_TRY(impl_->HasLayerLocked(l->chain_id, &size));
    }
    const ArchiveMember* m = files_.Find(path);
    if (!m) return Error::Invalid("load: layer " + path + " not found in the archive");
    if (have) {
      l->size = size;
      Report(l->diff_id, m->size);
      return Ok();
    }
    Digest blob = BERTH_TRY_CTX(files_.Blob(path, *impl_->content), "load layer " + path);
    pins_.Add(blob.str());
    if (!expected.empty() && blob != expected)
      return Error::Invalid("load layer " + path + ": digest mismatch: expected " + expected.str() +
                            ", got " + blob.str());
    Digest plain = BERTH_TRY_CTX(impl_->Uncompressed(blob, pins_), "load layer " + path);
    if (plain != l->diff_id)
      return Error::Invalid("invalid diffID for layer " + std::to_string(index) + ": expected \"" +
                            l->diff_id.str() + "\", got \"" + plain.str() + "\"");
    BERTH_TRY(impl_->EnsureLayer(l, pins_));
    Report(l->diff_id, m->size);
    return Ok();
  }

  void Report(const Digest& diff_id, int64_t size) {
    if (progress_) progress_({diff_id.ShortId(), "Loading layer", size, size});
  }

  ImageStore::Impl* impl_;
  const ArchiveFiles& files_;
  Pins& pins_;
  const ProgressFn& progress_;
};

Result<std::string> TagFor(std::string_view s) {
  ref::Reference r = BERTH_TRY(ref::ParseNormalized(s));
  if (r.tag.empty() || !r.digest.empty()) return Error::Invalid("invalid tag \"" + std::string(s) + "\"");
  return r.Full();
}

Result<std::vector<ImagePlan>> DockerArchive(Loader& loader, const ArchiveFiles& files,
                                             const ContentStore& content) {
  std::string text = BERTH_TRY(files.Read("manifest.json", content));
  auto parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array())
    return Error::Invalid("load: manifest.json: not a JSON array");
  std::vector<ImagePlan> plans;
  for (const json& e : parsed) {
    if (!e.is_object() || !e.contains("Config") || !e["Config"].is_string())
      return Error::Invalid("load: manifest.json: entry without Config");
    std::string config_path = e["Config"];
    std::string config = BERTH_TRY_CTX(files.Read(config_path, content), "load");
    std::vector<std::string> layers;
    if (auto it = e.find("Layers"); it != e.end() && it->is_array())
      for (const json& l : *it)
        if (l.is_string()) layers.push_back(l);
    ImagePlan p = BERTH_TRY(loader.Plan(config, layers, {}));
    if (auto it = e.find("RepoTags"); it != e.end() && it->is_array())
      for (const json& t : *it)
        if (t.is_string()) p.tags.push_back(BERTH_TRY(TagFor(t.get<std::string>())));
    if (auto it = e.find("Parent"); it != e.end() && it->is_string()) p.parent = *it;
    plans.push_back(std::move(p));
  }
  return plans;
}

std::string BlobPath(const Digest& d) { return "blobs/sha256/" + d.hex(); }

Result<std::string> ReadVerified(const ArchiveFiles& files, const ContentStore& content,
                                 const Digest& d) {
  std::string data = BERTH_TRY(files.Read(BlobPath(d), content));
  if (Sha256Of(data) != d) return Error::Invalid("load: blob " + d.str() + " does not match its digest");
  return data;
}

Status OciManifest(Loader& loader, const ArchiveFiles& files, const ContentStore& content,
                   const Descriptor& desc, const std::vector<std::string>& tags, int depth,
                   std::vector<ImagePlan>* plans) {
  if (depth > 4) return Error::Invalid("load: index nesting too deep at " + desc.digest.str());
  std::string doc = BERTH_TRY(ReadVerified(files, content, desc.digest));
  ManifestKind kind = DetectKind(doc, desc.media_type);
  if (kind == ManifestKind::kIndex) {
    Index index = BERTH_TRY_CTX(ParseIndex(doc), "load: " + desc.digest.str());
    Descriptor pick = BERTH_TRY(PickPlatform(index, "linux", "amd64"));
    return OciManifest(loader, files, content, pick, tags, depth + 1, plans);
  }
  if (kind != ManifestKind::kManifest)
    return Error::Invalid("load: " + desc.digest.str() + ": unsupported manifest type " + desc.media_type);
  Manifest m = BERTH_TRY_CTX(ParseManifest(doc), "load: " + desc.digest.str());
  std::string config = BERTH_TRY(ReadVerified(files, content, m.config.digest));
  std::vector<std::string> paths;
  std::vector<Digest> digests;
  for (const Descriptor& l : m.layers) {
    paths.push_back(BlobPath(l.digest));
    digests.push_back(l.digest);
  }
  ImagePlan p = BERTH_TRY(loader.Plan(config, paths, digests));
  for (auto& existing : *plans)
    if (existing.id == p.id) {
      existing.tags.insert(existing.tags.end(), tags.begin(), tags.end());
      return Ok();
    }
  p.tags = tags;
  plans->push_back(std::move(p));
  return Ok();
}

Result<std::vector<ImagePlan>> OciLayout(Loader& loader, const ArchiveFiles& files,
                                         const ContentStore& content) {
  std::string text = BERTH_TRY(files.Read("index.json", content));
  Index index = BERTH_TRY_CTX(ParseIndex(text), "load: index.json");
  std::vector<ImagePlan> plans;
  for (const Descriptor& d : index.manifests) {
    std::vector<std::string> tags;
    std::string name;
    if (auto it = d.annotations.find(std::string(kContainerdName)); it != d.annotations.end())
      name = it->second;
    else if (auto it2 = d.annotations.find(std::string(kOciRefName)); it2 != d.annotations.end())
      // A bare tag ("latest", as skopeo and umoci write) names no repository.
      if (it2->second.find_first_of("/:") != std::string::npos) name = it2->second;
    if (!name.empty()) {
      auto r = ref::ParseNormalized(name);
      if (r.ok() && r->digest.empty()) tags.push_back(r->WithDefaultTag().Full());
      else log::Warn("load: ignoring image name {}", name);
    }
    BERTH_TRY(OciManifest(loader, files, content, d, tags, 0, &plans));
  }
  return plans;
}

}  // namespace

Result<std::vector<std::string>> ImageStore::Load(int tar_fd, const ProgressFn& progress) {
  Pins pins(impl_.get());
  auto files = ReadArchive(tar_fd, *impl_->content, [&](const Digest& d) { pins.Add(d.str()); });
  if (!files.ok()) {
    impl_->Cleanup(pins);
    return std::move(files).error().Context("load");
  }
  Loader loader(impl_.get(), *files, pins, progress);
  Result<std::vector<ImagePlan>> plans = Error::Internal("");
  if (files->Has("manifest.json"))
    plans = DockerArchive(loader, *files, *impl_->content);
  else if (files->Has("index.json"))
    plans = OciLayout(loader, *files, *impl_->content);
  else if (files->Has("repositories"))
    plans = Error(Code::kNotImplemented,
                  "load: legacy archive (repositories without manifest.json) is not supported");
  else
    plans = Error::Invalid("load: open manifest.json: no such file or directory");
  if (!plans.ok()) {
    impl_->Cleanup(pins);
    return std::move(plans).error();
  }
  std::vector<std::string> notes;
  BERTH_TRY(impl_->Publish(*plans, pins, &notes));
  std::vector<std::string> lines = notes;
  for (const ImagePlan& p : *plans) {
    if (p.tags.empty()) lines.push_back("Loaded image ID: " + p.id.str());
    for (const std::string& t : p.tags) {
      auto r = ref::ParseNormalized(t);
      lines.push_back("Loaded image: " + (r.ok() ? r->Familiar() : t));
    }
  }
  return lines;
}

}  // namespace berth::image
