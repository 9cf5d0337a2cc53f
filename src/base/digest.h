// Content digests: "sha256:<64 lowercase hex>", the names of blobs, image
// IDs and layer diff IDs.
//
// Invariant: a Digest value is always valid (algorithm sha256, 64 lowercase
// hex characters) or empty (default-constructed). Parse() rejects anything
// else with go-digest's error texts, which Docker prints as they are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth {

class Digest {
 public:
  static constexpr std::string_view kSha256 = "sha256";
  static constexpr size_t kSha256HexLen = 64;
  static constexpr size_t kShortIdLen = 12;

  Digest() = default;

  // Parses "algorithm:hex". Errors (Code::kInvalidArgument), as go-digest:
  //   "invalid checksum digest format"  (no ':', bad characters, uppercase)
  //   "invalid checksum digest length"  (sha256 without 64 hex characters)
  //   "unsupported digest algorithm"    (well-formed, but not sha256)
  static Result<Digest> Parse(std::string_view s);
  // From 64 hex characters (an image ID as `docker images --no-trunc` shows
  // it without its "sha256:" prefix).
  static Result<Digest> FromHex(std::string_view hex);

  bool empty() const { return hex_.empty(); }
  std::string_view algorithm() const { return empty() ? std::string_view() : kSha256; }
  const std::string& hex() const { return hex_; }
  std::string str() const { return empty() ? std::string() : std::string(kSha256) + ":" + hex_; }
  // The first 12 hex characters, as `docker images` shows IDs.
  std::string ShortId() const { return hex_.substr(0, kShortIdLen); }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  explicit Digest(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

// True when s is 64 lowercase hex characters (a full ID without algorithm).
bool IsFullHexId(std::string_view s);
// The first 12 characters of an ID, with any "sha256:" prefix removed.
std::string ShortId(std::string_view id);

// Streaming sha256 (OpenSSL EVP). Update any number of times, then Final once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::span<const std::byte> data);
  void Update(std::string_view data);
  // The digest of everything passed to Update; the hasher is then reset.
  Digest Final();
  uint64_t size() const { return size_; }

 private:
  void* ctx_;  // EVP_MD_CTX*, kept opaque so the header needs no OpenSSL.
  uint64_t size_ = 0;
};

Digest Sha256Of(std::string_view data);
// HMAC-SHA256 of message under key: the 32 raw bytes, and as lower-case hex.
std::string HmacSha256(std::string_view key, std::string_view message);
std::string HmacSha256Hex(std::string_view key, std::string_view message);
// Hashes a file's contents; errors name the path and the failing call.
Result<Digest> Sha256File(const std::string& path);
// The digest of what is left to read from fd; errors name path (what fd is).
Result<Digest> Sha256Fd(int fd, const std::string& path);

}  // namespace berth
