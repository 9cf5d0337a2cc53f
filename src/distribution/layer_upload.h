// Uploading a stored layer as a gzip blob, in chunks, resumably.
//
// CompressedLayer produces the blob: the layer's tar from the image store
// through FastGzip, hashed as it goes; deterministic, so it can be rewound
// and produced again to resume an upload from any byte. UploadLayer sends
// it as PATCH chunks of kChunk bytes with Content-Range, then PUT
// ?digest=. Nothing is written to disk: compression, hashing and upload
// are one pass. When a request fails (connection broken, registry
// restarted, 5xx, 416) it asks the registry where the upload stands (GET
// on the upload: Range) and goes on from there, with back-off; an upload
// the registry no longer knows is started over. Until the final PUT, the
// registry shows nothing of the blob.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/error.h"
#include "base/unique_fd.h"
#include "distribution/fast_gzip.h"
#include "distribution/registry.h"
#include "image/image_store.h"

namespace berth::distribution {

class CompressedLayer {
 public:
  CompressedLayer(image::ImageStore& store, Digest diff_id)
      : store_(store), diff_id_(std::move(diff_id)), slice_(FastGzip::kSlice) {}

  // (Re)starts from the first byte.
  Status Rewind();
  // Appends the next compressed bytes to *out until it has grown by at
  // least want bytes or the blob is complete.
  Status Fill(std::string* out, size_t want);
  bool done() const { return done_; }
  int64_t produced() const { return produced_; }  // blob bytes so far
  int64_t consumed() const { return consumed_; }  // tar bytes so far
  int64_t tar_size() const { return tar_size_; }
  const Digest& digest() const { return digest_; }  // once done

 private:
  image::ImageStore& store_;
  Digest diff_id_;
  unique_fd tar_;
  std::unique_ptr<FastGzip> gz_;
  std::unique_ptr<Sha256> hash_;
  std::vector<char> slice_;
  bool done_ = false;
  int64_t produced_ = 0, consumed_ = 0, tar_size_ = 0;
  Digest digest_;
};

struct UploadedBlob {
  Digest digest;
  int64_t size = 0;
};

struct UploadOptions {
  size_t chunk = 32u << 20;
  int retries_without_progress = 6;  // then the error is returned
  int first_delay_ms = 250;          // doubled after each failure, at most 4 s
};

// Uploads src to repo. *location: an earlier upload of the same layer to
// resume (it is asked for its status first; "" or a gone one starts a new
// upload); on failure, the upload to resume next time ("" once done).
// progress(tar bytes done, tar size) after each chunk.
Result<UploadedBlob> UploadLayer(Registry& reg, const std::string& repo, CompressedLayer& src,
                                 std::string* location, const UploadOptions& opts,
                                 const std::function<void(int64_t, int64_t)>& progress);

}  // namespace berth::distribution
