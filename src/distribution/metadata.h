// What berthd remembers of where layers came from or went (Docker's
// "v2 metadata"): for a layer's diff ID, the compressed blobs that carry
// it in registries (digest, size, media type, registry, repository). Push
// uses it to skip blobs a registry has and to mount them across
// repositories without compressing the layer again.
//
// Stored as one JSON file (<image root>/distribution.json), rewritten
// atomically on change; a lost file only costs re-uploads.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/error.h"

namespace berth::distribution {

struct BlobSource {
  Digest diff_id;
  Digest digest;  // the compressed blob
  int64_t size = 0;
  std::string media_type;
  std::string registry;  // domain: "localhost:5000"
  std::string repo;      // "alice/app"
  friend bool operator==(const BlobSource&, const BlobSource&) = default;
};

class Metadata {
 public:
  // Loads path when it exists (a corrupt file is ignored with a warning).
  explicit Metadata(std::string path);
  std::vector<BlobSource> For(const Digest& diff_id);
  void Add(const BlobSource& s);

 private:
  void SaveLocked();
  std::string path_;
  std::mutex mu_;
  std::vector<BlobSource> entries_;  // GUARDED_BY(mu_)
};

}  // namespace berth::distribution
