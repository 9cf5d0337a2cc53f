// Base64 as Go's encoding/base64: StdEncoding (with padding) and
// URLEncoding; Decode accepts either alphabet, padded or not (Docker's
// X-Registry-Auth header is URL-safe, config.json "auth" is standard).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace berth::base64 {

std::string Encode(std::string_view in, bool url = false);
// nullopt on a character outside both alphabets or a bad length.
std::optional<std::string> Decode(std::string_view in);

}  // namespace berth::base64
