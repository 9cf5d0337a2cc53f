// Go's fmt verbs as Docker's classic builder uses them in history text:
// %q of a string and of a []string, %v of a []string, time.Duration's
// String().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace berth::build {

std::string GoQuote(const std::string& s);                   // "a\"b"
std::string GoQuoteList(const std::vector<std::string>& v);  // ["a" "b"]
std::string GoList(const std::vector<std::string>& v);       // [a b]
std::string GoDuration(int64_t ns);                          // 1m30s, 500ms, 0s
// %q of an int (a rune literal): '\x03', 'a'.
std::string GoQuoteRune(int64_t r);

}  // namespace berth::build
