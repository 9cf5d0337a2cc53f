// UTF-8 validation shared by the json-file writer and reader (internal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace berth::logfile::internal {

// Length of the valid UTF-8 sequence at s[i] (a byte >= 0x80), or 0 when it
// is invalid: the same acceptance ranges as Go's utf8.DecodeRune (no
// overlong forms, no surrogates, nothing above U+10FFFF).
inline size_t Utf8Len(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if (b(k) < 0x80 || b(k) > 0xBF) return 0;
  return n;
}

// Word-at-a-time scanning (8 bytes per step) for the JSON string loops.
constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;
// Nonzero when some byte of v is zero (exact as a yes/no answer).
inline uint64_t HasZeroByte(uint64_t v) { return (v - kOnes) & ~v & kHighs; }
// Nonzero when some byte of v equals c.
inline uint64_t HasByte(uint64_t v, unsigned char c) { return HasZeroByte(v ^ (kOnes * c)); }
// Nonzero when some byte of v is < 0x20 or >= 0x80.
inline uint64_t HasControlOrHigh(uint64_t v) { return ((v - kOnes * 0x20) & ~v & kHighs) | (v & kHighs); }
inline uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// How many bytes from s[i] on are printable ASCII but for " and \ (and
// < > & when html): bytes a JSON string holds as they are. Whole words
// first, the rest byte by byte with table.
template <bool html>
inline size_t PlainAsciiRun(std::string_view s, size_t i, const bool* table) {
  size_t start = i;
  const char* p = s.data();
  while (i + 8 <= s.size()) {
    uint64_t v = Load8(p + i);
    uint64_t bad = HasControlOrHigh(v) | HasByte(v, '"') | HasByte(v, '\\');
    if constexpr (html) bad |= HasByte(v, '<') | HasByte(v, '>') | HasByte(v, '&');
    if (bad) break;
    i += 8;
  }
  while (i < s.size() && table[static_cast<unsigned char>(p[i])]) ++i;
  return i - start;
}

}  // namespace berth::logfile::internal
