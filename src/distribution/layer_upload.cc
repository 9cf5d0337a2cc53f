#include "distribution/layer_upload.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/log.h"

namespace berth::distribution {

Status CompressedLayer::Rewind() {
  tar_ = BERTH_TRY(store_.OpenLayerTar(diff_id_));
  struct stat st;
  tar_size_ = ::fstat(tar_.get(), &st) == 0 ? st.st_size : 0;
  gz_ = std::make_unique<FastGzip>();
  hash_ = std::make_unique<Sha256>();
  done_ = false;
  produced_ = consumed_ = 0;
  digest_ = Digest();
  return Ok();
}

Status CompressedLayer::Fill(std::string* out, size_t want) {
  size_t start = out->size();
  while (!done_ && out->size() - start < want) {
    // Always whole slices (the output depends on the slicing).
    size_t n = 0;
    while (n < slice_.size()) {
      ssize_t k = ::read(tar_.get(), slice_.data() + n, slice_.size() - n);
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) return Error::Sys("read layer " + diff_id_.str());
      if (k == 0) break;
      n += static_cast<size_t>(k);
    }
    size_t before = out->size();
    if (n > 0) BERTH_TRY(gz_->Slice(std::string_view(slice_.data(), n), out));
    if (n < slice_.size()) {
      BERTH_TRY(gz_->Finish(out));
      done_ = true;
    }
    consumed_ += static_cast<int64_t>(n);
    std::string_view added(out->data() + before, out->size() - before);
    hash_->Update(added);
    produced_ += static_cast<int64_t>(added.size());
  }
  if (done_ && digest_.empty()) digest_ = hash_->Final();
  return Ok();
}

namespace {

// Failures worth asking the registry where the upload stands.
bool Retryable(const Error& e) {
  return e.code() == Code::kUnavailable || e.code() == Code::kConflict;
}

}  // namespace

Result<UploadedBlob> UploadLayer(Registry& reg, const std::string& repo, CompressedLayer& src,
                                 std::string* location, const UploadOptions& opts,
                                 const std::function<void(int64_t, int64_t)>& progress) {
  int64_t offset = 0;  // bytes the registry holds
  if (!location->empty()) {
    auto st = reg.UploadStatus(*location);
    if (st.ok() && st->has_value()) offset = **st;
    else location->clear();
  }
  if (location->empty()) *location = BERTH_TRY(reg.StartUpload(repo));
  BERTH_TRY(src.Rewind());
  std::string chunk;
  int64_t chunk_start = 0;
  int failures = 0;
  int delay_ms = opts.first_delay_ms;
  for (;;) {
    // Bring the chunk in memory to the registry's offset (from the start
    // again when the registry lost bytes already dropped from memory).
    if (offset < chunk_start) {
      BERTH_TRY(src.Rewind());
      chunk.clear();
      chunk_start = 0;
    }
    while (chunk_start + static_cast<int64_t>(chunk.size()) <= offset && !src.done()) {
      chunk_start += static_cast<int64_t>(chunk.size());
      chunk.clear();
      BERTH_TRY(src.Fill(&chunk, opts.chunk));
    }
    int64_t chunk_end = chunk_start + static_cast<int64_t>(chunk.size());
    if (offset > chunk_end) {
      log::Warn("push {}: the upload holds {} bytes, more than the layer's {}; starting over", repo,
                offset, chunk_end);
      *location = BERTH_TRY(reg.StartUpload(repo));
      offset = 0;
      continue;
    }
    Error failed(Code::kInternal, "");
    if (offset < chunk_end) {
      auto data = std::string_view(chunk).substr(static_cast<size_t>(offset - chunk_start));
      auto next = reg.PatchChunk(*location, offset, data);
      if (next.ok()) {
        *location = *next;
        offset = chunk_end;
        failures = 0;
        delay_ms = opts.first_delay_ms;
        if (progress) progress(src.consumed(), src.tar_size());
        continue;
      }
      failed = std::move(next).error();
    } else {
      Status c = reg.CommitUpload(*location, src.digest());
      if (c.ok()) {
        location->clear();
        return UploadedBlob{src.digest(), src.produced()};
      }
      failed = std::move(c).error();
    }
    if (!Retryable(failed) || ++failures > opts.retries_without_progress) return failed;
    log::Warn("push {}: upload interrupted at {} bytes ({}); retrying in {} ms", repo, offset,
              failed.message(), delay_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    delay_ms = std::min(delay_ms * 2, 4000);
    // Where does the upload stand now?
    auto st = reg.UploadStatus(*location);
    if (!st.ok() && Retryable(st.error())) continue;  // still away: the next request waits longer
    if (st.ok() && st->has_value()) {
      offset = **st;
      continue;
    }
    // The upload is gone (or the registry cannot say where it stands:
    // docker-registry refuses a status whose _state lags behind a broken
    // chunk). After a commit whose answer was lost, the blob may be
    // complete; otherwise start over.
    if (src.done() && offset == chunk_end) {
      auto has = reg.HeadBlob(repo, src.digest());
      if (has.ok() && has->has_value()) {
        location->clear();
        return UploadedBlob{src.digest(), src.produced()};
      }
    }
    *location = BERTH_TRY(reg.StartUpload(repo));
    offset = 0;
  }
}

}  // namespace berth::distribution
