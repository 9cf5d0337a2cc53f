// FastGzip: the gzip encoder of pushed layers, chosen for speed on data
// that does not compress (most layer bytes: binaries, already-compressed
// files) without giving up compression where it pays.
//
// Input goes in as fixed slices of kSlice bytes (the last may be shorter).
// Each slice is deflated at level 1 or stored (level 0: the bytes copied
// into stored blocks at memcpy+CRC speed). After a deflated slice that
// shrank by at least kMinSaving, the next is deflated too; otherwise its
// first kSample bytes are test-compressed on the side (a few percent of
// the slice's cost) and the slice is deflated only if they shrank by
// kMinSaving. Both are valid deflate, so every gzip reader (docker,
// skopeo, pigz) reads the result.
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
  static constexpr size_t kSample = 32u << 10;
  static constexpr double kMinSaving = 0.05;

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
  int64_t deflated_slices() const { return deflated_; }

 private:
  Status Deflate(int flush, std::string* out, int* rc);
  Status SetLevel(int level, std::string* out);
  bool SampleShrinks(std::string_view in);

  void* z_;
  void* sample_z_;
  std::vector<char> work_, sample_out_;
  int level_ = 1;
  bool last_shrank_ = false;
  int64_t stored_ = 0, deflated_ = 0;
};

}  // namespace berth::distribution
