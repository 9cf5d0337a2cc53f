// Checked reading of JSON members for the image codecs (internal to image).
// Absent or null members leave the output untouched, as Go's encoding/json
// does; a member of the wrong type is kInvalidArgument naming its path:
// "layers[1].size: expected integer, got string".
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/error.h"

namespace berth::image::jsonf {

using nlohmann::json;

// Parses text without exceptions; errors give nlohmann's position text.
Result<json> ParseObject(std::string_view text, std::string_view what);

std::string Child(const std::string& path, std::string_view key);
std::string Index(const std::string& path, size_t i);
Error TypeError(const std::string& path, std::string_view expected, const json& got);

// Each reads obj[key] (obj must be an object) into out.
Status String(const json& obj, const std::string& path, const char* key, std::string* out);
Status Bool(const json& obj, const std::string& path, const char* key, bool* out);
Status Int(const json& obj, const std::string& path, const char* key, int64_t* out);
Status Strings(const json& obj, const std::string& path, const char* key,
               std::vector<std::string>* out);
// As Strings, but null or absent gives nullopt (Docker's Cmd/Entrypoint).
Status OptStrings(const json& obj, const std::string& path, const char* key,
                  std::optional<std::vector<std::string>>* out);
Status StringMap(const json& obj, const std::string& path, const char* key,
                 std::map<std::string, std::string>* out);
// The keys of an object of empty objects: ExposedPorts, Volumes.
Status KeySet(const json& obj, const std::string& path, const char* key,
              std::set<std::string>* out);
// A required digest.
Status DigestField(const json& obj, const std::string& path, const char* key, Digest* out);

}  // namespace berth::image::jsonf
