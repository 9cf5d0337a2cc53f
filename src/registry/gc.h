// Garbage collection of blobs: mark and sweep over the storage.
//
// Mark: every manifest revision of every repository (tagged or not) is
// live, and so is every blob a live manifest names (config, layers) and
// every manifest a live index names. Sweep: a blob that is not live and
// whose mtime is older than the grace period is removed, with the _layers
// links that point at it.
//
// Safe while the server runs: a blob becomes referenced only by a manifest
// PUT, which needs the blob linked into the repository first. Linking
// (upload, mount), a HEAD of the blob (how clients decide to skip an
// upload) and the manifest PUT itself refresh the blob's mtime, and a blob
// younger than the grace period is never swept. So a push whose manifest
// arrives within the grace period (default 1 h) of its last blob upload or
// HEAD is safe, and a manifest stored while gc runs keeps its blobs (they
// are young when the sweep looks at them). What remains is the instant
// between the sweep's stat and its unlink.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "registry/storage.h"

namespace berth::registry {

struct GcOptions {
  bool dry_run = false;
  std::chrono::seconds grace{3600};
};

struct GcReport {
  size_t blobs = 0;   // blobs seen
  size_t marked = 0;  // live
  size_t removed = 0;
  uint64_t bytes_removed = 0;
  size_t kept_young = 0;  // unreferenced but inside the grace period
};

// on_remove is called for every blob removed (or that would be, dry_run).
Result<GcReport> CollectGarbage(Storage& storage, const GcOptions& options,
                                const std::function<void(const Digest&, uint64_t)>& on_remove = {});

}  // namespace berth::registry
