// The content store: immutable blobs (layers, image configs, manifests)
// named by the sha256 of their bytes.
//
//   <root>/
//   ├── blobs/
//   │   └── sha256/
//   │       └── <64 hex>     a committed blob, mode 0444; its name is its digest
//   └── ingest/
//       └── <random hex>     a write in progress (owned by one BlobWriter)
//
// Invariants: a file under blobs/ is complete and hashes to its name; it
// appears there only by an atomic rename from ingest/ after its digest (and
// size, if expected) was verified while streaming. It is fsynced before
// Commit returns, unless its writer deferred the sync (DeferSync): then the
// caller syncs the filesystem before anything durable refers to the blob,
// and a crash before that leaves an unreferenced blob, which the image
// store's start-up sweep removes. ingest/ holds
// nothing that any reader relies on: a crash leaves at most files there,
// which SweepIngest() removes at start-up. This class is the only code that
// builds these paths.
//
// Threads: all methods may be called concurrently; two writers of the same
// content both succeed and leave one blob. A BlobWriter must not outlive its
// ContentStore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::image {

class ContentStore;

// Streams one blob into ingest/, hashing as it goes. Destroyed without a
// successful Commit(), it removes its ingest file.
class BlobWriter {
 public:
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;
  ~BlobWriter();

  Status Write(std::span<const std::byte> data);
  Status Write(std::string_view data);
  // Verifies what was written against expected (when given) and
  // expected_size (when >= 0), fsyncs, and renames the file into blobs/
  // (a blob already there is fine). On a mismatch the ingest file is removed
  // and the error is kInvalidArgument: "digest mismatch: expected sha256:…,
  // got sha256:…" or "size mismatch: expected N bytes, got M". The writer
  // is finished afterwards either way.
  Result<Digest> Commit(const std::optional<Digest>& expected = std::nullopt,
                        int64_t expected_size = -1);
  // Bytes written so far.
  uint64_t size() const { return hash_.size(); }
  // Commit skips its fsyncs (file and directory): the caller promises a
  // syncfs of the store's filesystem (fs::SyncFs) before it records the
  // blob anywhere durable. Pulls write several layers at once and sync once.
  void DeferSync() { defer_sync_ = true; }

 private:
  friend class ContentStore;
  BlobWriter(ContentStore* store, std::string name, unique_fd fd)
      : store_(store), name_(std::move(name)), fd_(std::move(fd)) {}
  void Abort();

  ContentStore* store_;
  std::string name_;  // file name under ingest/
  unique_fd fd_;      // invalid once finished
  Sha256 hash_;
  bool defer_sync_ = false;
  uint64_t written_back_ = 0;  // bytes handed to fs::StartWriteback so far
};

class ContentStore {
 public:
  // Creates root, blobs/sha256 and ingest/ as needed.
  static Result<std::unique_ptr<ContentStore>> Open(const std::string& root);

  // A writer for a new blob (ingest/<random>).
  Result<std::unique_ptr<BlobWriter>> NewWriter();
  // Writes a whole small blob in one call (configs, manifests).
  Result<Digest> WriteBlob(std::string_view data,
                           const std::optional<Digest>& expected = std::nullopt);

  bool Has(const Digest& digest) const;
  Result<int64_t> Size(const Digest& digest) const;
  // Reads a small blob whole, checking that it still hashes to its name
  // (kInternal "... is corrupt" otherwise) and is at most max_size bytes.
  Result<std::string> ReadAll(const Digest& digest, size_t max_size = 64 << 20) const;
  // An O_RDONLY fd for streaming a blob (layers).
  Result<unique_fd> Open(const Digest& digest) const;
  // Removes a blob; kNotFound if it is not there.
  Status Delete(const Digest& digest);
  // Every committed blob, sorted.
  Result<std::vector<Digest>> List() const;
  // Removes ingest files that no live BlobWriter of this store owns: the
  // leftovers of a crash. Returns how many were removed.
  Result<int> SweepIngest();

  const std::string& root() const { return root_; }
  std::string BlobPath(const Digest& digest) const;

 private:
  friend class BlobWriter;
  explicit ContentStore(std::string root) : root_(std::move(root)) {}
  std::string BlobDir() const;
  std::string IngestPath(const std::string& name) const;
  void Release(const std::string& name);

  std::string root_;
  std::mutex mu_;
  std::set<std::string> active_;  // GUARDED_BY(mu_): ingest names of live writers
};

}  // namespace berth::image
