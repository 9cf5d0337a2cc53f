#include "distribution/fast_gzip.h"

#include <zlib.h>

namespace berth::distribution {
namespace {

constexpr size_t kWork = 256u << 10;

z_stream* Z(void* p) { return static_cast<z_stream*>(p); }

}  // namespace

FastGzip::FastGzip()
    : z_(new z_stream{}), sample_z_(new z_stream{}), work_(kWork), sample_out_(kSample + 1024) {
  // windowBits 16+15: a gzip wrapper without name and with mtime 0.
  if (deflateInit2(Z(z_), 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  // The side stream: raw deflate, level 1.
  if (deflateInit2(Z(sample_z_), 1, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
}

FastGzip::~FastGzip() {
  deflateEnd(Z(z_));
  delete Z(z_);
  deflateEnd(Z(sample_z_));
  delete Z(sample_z_);
}

bool FastGzip::SampleShrinks(std::string_view in) {
  z_stream* zs = Z(sample_z_);
  deflateReset(zs);
  std::string_view sample = in.substr(0, kSample);
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(sample.data()));
  zs->avail_in = static_cast<uInt>(sample.size());
  zs->next_out = reinterpret_cast<Bytef*>(sample_out_.data());
  zs->avail_out = static_cast<uInt>(sample_out_.size());
  int rc = deflate(zs, Z_FINISH);
  if (rc != Z_STREAM_END) return false;  // did not even fit: no saving
  return static_cast<double>(zs->total_out) < (1.0 - kMinSaving) * static_cast<double>(sample.size());
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
  bool deflate_it = last_shrank_ || SampleShrinks(in);
  BERTH_TRY(SetLevel(deflate_it ? 1 : 0, out));
  uLong out_before = zs->total_out;
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs->avail_in = static_cast<uInt>(in.size());
  int rc = 0;
  BERTH_TRY(Deflate(Z_NO_FLUSH, out, &rc));
  if (deflate_it) {
    ++deflated_;
    // Measured on what deflate emitted for this slice (it holds back at
    // most a block, the same on every run over the same bytes).
    double produced = static_cast<double>(zs->total_out - out_before);
    last_shrank_ = produced < (1.0 - kMinSaving) * static_cast<double>(in.size());
  } else {
    ++stored_;
    last_shrank_ = false;
  }
  return Ok();
}

Status FastGzip::Finish(std::string* out) {
  Z(z_)->avail_in = 0;
  int rc = 0;
  return Deflate(Z_FINISH, out, &rc);
}

}  // namespace berth::distribution
