#include "registry/gc.h"

#include <sys/stat.h>

#include <set>

#include "base/fs.h"
#include "base/log.h"
#include "image/manifest.h"

namespace berth::registry {
namespace {

void MarkManifest(const Storage& storage, const Digest& d, std::set<Digest>* live) {
  if (!live->insert(d).second) return;
  auto content = fs::ReadFile(storage.BlobPath(d));
  if (!content.ok()) return;
  switch (image::DetectKind(*content)) {
    case image::ManifestKind::kManifest:
      if (auto m = image::ParseManifest(*content); m.ok()) {
        live->insert(m->config.digest);
        for (const auto& l : m->layers) live->insert(l.digest);
      }
      break;
    case image::ManifestKind::kIndex:
      if (auto ix = image::ParseIndex(*content); ix.ok())
        for (const auto& e : ix->manifests) MarkManifest(storage, e.digest, live);
      break;
    default:
      break;
  }
}

}  // namespace

Result<GcReport> CollectGarbage(Storage& storage, const GcOptions& options,
                                const std::function<void(const Digest&, uint64_t)>& on_remove) {
  GcReport report;
  std::set<Digest> live;
  std::vector<std::string> repos = BERTH_TRY(storage.Repositories());
  for (const std::string& repo : repos)
    for (const Digest& d : BERTH_TRY(storage.Revisions(repo))) MarkManifest(storage, d, &live);

  auto now = std::chrono::system_clock::now();
  std::vector<Digest> blobs = BERTH_TRY(storage.AllBlobs());
  report.blobs = blobs.size();
  std::set<Digest> removed;
  for (const Digest& d : blobs) {
    if (live.count(d)) {
      ++report.marked;
      continue;
    }
    struct stat st;
    if (stat(storage.BlobPath(d).c_str(), &st) != 0) continue;
    auto mtime = std::chrono::system_clock::time_point(std::chrono::seconds(st.st_mtim.tv_sec));
    if (now - mtime < options.grace) {
      ++report.kept_young;
      continue;
    }
    if (on_remove) on_remove(d, static_cast<uint64_t>(st.st_size));
    ++report.removed;
    report.bytes_removed += static_cast<uint64_t>(st.st_size);
    if (!options.dry_run) {
      BERTH_TRY(storage.RemoveBlob(d));
      removed.insert(d);
    }
  }
  for (const std::string& repo : repos) {
    auto layers = storage.Layers(repo);
    if (!layers.ok()) continue;
    for (const Digest& d : *layers)
      if (removed.count(d)) (void)storage.UnlinkLayer(repo, d);
  }
  return report;
}

}  // namespace berth::registry
