// A small self-contained SHA-256 (FIPS 180-4), for hashing a little data in
// processes that should not load libcrypto (berth-monitor and the runtime:
// the seccomp cache key). Portable C++, a few hundred MB/s: big content
// (blobs, layers) goes through Digest's Sha256 (OpenSSL, berth_digest).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace berth {

class Sha256Lite {
 public:
  Sha256Lite() { Reset(); }
  void Update(std::string_view data);
  // The digest of everything passed to Update; the hasher is then reset.
  std::array<uint8_t, 32> Final();

 private:
  void Reset();
  void Block(const unsigned char* p);

  uint32_t h_[8];
  unsigned char buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

// The SHA-256 of data as 64 lowercase hex characters.
std::string Sha256LiteHex(std::string_view data);

}  // namespace berth
