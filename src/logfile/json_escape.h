// The json-file writer's JSON string escaping (internal): Go's
// encoding/json rules, 16 bytes per step where nothing needs escaping.
#pragma once

#include <cstddef>
#include <string_view>

namespace berth::logfile::internal {

// Output room EscapeLine may need for n input bytes: at most 6 bytes per
// byte (\u00XX, \ufffd) and 16 of slack for its 16-byte stores.
constexpr size_t EscapedRoom(size_t n) { return 6 * n + 16; }

// Writes s to out as the inside of a JSON string (no quotes), escaped as
// Go's encoding/json does: \" \\ \n \r \t, other bytes < 0x20 and < > & as
// \u00XX, U+2028/U+2029 as \u2028/\u2029, each byte of invalid UTF-8 as
// \ufffd; everything else as it is. Stops after the first '\n' (written as
// \n). Returns the bytes of s taken and advances out past what it wrote;
// out must have EscapedRoom(s.size()) bytes of room.
size_t EscapeLine(std::string_view s, char*& out);

}  // namespace berth::logfile::internal
