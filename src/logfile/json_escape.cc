#include "logfile/json_escape.h"

#include <array>
#include <cstring>
#include <string>

#include "logfile/jsonlog.h"
#include "logfile/utf8.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace berth::logfile {
namespace internal {
namespace {

// Bytes copied as they are: printable ASCII (and DEL) but for " \ and the
// three Go escapes for HTML, < > &.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = true;
  t['"'] = t['\\'] = t['<'] = t['>'] = t['&'] = false;
  return t;
}();

// Copies the run of plain bytes at p (before end) to out; returns its
// length. May store up to 16 bytes past the run (EscapedRoom's slack).
inline size_t CopyPlain(const char* p, const char* end, char* out) {
  const char* start = p;
#ifdef __SSE2__
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  const __m128i lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'), amp = _mm_set1_epi8('&');
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed: bytes >= 0x80 are negative, so below 0x20 too.
    __m128i m = _mm_cmplt_epi8(v, space);
    m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, gt)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, amp));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(m));
    if (mask) return static_cast<size_t>(p - start) + static_cast<size_t>(__builtin_ctz(mask));
    p += 16;
    out += 16;
  }
  while (p < end && kPlain[static_cast<unsigned char>(*p)]) *out++ = *p++;
  return static_cast<size_t>(p - start);
#else
  size_t run =
      PlainAsciiRun<true>(std::string_view(p, static_cast<size_t>(end - p)), 0, kPlain.data());
  std::memcpy(out, p, run);
  return run;
#endif
}

inline char* Put(char* out, const char* s, size_t n) {
  std::memcpy(out, s, n);
  return out + n;
}

}  // namespace

size_t EscapeLine(std::string_view s, char*& out_ref) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char* const begin = s.data();
  const char* const end = begin + s.size();
  const char* p = begin;
  char* out = out_ref;
  while (p < end) {
    size_t run = CopyPlain(p, end, out);
    p += run;
    out += run;
    if (p == end) break;
    unsigned char c = static_cast<unsigned char>(*p);
    if (c >= 0x80) {
      size_t n = Utf8Len(s, static_cast<size_t>(p - begin));
      if (n == 3 && p[1] == '\x80' && (static_cast<unsigned char>(p[2]) & 0xFE) == 0xA8 &&
          c == 0xE2) {  // U+2028, U+2029
        out = Put(out, p[2] == '\xA8' ? "\\u2028" : "\\u2029", 6);
        p += 3;
      } else if (n > 0) {  // valid UTF-8: as it is
        out = Put(out, p, n);
        p += n;
      } else {  // one byte of invalid UTF-8
        out = Put(out, "\\ufffd", 6);
        ++p;
      }
      continue;
    }
    ++p;
    switch (c) {
      case '\n':
        out = Put(out, "\\n", 2);
        out_ref = out;
        return static_cast<size_t>(p - begin);
      case '"':
        out = Put(out, "\\\"", 2);
        break;
      case '\\':
        out = Put(out, "\\\\", 2);
        break;
      case '\r':
        out = Put(out, "\\r", 2);
        break;
      case '\t':
        out = Put(out, "\\t", 2);
        break;
      default: {  // other control bytes, < > &
        char e[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out = Put(out, e, 6);
      }
    }
  }
  out_ref = out;
  return static_cast<size_t>(p - begin);
}

}  // namespace internal

void AppendJsonString(std::string& out, std::string_view s) {
  size_t at = out.size();
  out.resize(at + internal::EscapedRoom(s.size()) + 2);
  char* p = out.data() + at;
  *p++ = '"';
  while (!s.empty()) s.remove_prefix(internal::EscapeLine(s, p));
  *p++ = '"';
  out.resize(static_cast<size_t>(p - out.data()));
}

}  // namespace berth::logfile
