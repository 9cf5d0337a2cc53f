// Byte streams under the tar layer: (de)compression with sha256 hashing, done
// here rather than by libarchive, so that the uncompressed bytes pass through
// our hands exactly once and the diff ID costs no second pass.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/error.h"
#include "image/layer/layer.h"

namespace berth::layer {

// Decompresses a Reader (gzip, zstd or plain, detected from the first bytes),
// hashing the bytes read and the bytes produced (unless hash is false: then
// raw() and plain() stay empty, for callers that verify elsewhere).
// Truncated or corrupt streams and trailing garbage after the last gzip
// member are errors.
class Decompressor {
 public:
  explicit Decompressor(Reader& in, bool hash = true);
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // The next uncompressed bytes; empty at the end of the stream. The span is
  // valid until the next call.
  Result<std::span<const char>> Next();
  // Reads and hashes whatever is left (tar padding after the end blocks).
  Status Drain();

  Compression compression() const { return compression_; }
  Sha256& raw() { return raw_hash_; }
  Sha256& plain() { return plain_hash_; }

 private:
  Status Detect();
  Status Fill();  // more input, unless at end
  Result<std::span<const char>> NextGzip();
  Result<std::span<const char>> NextZstd();

  Reader& in_;
  bool hash_;
  Compression compression_ = Compression::kNone;
  bool detected_ = false;
  bool eof_ = false;
  bool done_ = false;
  std::vector<char> in_buf_;
  size_t in_pos_ = 0, in_len_ = 0;
  std::vector<char> out_buf_;
  void* z_ = nullptr;     // z_stream*
  void* zstd_ = nullptr;  // ZSTD_DCtx*
  size_t zstd_last_ = 0;  // last ZSTD_decompressStream result (0: frame ended)
  bool zstd_flush_ = false;
  bool gz_member_end_ = false;
  Sha256 raw_hash_, plain_hash_;
};

// Compresses into an fd, hashing the bytes given and the bytes written.
class Compressor {
 public:
  Compressor(int out_fd, Compression c, int level);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  Status Init();
  Status Write(const void* data, size_t n);
  Status Finish();

  Sha256& raw() { return raw_hash_; }
  Sha256& plain() { return plain_hash_; }

 private:
  Status Emit(const char* data, size_t n);  // buffered write to out_fd
  Status FlushOut();

  int fd_;
  Compression c_;
  int level_;
  std::vector<char> out_buf_;
  size_t out_len_ = 0;
  std::vector<char> work_;
  void* z_ = nullptr;
  void* zstd_ = nullptr;
  Sha256 raw_hash_, plain_hash_;
};

}  // namespace berth::layer
