// FastGzip: the gzip encoder of pushed layers, chosen for speed on data
// that does not compress (most layer bytes: binaries, already-compressed
// files) without giving up compression where it pays.
//
// Input goes in as fixed slices of kSlice bytes (the last may be shorter).
// Each slice is deflated at level 1 ("probe") or stored (level 0, the
// bytes copied into stored blocks at memcpy+crc speed). A probed slice
// that shrinks by less than kMinSaving makes the next kStoredRun slices
// stored, then one is probed again. Both are valid deflate, so every gzip
// reader (docker, skopeo, pigz) reads the result.
//
// Deterministic: the output depends only on the input bytes and their
// slicing (fixed here), never on timing or buffer state, so the same layer
// always gives the same blob digest (push finds it on the registry by HEAD,
// and an interrupted upload can be regenerated and resumed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::distribution {

class FastGzip {
 public:
  static constexpr size_t kSlice = 1u << 20;
  static constexpr double kMinSaving = 0.05;
  static constexpr int kStoredRun = 8;

  FastGzip();
  ~FastGzip();
  FastGzip(const FastGzip&) = delete;
  FastGzip& operator=(const FastGzip&) = delete;

  // Compresses one slice (kSlice bytes, except the last), appending the
  // output to *out.
  Status Slice(std::string_view in, std::string* out);
  // Ends the stream (gzip trailer) into *out.
  Status Finish(std::string* out);

  int64_t stored_slices() const { return stored_; }
  int64_t probed_slices() const { return probed_; }

 private:
  Status Deflate(int flush, std::string* out, int* rc);
  Status SetLevel(int level, std::string* out);

  void* z_;
  std::vector<char> work_;
  int level_ = 1;
  int stored_run_ = 0;  // stored slices left before the next probe
  int64_t stored_ = 0, probed_ = 0;
};

}  // namespace berth::distribution
