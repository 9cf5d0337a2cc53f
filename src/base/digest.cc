#include "base/digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <cstdlib>

#include "base/fs.h"

namespace berth {
namespace {

std::string LowerHex(const unsigned char* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    hex.push_back(kHex[bytes[i] >> 4]);
    hex.push_back(kHex[bytes[i] & 0xf]);
  }
  return hex;
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || (c >= '0' && c <= '9'); }

// go-digest's grammar: algorithm := component ([+._-] component)*,
// component := [A-Za-z][A-Za-z0-9]*; encoded := [a-zA-Z0-9=_-]+.
bool WellFormed(std::string_view algorithm, std::string_view encoded) {
  bool want_alpha = true;
  for (char c : algorithm) {
    if (want_alpha) {
      if (!IsAlpha(c)) return false;
      want_alpha = false;
    } else if (c == '+' || c == '.' || c == '_' || c == '-') {
      want_alpha = true;
    } else if (!IsAlnum(c)) {
      return false;
    }
  }
  if (want_alpha) return false;
  for (char c : encoded)
    if (!IsAlnum(c) && c != '=' && c != '_' && c != '-') return false;
  return true;
}

Error InvalidFormat() { return Error::Invalid("invalid checksum digest format"); }

EVP_MD_CTX* Ctx(void* p) { return static_cast<EVP_MD_CTX*>(p); }

}  // namespace

Result<Digest> Digest::Parse(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size())
    return InvalidFormat();
  std::string_view algorithm = s.substr(0, colon);
  std::string_view encoded = s.substr(colon + 1);
  if (algorithm != kSha256) {
    if (!WellFormed(algorithm, encoded)) return InvalidFormat();
    return Error::Invalid("unsupported digest algorithm");
  }
  if (encoded.size() != kSha256HexLen) return Error::Invalid("invalid checksum digest length");
  for (char c : encoded)
    if (!IsLowerHex(c)) return InvalidFormat();
  return Digest(std::string(encoded));
}

Result<Digest> Digest::FromHex(std::string_view hex) {
  if (!IsFullHexId(hex)) return InvalidFormat();
  return Digest(std::string(hex));
}

bool IsFullHexId(std::string_view s) {
  if (s.size() != Digest::kSha256HexLen) return false;
  for (char c : s)
    if (!IsLowerHex(c)) return false;
  return true;
}

std::string ShortId(std::string_view id) {
  if (id.starts_with("sha256:")) id.remove_prefix(7);
  return std::string(id.substr(0, Digest::kShortIdLen));
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  // Allocation failure or a missing sha256 leaves nothing sane to do.
  if (ctx_ == nullptr || EVP_DigestInit_ex(Ctx(ctx_), EVP_sha256(), nullptr) != 1) std::abort();
}

Sha256::~Sha256() { EVP_MD_CTX_free(Ctx(ctx_)); }

void Sha256::Update(std::span<const std::byte> data) {
  if (data.empty()) return;
  if (EVP_DigestUpdate(Ctx(ctx_), data.data(), data.size()) != 1) std::abort();
  size_ += data.size();
}

void Sha256::Update(std::string_view data) { Update(std::as_bytes(std::span(data))); }

Digest Sha256::Final() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(Ctx(ctx_), md, &len) != 1 ||
      EVP_DigestInit_ex(Ctx(ctx_), EVP_sha256(), nullptr) != 1)
    std::abort();
  size_ = 0;
  return Digest::FromHex(LowerHex(md, len)).value();
}

std::string HmacSha256(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len))
    std::abort();
  return std::string(reinterpret_cast<char*>(mac), len);
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  std::string mac = HmacSha256(key, message);
  return LowerHex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

Digest Sha256Of(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.Final();
}

Result<Digest> Sha256File(const std::string& path) {
  unique_fd fd = BERTH_TRY(fs::Open(path, O_RDONLY));
  return Sha256Fd(fd.get(), path);
}

Result<Digest> Sha256Fd(int fd, const std::string& path) {
  Sha256 h;
  std::string buf(1 << 16, '\0');
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("read " + path);
    }
    if (n == 0) break;
    h.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
  return h.Final();
}

}  // namespace berth
