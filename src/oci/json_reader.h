// Typed reading of nlohmann::json values with errors that name the JSON path.
//
// Internal to the oci module. A path is written as in the messages:
// "process.args[2]", "linux.sysctl[\"net.ipv4.ip_forward\"]"; the document
// root is the empty path. Absent members and null values leave the output
// untouched (as Go's encoding/json does); a present value of the wrong type is
// an InvalidArgument error: "process.args[2]: expected string, got number".
// Integers are range-checked against the C++ type they land in.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace berth::oci {

// "string", "number", "boolean", "object", "array", "null".
const char* JsonTypeName(const nlohmann::json& j);

// Path building: ("process", "args") -> "process.args"; ("", "root") -> "root".
std::string JsonChild(const std::string& path, std::string_view key);
std::string JsonIndex(const std::string& path, size_t index);
std::string JsonKey(const std::string& path, std::string_view key);  // a["k"]

// "path: message" (or just message at the root), code InvalidArgument.
Error JsonError(const std::string& path, const std::string& message);
Error JsonTypeError(const std::string& path, std::string_view expected, const nlohmann::json& got);

// Parses text into a document; syntax errors give line and column:
// "invalid JSON at line 3, column 7: syntax error while parsing ...".
Result<nlohmann::json> ParseJsonDocument(std::string_view text);

Status ReadJson(const nlohmann::json& j, const std::string& path, std::string* out);
Status ReadJson(const nlohmann::json& j, const std::string& path, bool* out);
Status ReadJson(const nlohmann::json& j, const std::string& path,
                std::map<std::string, std::string>* out);

// Reads a JSON integer into T. Integral floats (1e3) are accepted; fractions,
// negative values for unsigned T and out-of-range values are errors.
template <typename T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) Status
    ReadJson(const nlohmann::json& j, const std::string& path, T* out) {
  using Limits = std::numeric_limits<T>;
  if (j.is_number_unsigned()) {
    uint64_t v = j.get<uint64_t>();
    if (v > static_cast<uint64_t>(Limits::max()))
      return JsonError(path, "value " + std::to_string(v) + " out of range (max " +
                                 std::to_string(Limits::max()) + ")");
    *out = static_cast<T>(v);
    return Ok();
  }
  if (j.is_number_integer()) {
    int64_t v = j.get<int64_t>();
    if (v < 0 && !Limits::is_signed)
      return JsonError(path, "must not be negative, got " + std::to_string(v));
    if (v < static_cast<int64_t>(Limits::min()) ||
        (v > 0 && static_cast<uint64_t>(v) > static_cast<uint64_t>(Limits::max())))
      return JsonError(path, "value " + std::to_string(v) + " out of range [" +
                                 std::to_string(Limits::min()) + ", " +
                                 std::to_string(Limits::max()) + "]");
    *out = static_cast<T>(v);
    return Ok();
  }
  if (j.is_number_float()) {
    double d = j.get<double>();
    bool integral = d > -9.2e18 && d < 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d));
    if (!integral) return JsonError(path, "expected integer, got " + j.dump());
    return ReadJson(nlohmann::json(static_cast<int64_t>(d)), path, out);
  }
  return JsonTypeError(path, "integer", j);
}

template <typename T>
Status ReadJson(const nlohmann::json& j, const std::string& path, std::optional<T>* out) {
  T value{};
  Status st = ReadJson(j, path, &value);
  if (!st) return st;
  *out = std::move(value);
  return Ok();
}

template <typename T>
Status ReadJson(const nlohmann::json& j, const std::string& path, std::vector<T>* out) {
  if (!j.is_array()) return JsonTypeError(path, "array", j);
  std::vector<T> items(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    Status st = ReadJson(j[i], JsonIndex(path, i), &items[i]);
    if (!st) return st;
  }
  *out = std::move(items);
  return Ok();
}

// Reads the members of one JSON object, stopping at the first error:
//   return JsonObject(j, path).Field("uid", &u->uid).Field("gid", &u->gid).status();
class JsonObject {
 public:
  JsonObject(const nlohmann::json& j, std::string path);

  // Reads member key into *out when present and not null.
  template <typename T>
  JsonObject& Field(std::string_view key, T* out) {
    if (!status_) return *this;
    const nlohmann::json* member = Find(key);
    if (member != nullptr) status_ = ReadJson(*member, JsonChild(path_, key), out);
    return *this;
  }
  // As Field, and sets *present when the member is there.
  template <typename T>
  JsonObject& Field(std::string_view key, T* out, bool* present) {
    *present = status_ && Find(key) != nullptr;
    return Field(key, out);
  }

  Status status() const { return status_; }

 private:
  const nlohmann::json* Find(std::string_view key) const;

  const nlohmann::json& j_;
  std::string path_;
  Status status_;
};

}  // namespace berth::oci
