// String helpers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::str {

std::vector<std::string> Split(std::string_view s, char sep);
// Splits at the first sep: ("a=b=c", '=') -> {"a", "b=c"}; no sep -> {s, ""}.
std::pair<std::string, std::string> Cut(std::string_view s, char sep, bool* found = nullptr);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
std::string_view Trim(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
std::string ToLower(std::string_view s);
std::optional<int64_t> ParseInt(std::string_view s, int base = 10);
std::optional<uint64_t> ParseUint(std::string_view s, int base = 10);

}  // namespace berth::str
