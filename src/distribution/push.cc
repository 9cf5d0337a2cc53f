// Service::Push: see service.h.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/parallel.h"
#include "base/reference.h"
#include "base/strings.h"
#include "base/tempfile.h"
#include "distribution/layer_upload.h"
#include "distribution/registry.h"
#include "distribution/service.h"
#include "image/image_config.h"
#include "image/manifest.h"

namespace berth::distribution {
namespace {

using nlohmann::json;

struct PushedLayer {
  Digest digest;
  int64_t size = 0;
};

// A temp file removed when it goes.
struct TempFile {
  std::string path;
  unique_fd fd;
  TempFile() = default;
  TempFile(TempFile&& o) noexcept : path(std::move(o.path)), fd(std::move(o.fd)) { o.path.clear(); }
  ~TempFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

Result<TempFile> MakeTemp(const std::string& dir) {
  fs::TempFile f = BERTH_TRY(fs::MakeTempFile(dir + "/push-"));
  TempFile t;
  t.path = std::move(f.path);
  t.fd = std::move(f.fd);
  return t;
}

class Pusher {
 public:
  Pusher(Registry& reg, Emitter& em, image::ImageStore& store, Metadata& meta,
         PendingUploads& pending, int concurrency)
      : reg_(reg), em_(em), store_(store), meta_(meta), pending_(pending),
        concurrency_(std::max(1, concurrency)) {}

  Status PushOne(const ref::Reference& r) {
    image::ImageRecord img = BERTH_TRY(store_.Resolve(r.Full()));
    std::string repo = r.path;
    size_t n = img.diff_ids.size();
    std::vector<PushedLayer> layers(n);
    // Docker lists layers top first.
    for (size_t k = n; k-- > 0;) em_.Status(img.diff_ids[k].ShortId(), "Preparing");
    for (size_t k = n; k-- > 0;)
      if (n - 1 - k >= static_cast<size_t>(concurrency_)) em_.Status(img.diff_ids[k].ShortId(), "Waiting");
    BERTH_TRY(ParallelFor(n, concurrency_, [&](size_t i) -> Status {
      size_t k = n - 1 - i;  // bottom layer first
      layers[k] = BERTH_TRY(PushLayer(repo, img.diff_ids[k]));
      return Ok();
    }));

    // The config, then the manifest.
    Digest config_digest = img.id;
    if (!BERTH_TRY(reg_.HeadBlob(repo, config_digest))) {
      std::string loc = BERTH_TRY(reg_.StartUpload(repo));
      TempFile t = BERTH_TRY(MakeTemp(store_.root() + "/tmp"));
      BERTH_TRY(fs::WriteAll(t.fd.get(), img.config_json));
      ::lseek(t.fd.get(), 0, SEEK_SET);
      BERTH_TRY(reg_.FinishUpload(loc, config_digest, t.fd.get(),
                                  static_cast<int64_t>(img.config_json.size())));
    }
    image::Manifest m;
    m.media_type = std::string(image::media::kDockerManifest);
    m.config = {std::string(image::media::kDockerConfig), config_digest,
                static_cast<int64_t>(img.config_json.size())};
    for (const PushedLayer& l : layers)
      m.layers.push_back({std::string(image::media::kDockerLayerGzip), l.digest, l.size});
    std::string bytes = image::EncodeManifest(m);
    Digest md = BERTH_TRY(reg_.PutManifest(repo, r.tag, bytes, m.media_type));
    em_.Status("", r.tag + ": digest: " + md.str() + " size: " + std::to_string(bytes.size()));
    em_.Aux({{"Tag", r.tag}, {"Digest", md.str()}, {"Size", bytes.size()}});
    (void)store_.AddReference(img.id, r.Name() + "@" + md.str());
    return Ok();
  }

 private:
  Result<PushedLayer> PushLayer(const std::string& repo, const Digest& diff_id) {
    const std::string id = diff_id.ShortId();
    const std::string domain = reg_.endpoint().domain;
    // Blobs known to carry this layer: in this repository, or mountable
    // from another repository of this registry.
    for (const BlobSource& s : meta_.For(diff_id)) {
      if (s.registry != domain) continue;
      if (s.repo == repo) {
        auto has = reg_.HeadBlob(repo, s.digest);
        if (has.ok() && *has) {
          em_.Status(id, "Layer already exists");
          return PushedLayer{s.digest, s.size};
        }
        continue;
      }
      reg_.AddScope(RepositoryScope(s.repo, {"pull"}));
      std::string location;
      auto mounted = reg_.MountBlob(repo, s.digest, s.repo, &location);
      if (mounted.ok() && *mounted) {
        em_.Status(id, "Mounted from " + s.repo);
        meta_.Add({diff_id, s.digest, s.size, s.media_type, domain, repo});
        return PushedLayer{s.digest, s.size};
      }
    }
    // A blob of this layer known elsewhere (another registry, or pushed
    // before with the same deterministic compression) may be here too.
    std::vector<Digest> tried;
    for (const BlobSource& s : meta_.For(diff_id)) {
      if (std::find(tried.begin(), tried.end(), s.digest) != tried.end()) continue;
      tried.push_back(s.digest);
      auto has = reg_.HeadBlob(repo, s.digest);
      if (has.ok() && *has) {
        em_.Status(id, "Layer already exists");
        meta_.Add({diff_id, s.digest, **has > 0 ? **has : s.size, s.media_type, domain, repo});
        return PushedLayer{s.digest, **has > 0 ? **has : s.size};
      }
    }
    // Compress, hash and upload in one pass, in chunks; an upload of this
    // layer that an earlier push left half done is resumed.
    std::string key = domain + "/" + repo + "@" + diff_id.str();
    std::string location = pending_.Take(key);
    CompressedLayer src(store_, diff_id);
    em_.Progress(id, "Pushing", 0, 0);
    Throttle throttle;
    auto up = UploadLayer(reg_, repo, src, &location, UploadOptions{}, [&](int64_t done, int64_t total) {
      if (throttle.Ready(done == total)) em_.Progress(id, "Pushing", done, total);
    });
    if (!up.ok()) {
      if (!location.empty()) pending_.Put(key, location);
      return std::move(up).error();
    }
    em_.Status(id, "Pushed");
    BlobSource src_meta{diff_id, up->digest, up->size, std::string(image::media::kDockerLayerGzip), domain, repo};
    meta_.Add(src_meta);
    return PushedLayer{up->digest, up->size};
  }

  Registry& reg_;
  Emitter& em_;
  image::ImageStore& store_;
  Metadata& meta_;
  PendingUploads& pending_;
  int concurrency_;
};

}  // namespace

Status Service::Push(const PushRequest& req, const MessageFn& out) {
  ref::Reference r = BERTH_TRY(ref::ParseNormalized(req.image));
  if (!r.digest.empty()) return Error::Invalid("cannot push a digest reference");
  std::vector<ref::Reference> targets;
  std::string tag = !req.tag.empty() ? req.tag : r.tag;
  if (!tag.empty()) {
    r.tag = tag;
    targets.push_back(r);
  } else {
    // Every tag of the repository (push -a).
    std::string prefix = r.FamiliarName() + ":";
    auto list = BERTH_TRY(opts_.store->List({}));
    for (const auto& s : list)
      for (const std::string& t : s.repo_tags)
        if (str::StartsWith(t, prefix)) {
          ref::Reference x = r;
          x.tag = t.substr(prefix.size());
          targets.push_back(x);
        }
    std::sort(targets.begin(), targets.end(), [](auto& a, auto& b) { return a.tag < b.tag; });
    if (targets.empty()) return Error::NotFound("An image does not exist locally with the tag: " + r.FamiliarName());
  }
  for (const auto& t : targets) {
    auto img = opts_.store->Resolve(t.Full());
    if (!img.ok() && img.error().code() == Code::kNotFound)
      return Error::NotFound("An image does not exist locally with the tag: " + t.FamiliarName());
    if (!img.ok()) return std::move(img).error();
  }
  Emitter em(out);
  em.Status("", "The push refers to repository [" + r.Name() + "]");
  Endpoint ep = ResolveEndpoint(r.domain, opts_.insecure_registries);
  Registry reg(ep, req.auth, {RepositoryScope(r.path, {"pull", "push"})});
  BERTH_TRY(reg.Ping());
  Pusher pusher(reg, em, *opts_.store, meta_, pending_, opts_.max_concurrent_uploads);
  for (const auto& t : targets) BERTH_TRY(pusher.PushOne(t));
  return Ok();
}

}  // namespace berth::distribution
