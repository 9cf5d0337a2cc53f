// Service::Pull: see service.h.
#include <chrono>
#include <thread>

#include "base/log.h"
#include "base/parallel.h"
#include "base/reference.h"
#include "distribution/pipe.h"
#include "distribution/registry.h"
#include "distribution/service.h"
#include "image/image_config.h"
#include "image/manifest.h"

namespace berth::distribution {
namespace {

using nlohmann::json;

// A broken blob download is resumed (Range: bytes=N-) up to this many
// times in a row without a byte of progress, waiting kRetryBase, then
// twice as long each time (at most kRetryMax): about 12 s in all, enough
// for a registry restart.
constexpr int kRetriesWithoutProgress = 6;
constexpr std::chrono::milliseconds kRetryBase{250}, kRetryMax{4000};

struct LayerJob {
  size_t index = 0;
  image::Descriptor desc;
  Digest diff_id, chain_id, parent;
  std::string id;  // short digest, the progress ID
};

class Puller {
 public:
  Puller(Registry& reg, Emitter& em, image::ImageStore& store, Metadata& meta, int concurrency)
      : reg_(reg), em_(em), store_(store), meta_(meta), concurrency_(std::max(1, concurrency)) {}

  // Pulls one tag or digest of r. *updated: whether the image is new.
  Status PullOne(const ref::Reference& r, bool* updated) {
    std::string repo = r.path;
    std::string reference = r.digest.empty() ? r.tag : r.digest.str();
    ManifestDoc top = BERTH_TRY(WrapNotFound(reg_.GetManifest(repo, reference), r));
    em_.Status(reference, "Pulling from " + repo, false);
    ManifestDoc doc = top;
    image::ManifestKind kind = image::DetectKind(doc.bytes, doc.media_type);
    if (kind == image::ManifestKind::kIndex) {
      image::Index index = BERTH_TRY(image::ParseIndex(doc.bytes));
      image::Descriptor pick = BERTH_TRY(image::PickPlatform(index, "linux", "amd64"));
      doc = BERTH_TRY(reg_.GetManifest(repo, pick.digest.str()));
      kind = image::DetectKind(doc.bytes, doc.media_type);
    }
    if (kind == image::ManifestKind::kSchema1)
      return Error::Invalid("[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest "
                            "version 2, schema 1 support is disabled by default: pull of " +
                            r.Familiar() + " refused");
    if (kind != image::ManifestKind::kManifest)
      return Error::Invalid("unsupported manifest media type " + doc.media_type);
    image::Manifest m = BERTH_TRY(image::ParseManifest(doc.bytes));
    std::string config = BERTH_TRY(FetchSmallBlob(repo, m.config.digest));
    image::ImageConfig cfg = BERTH_TRY(image::ParseImageConfig(config));
    if (cfg.diff_ids.size() != m.layers.size())
      return Error::Invalid("invalid manifest: layers length mismatch: " +
                            std::to_string(m.layers.size()) + " layers, " +
                            std::to_string(cfg.diff_ids.size()) + " diff IDs");
    Digest image_id = image::ImageId(config);
    auto existing = store_.Resolve(r.digest.empty() ? r.Full() : r.Name() + "@" + r.digest.str());
    *updated = !(existing.ok() && existing->id == image_id);

    auto ingest = BERTH_TRY(store_.BeginIngest());
    std::vector<Digest> chains = image::ChainIds(cfg.diff_ids);
    std::vector<LayerJob> jobs;
    for (size_t i = 0; i < m.layers.size(); ++i) {
      LayerJob j{i, m.layers[i], cfg.diff_ids[i], chains[i], i > 0 ? chains[i - 1] : Digest(),
                 m.layers[i].digest.ShortId()};
      if (BERTH_TRY(ingest->HasLayer(j.chain_id))) {
        em_.Status(j.id, "Already exists");
        continue;
      }
      jobs.push_back(j);
    }
    for (const LayerJob& j : jobs) em_.Status(j.id, "Pulling fs layer");
    for (size_t i = static_cast<size_t>(concurrency_); i < jobs.size(); ++i)
      em_.Status(jobs[i].id, "Waiting");
    BERTH_TRY(RunJobs(repo, jobs, *ingest));

    std::vector<std::string> refs;
    if (r.digest.empty()) refs.push_back(r.Full());
    refs.push_back(r.Name() + "@" + top.digest.str());
    BERTH_TRY(ingest->Commit(config, refs));
    for (const LayerJob& j : jobs)
      meta_.Add({j.diff_id, j.desc.digest, j.desc.size, j.desc.media_type, reg_.endpoint().domain, repo});
    em_.Status("", "Digest: " + top.digest.str());
    return Ok();
  }

 private:
  Result<ManifestDoc> WrapNotFound(Result<ManifestDoc> d, const ref::Reference& r) {
    if (d.ok()) return d;
    const Error& e = d.error();
    std::string name = r.digest.empty() ? r.WithDefaultTag().Familiar() : r.Familiar();
    if (e.code() == Code::kNotFound && e.message().find("manifest unknown") != std::string::npos)
      return Error(Code::kNotFound, "manifest for " + name + " not found: " + e.message());
    if (e.code() == Code::kUnauthorized || e.code() == Code::kPermissionDenied ||
        (e.code() == Code::kNotFound && e.message().find("name unknown") != std::string::npos))
      return Error(e.code() == Code::kNotFound ? Code::kNotFound : Code::kPermissionDenied,
                   "pull access denied for " + r.FamiliarName() +
                       ", repository does not exist or may require 'docker login': " + e.message());
    return d;
  }

  Result<std::string> FetchSmallBlob(const std::string& repo, const Digest& d) {
    std::string out;
    BERTH_TRY(reg_.FetchBlob(repo, d, 0, [&](std::string_view data) -> Status {
      if (out.size() + data.size() > (64u << 20)) return Error::Invalid("config blob too large");
      out.append(data);
      return Ok();
    }));
    if (Sha256Of(out) != d) return Error::Invalid("digest mismatch for config blob " + d.str());
    return out;
  }

  Status RunJobs(const std::string& repo, const std::vector<LayerJob>& jobs,
                 image::ImageStore::Ingest& ingest) {
    return ParallelFor(jobs.size(), concurrency_, [&](size_t i) { return PullLayer(repo, jobs[i], ingest); });
  }

  // Downloads one layer into the pipe while another thread unpacks it.
  Status PullLayer(const std::string& repo, const LayerJob& j, image::ImageStore::Ingest& ingest) {
    BytePipe pipe;
    Status unpacked;
    std::thread unpack([&] {
      unpacked = ingest.AddLayer(j.chain_id, j.parent, j.diff_id, pipe);
      if (!unpacked.ok()) pipe.Abandon();
    });
    Status got = Download(repo, j, pipe);
    pipe.Close(got.ok() ? Ok() : Status(Error(got.error())));
    if (got.ok()) em_.Progress(j.id, "Extracting", j.desc.size, j.desc.size);
    unpack.join();
    if (!got.ok()) return got;
    if (!unpacked.ok()) return std::move(unpacked).error().Context("failed to register layer");
    em_.Status(j.id, "Pull complete");
    return Ok();
  }

  Status Download(const std::string& repo, const LayerJob& j, BytePipe& pipe) {
    Sha256 hash;
    int64_t offset = 0;
    Throttle throttle;
    Status last;
    int failures = 0;
    auto delay = kRetryBase;
    for (;;) {
      int64_t before = offset;
      last = reg_.FetchBlob(repo, j.desc.digest, offset, [&](std::string_view data) -> Status {
        if (j.desc.size > 0 && offset + static_cast<int64_t>(data.size()) > j.desc.size)
          return Error::Invalid("blob " + j.desc.digest.str() + " is larger than its descriptor says");
        hash.Update(data);
        BERTH_TRY(pipe.Write(data));
        offset += static_cast<int64_t>(data.size());
        if (throttle.Ready()) em_.Progress(j.id, "Downloading", offset, j.desc.size);
        return Ok();
      });
      // Only a broken transfer (or a registry briefly away) is worth another
      // try; the bytes received so far stay hashed and unpacked.
      if (last.ok() || last.error().code() != Code::kUnavailable) break;
      if (offset > before) {
        failures = 0;
        delay = kRetryBase;
      }
      if (++failures > kRetriesWithoutProgress) break;
      log::Warn("pull {}: download of {} interrupted at {} bytes ({}); resuming in {} ms", repo,
                j.desc.digest.str(), offset, last.error().message(), delay.count());
      em_.Status(j.id, "Retrying in " + std::to_string((delay.count() + 999) / 1000) + " second" +
                           (delay.count() > 1000 ? "s" : ""));
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, kRetryMax);
    }
    if (!last.ok()) return last;
    em_.Progress(j.id, "Downloading", offset, j.desc.size);
    em_.Status(j.id, "Verifying Checksum");
    Digest got = hash.Final();
    if (got != j.desc.digest)
      return Error::Invalid("filesystem layer verification failed for digest " + j.desc.digest.str());
    if (j.desc.size > 0 && offset != j.desc.size)
      return Error::Invalid("blob " + j.desc.digest.str() + ": size mismatch");
    em_.Status(j.id, "Download complete");
    return Ok();
  }

  Registry& reg_;
  Emitter& em_;
  image::ImageStore& store_;
  Metadata& meta_;
  int concurrency_;
};

}  // namespace

Status Service::Pull(const PullRequest& req, const MessageFn& out) {
  std::string name = req.image;
  ref::Reference r = BERTH_TRY(ref::ParseNormalized(name));
  if (!r.tag.empty() || !r.digest.empty()) {
    if (!req.tag.empty()) return Error::Invalid("invalid reference format");
  } else if (!req.tag.empty()) {
    if (req.tag.rfind("sha256:", 0) == 0) r.digest = BERTH_TRY(Digest::Parse(req.tag));
    else if (ref::ValidTag(req.tag)) r.tag = req.tag;
    else return Error::Invalid("invalid reference format");
  }
  Emitter em(out);
  Endpoint ep = ResolveEndpoint(r.domain, opts_.insecure_registries);
  Registry reg(ep, req.auth, {RepositoryScope(r.path, {"pull"})});
  BERTH_TRY(reg.Ping());
  Puller puller(reg, em, *opts_.store, meta_, opts_.max_concurrent_downloads);
  std::vector<ref::Reference> targets;
  if (req.all_tags && r.NameOnly()) {
    for (const std::string& t : BERTH_TRY(reg.Tags(r.path))) {
      ref::Reference x = r;
      x.tag = t;
      targets.push_back(x);
    }
  } else {
    targets.push_back(r.WithDefaultTag());
  }
  bool any_updated = false;
  for (const ref::Reference& t : targets) {
    bool updated = false;
    BERTH_TRY(puller.PullOne(t, &updated));
    any_updated = any_updated || updated;
    if (!req.all_tags) {
      em.Status("", std::string(updated ? "Status: Downloaded newer image for "
                                        : "Status: Image is up to date for ") +
                        t.Familiar());
    }
  }
  if (req.all_tags)
    em.Status("", std::string(any_updated ? "Status: Downloaded newer image for "
                                          : "Status: Image is up to date for ") +
                      r.FamiliarName());
  return Ok();
}

}  // namespace berth::distribution
