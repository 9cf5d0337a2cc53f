#include "image/layer/stream.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

namespace berth::layer {
namespace {

constexpr size_t kInBufSize = 256 * 1024;
constexpr size_t kOutBufSize = 512 * 1024;
constexpr size_t kWriteBufSize = 1024 * 1024;

z_stream* Z(void* p) { return static_cast<z_stream*>(p); }
ZSTD_DCtx* Dctx(void* p) { return static_cast<ZSTD_DCtx*>(p); }
ZSTD_CCtx* Cctx(void* p) { return static_cast<ZSTD_CCtx*>(p); }

bool StartsWith(const char* buf, size_t len, const unsigned char* magic, size_t n) {
  return len >= n && std::memcmp(buf, magic, n) == 0;
}

}  // namespace

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
  }
  return "unknown";
}

Result<size_t> FdReader::Read(void* buf, size_t n) {
  for (;;) {
    ssize_t r = ::read(fd_, buf, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno != EINTR) return Error::Sys("read layer stream");
  }
}

// ---- Decompressor ---------------------------------------------------------

Decompressor::Decompressor(Reader& in, bool hash)
    : in_(in), hash_(hash), in_buf_(kInBufSize), out_buf_(kOutBufSize) {}

Decompressor::~Decompressor() {
  if (z_) {
    inflateEnd(Z(z_));
    delete Z(z_);
  }
  if (zstd_) ZSTD_freeDCtx(Dctx(zstd_));
}

Status Decompressor::Fill() {
  in_pos_ = 0;
  in_len_ = BERTH_TRY(in_.Read(in_buf_.data(), in_buf_.size()));
  if (in_len_ == 0) eof_ = true;
  if (hash_) raw_hash_.Update(std::string_view(in_buf_.data(), in_len_));
  return Ok();
}

Status Decompressor::Detect() {
  detected_ = true;
  in_pos_ = in_len_ = 0;
  while (in_len_ < 6) {
    size_t n = BERTH_TRY(in_.Read(in_buf_.data() + in_len_, in_buf_.size() - in_len_));
    if (n == 0) {
      eof_ = true;
      break;
    }
    if (hash_) raw_hash_.Update(std::string_view(in_buf_.data() + in_len_, n));
    in_len_ += n;
  }
  static const unsigned char kGzip[] = {0x1f, 0x8b};
  static const unsigned char kZstd[] = {0x28, 0xb5, 0x2f, 0xfd};
  static const unsigned char kXz[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
  static const unsigned char kBzip2[] = {'B', 'Z', 'h'};
  const char* b = in_buf_.data();
  if (StartsWith(b, in_len_, kGzip, sizeof kGzip)) {
    compression_ = Compression::kGzip;
    auto* zs = new z_stream{};
    if (inflateInit2(zs, 16 + MAX_WBITS) != Z_OK) {
      delete zs;
      return Error::Internal("gzip: inflateInit2 failed");
    }
    z_ = zs;
    zs->next_in = reinterpret_cast<Bytef*>(in_buf_.data());
    zs->avail_in = static_cast<uInt>(in_len_);
  } else if (StartsWith(b, in_len_, kZstd, sizeof kZstd)) {
    compression_ = Compression::kZstd;
    zstd_ = ZSTD_createDCtx();
    if (!zstd_) return Error::Internal("zstd: cannot create a decompression context");
    zstd_last_ = 1;  // no frame finished yet
  } else if (StartsWith(b, in_len_, kXz, sizeof kXz) ||
             StartsWith(b, in_len_, kBzip2, sizeof kBzip2)) {
    return Error(Code::kNotImplemented,
                 "unsupported layer compression (xz or bzip2); expected gzip, zstd or plain tar");
  }
  return Ok();
}

Result<std::span<const char>> Decompressor::NextGzip() {
  z_stream* zs = Z(z_);
  for (;;) {
    if (gz_member_end_) {
      // Another gzip member may follow (concatenated gzip); anything else is
      // garbage, as Go's gzip reader (Docker's) says too.
      if (zs->avail_in == 0) {
        if (eof_) {
          done_ = true;
          return std::span<const char>();
        }
        BERTH_TRY(Fill());
        zs->next_in = reinterpret_cast<Bytef*>(in_buf_.data());
        zs->avail_in = static_cast<uInt>(in_len_);
        continue;
      }
      if (zs->next_in[0] != 0x1f)
        return Error::Invalid("gzip: trailing garbage after the end of the compressed stream");
      if (inflateReset(zs) != Z_OK) return Error::Internal("gzip: inflateReset failed");
      gz_member_end_ = false;
    }
    if (zs->avail_in == 0 && !eof_) {
      BERTH_TRY(Fill());
      zs->next_in = reinterpret_cast<Bytef*>(in_buf_.data());
      zs->avail_in = static_cast<uInt>(in_len_);
    }
    zs->next_out = reinterpret_cast<Bytef*>(out_buf_.data());
    zs->avail_out = static_cast<uInt>(out_buf_.size());
    int r = inflate(zs, Z_NO_FLUSH);
    size_t produced = out_buf_.size() - zs->avail_out;
    if (r == Z_STREAM_END) {
      gz_member_end_ = true;
    } else if (r == Z_NEED_DICT || r == Z_DATA_ERROR || r == Z_MEM_ERROR || r == Z_STREAM_ERROR) {
      return Error::Invalid(std::string("gzip: corrupt compressed data: ") +
                            (zs->msg ? zs->msg : "inflate error"));
    }
    if (produced > 0) {
      if (hash_) plain_hash_.Update(std::string_view(out_buf_.data(), produced));
      return std::span<const char>(out_buf_.data(), produced);
    }
    if (!gz_member_end_ && zs->avail_in == 0 && eof_)
      return Error::Invalid("gzip: unexpected end of stream (truncated layer)");
  }
}

Result<std::span<const char>> Decompressor::NextZstd() {
  for (;;) {
    if (in_pos_ == in_len_ && !zstd_flush_) {
      if (!eof_) {
        BERTH_TRY(Fill());
        continue;
      }
      if (zstd_last_ != 0) return Error::Invalid("zstd: unexpected end of stream (truncated layer)");
      done_ = true;
      return std::span<const char>();
    }
    ZSTD_inBuffer ib{in_buf_.data(), in_len_, in_pos_};
    ZSTD_outBuffer ob{out_buf_.data(), out_buf_.size(), 0};
    size_t r = ZSTD_decompressStream(Dctx(zstd_), &ob, &ib);
    if (ZSTD_isError(r))
      return Error::Invalid(std::string("zstd: corrupt compressed data: ") + ZSTD_getErrorName(r));
    in_pos_ = ib.pos;
    zstd_last_ = r;
    zstd_flush_ = ob.pos == ob.size;
    if (ob.pos > 0) {
      if (hash_) plain_hash_.Update(std::string_view(out_buf_.data(), ob.pos));
      return std::span<const char>(out_buf_.data(), ob.pos);
    }
  }
}

Result<std::span<const char>> Decompressor::Next() {
  if (!detected_) BERTH_TRY(Detect());
  if (done_) return std::span<const char>();
  switch (compression_) {
    case Compression::kGzip: return NextGzip();
    case Compression::kZstd: return NextZstd();
    case Compression::kNone: break;
  }
  for (;;) {
    if (in_pos_ < in_len_) {
      std::span<const char> out(in_buf_.data() + in_pos_, in_len_ - in_pos_);
      in_pos_ = in_len_;
      if (hash_) plain_hash_.Update(std::string_view(out.data(), out.size()));
      return out;
    }
    if (eof_) {
      done_ = true;
      return std::span<const char>();
    }
    BERTH_TRY(Fill());
  }
}

Status Decompressor::Drain() {
  for (;;) {
    std::span<const char> chunk = BERTH_TRY(Next());
    if (chunk.empty()) return Ok();
  }
}

// ---- Compressor -----------------------------------------------------------

Compressor::Compressor(int out_fd, Compression c, int level)
    : fd_(out_fd), c_(c), level_(level), out_buf_(kWriteBufSize) {}

Compressor::~Compressor() {
  if (z_) {
    deflateEnd(Z(z_));
    delete Z(z_);
  }
  if (zstd_) ZSTD_freeCCtx(Cctx(zstd_));
}

Status Compressor::Init() {
  if (c_ == Compression::kGzip) {
    auto* zs = new z_stream{};
    // windowBits 16+15: a gzip wrapper whose header has no name and mtime 0.
    if (deflateInit2(zs, level_ < 0 ? Z_DEFAULT_COMPRESSION : level_, Z_DEFLATED, 16 + MAX_WBITS,
                     8, Z_DEFAULT_STRATEGY) != Z_OK) {
      delete zs;
      return Error::Invalid("gzip: bad compression level " + std::to_string(level_));
    }
    z_ = zs;
    work_.resize(kOutBufSize);
  } else if (c_ == Compression::kZstd) {
    zstd_ = ZSTD_createCCtx();
    if (!zstd_) return Error::Internal("zstd: cannot create a compression context");
    size_t r = ZSTD_CCtx_setParameter(Cctx(zstd_), ZSTD_c_compressionLevel,
                                      level_ < 0 ? ZSTD_CLEVEL_DEFAULT : level_);
    if (ZSTD_isError(r)) return Error::Invalid(std::string("zstd: ") + ZSTD_getErrorName(r));
    work_.resize(kOutBufSize);
  }
  return Ok();
}

Status Compressor::FlushOut() {
  size_t off = 0;
  while (off < out_len_) {
    ssize_t n = ::write(fd_, out_buf_.data() + off, out_len_ - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("write layer stream");
    }
    off += static_cast<size_t>(n);
  }
  out_len_ = 0;
  return Ok();
}

Status Compressor::Emit(const char* data, size_t n) {
  raw_hash_.Update(std::string_view(data, n));
  while (n > 0) {
    size_t take = std::min(n, out_buf_.size() - out_len_);
    std::memcpy(out_buf_.data() + out_len_, data, take);
    out_len_ += take;
    data += take;
    n -= take;
    if (out_len_ == out_buf_.size()) BERTH_TRY(FlushOut());
  }
  return Ok();
}

Status Compressor::Write(const void* data, size_t n) {
  plain_hash_.Update(std::string_view(static_cast<const char*>(data), n));
  const char* p = static_cast<const char*>(data);
  switch (c_) {
    case Compression::kNone:
      return Emit(p, n);
    case Compression::kGzip: {
      z_stream* zs = Z(z_);
      zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(p));
      zs->avail_in = static_cast<uInt>(n);
      while (zs->avail_in > 0) {
        zs->next_out = reinterpret_cast<Bytef*>(work_.data());
        zs->avail_out = static_cast<uInt>(work_.size());
        if (deflate(zs, Z_NO_FLUSH) == Z_STREAM_ERROR) return Error::Internal("gzip: deflate failed");
        BERTH_TRY(Emit(work_.data(), work_.size() - zs->avail_out));
      }
      return Ok();
    }
    case Compression::kZstd: {
      ZSTD_inBuffer ib{p, n, 0};
      while (ib.pos < ib.size) {
        ZSTD_outBuffer ob{work_.data(), work_.size(), 0};
        size_t r = ZSTD_compressStream2(Cctx(zstd_), &ob, &ib, ZSTD_e_continue);
        if (ZSTD_isError(r)) return Error::Internal(std::string("zstd: ") + ZSTD_getErrorName(r));
        BERTH_TRY(Emit(work_.data(), ob.pos));
      }
      return Ok();
    }
  }
  return Ok();
}

Status Compressor::Finish() {
  if (c_ == Compression::kGzip) {
    z_stream* zs = Z(z_);
    zs->avail_in = 0;
    for (;;) {
      zs->next_out = reinterpret_cast<Bytef*>(work_.data());
      zs->avail_out = static_cast<uInt>(work_.size());
      int r = deflate(zs, Z_FINISH);
      if (r == Z_STREAM_ERROR) return Error::Internal("gzip: deflate failed");
      BERTH_TRY(Emit(work_.data(), work_.size() - zs->avail_out));
      if (r == Z_STREAM_END) break;
    }
  } else if (c_ == Compression::kZstd) {
    ZSTD_inBuffer ib{nullptr, 0, 0};
    for (;;) {
      ZSTD_outBuffer ob{work_.data(), work_.size(), 0};
      size_t r = ZSTD_compressStream2(Cctx(zstd_), &ob, &ib, ZSTD_e_end);
      if (ZSTD_isError(r)) return Error::Internal(std::string("zstd: ") + ZSTD_getErrorName(r));
      BERTH_TRY(Emit(work_.data(), ob.pos));
      if (r == 0) break;
    }
  }
  return FlushOut();
}

}  // namespace berth::layer
