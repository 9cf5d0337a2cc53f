#include "distribution/fast_gzip.h"

#include <zlib.h>

namespace berth::distribution {
namespace {

constexpr size_t kWork = 256u << 10;

z_stream* Z(void* p) { return static_cast<z_stream*>(p); }

}  // namespace

FastGzip::FastGzip() : z_(new z_stream{}), work_(kWork) {
  // windowBits 16+15: a gzip wrapper without name and with mtime 0.
  if (deflateInit2(Z(z_), 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
}

FastGzip::~FastGzip() {
  deflateEnd(Z(z_));
  delete Z(z_);
}

Status FastGzip::Deflate(int flush, std::string* out, int* rc) {
  z_stream* zs = Z(z_);
  do {
    zs->next_out = reinterpret_cast<Bytef*>(work_.data());
    zs->avail_out = static_cast<uInt>(work_.size());
    *rc = deflate(zs, flush);
    if (*rc == Z_STREAM_ERROR) return Error::Internal("gzip: deflate failed");
    out->append(work_.data(), work_.size() - zs->avail_out);
  } while (zs->avail_out == 0 || (flush == Z_FINISH && *rc != Z_STREAM_END));
  return Ok();
}

Status FastGzip::SetLevel(int level, std::string* out) {
  if (level == level_) return Ok();
  z_stream* zs = Z(z_);
  // Everything given so far goes out in the current mode first, so the
  // switch itself has nothing left to flush.
  int rc = 0;
  BERTH_TRY(Deflate(Z_BLOCK, out, &rc));
  for (int i = 0; i < 16; ++i) {
    zs->next_out = reinterpret_cast<Bytef*>(work_.data());
    zs->avail_out = static_cast<uInt>(work_.size());
    rc = deflateParams(zs, level, Z_DEFAULT_STRATEGY);
    out->append(work_.data(), work_.size() - zs->avail_out);
    if (rc == Z_OK) {
      level_ = level;
      return Ok();
    }
    if (rc != Z_BUF_ERROR) break;
  }
  return Error::Internal("gzip: cannot change the compression level");
}

Status FastGzip::Slice(std::string_view in, std::string* out) {
  z_stream* zs = Z(z_);
  bool probe = stored_run_ == 0;
  BERTH_TRY(SetLevel(probe ? 1 : 0, out));
  size_t before = out->size();
  uLong out_before = zs->total_out;
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs->avail_in = static_cast<uInt>(in.size());
  int rc = 0;
  BERTH_TRY(Deflate(Z_NO_FLUSH, out, &rc));
  (void)before;
  if (probe) {
    ++probed_;
    // Measured on what deflate emitted for this slice (it holds back at
    // most a block, the same for every run over the same bytes).
    double produced = static_cast<double>(zs->total_out - out_before);
    if (in.size() == kSlice && produced > (1.0 - kMinSaving) * static_cast<double>(in.size()))
      stored_run_ = kStoredRun;
  } else {
    ++stored_;
    --stored_run_;
  }
  return Ok();
}

Status FastGzip::Finish(std::string* out) {
  Z(z_)->avail_in = 0;
  int rc = 0;
  return Deflate(Z_FINISH, out, &rc);
}

}  // namespace berth::distribution
