#include "base/random.h"

#include <errno.h>
#include <sys/random.h>

#include <cstdio>
#include <cstdlib>

namespace berth::rnd {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendHex(std::string& out, const unsigned char* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHexDigits[b[i] >> 4]);
    out.push_back(kHexDigits[b[i] & 0xf]);
  }
}

}  // namespace

void Fill(void* buf, size_t n) {
  auto* p = static_cast<unsigned char*>(buf);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(p + got, n - got, 0);
    if (r > 0) {
      got += static_cast<size_t>(r);
    } else if (r < 0 && errno != EINTR) {
      std::perror("getrandom");  // EFAULT/EINVAL/ENOSYS: a bug, not a condition
      std::abort();
    }
  }
}

std::string Hex(size_t n) {
  std::string bytes(n, '\0');
  Fill(bytes.data(), n);
  std::string out;
  out.reserve(2 * n);
  AppendHex(out, reinterpret_cast<const unsigned char*>(bytes.data()), n);
  return out;
}

std::string Uuid() {
  unsigned char b[16];
  Fill(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  std::string out;
  out.reserve(36);
  static constexpr size_t kGroups[] = {4, 2, 2, 2, 6};
  size_t at = 0;
  for (size_t g : kGroups) {
    if (at) out.push_back('-');
    AppendHex(out, b + at, g);
    at += g;
  }
  return out;
}

}  // namespace berth::rnd
