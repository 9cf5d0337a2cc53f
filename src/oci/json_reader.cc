#include "oci/json_reader.h"

#include <algorithm>

namespace berth::oci {

using nlohmann::json;

const char* JsonTypeName(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "number";
    case json::value_t::binary:
      return "binary";
    case json::value_t::discarded:
      return "discarded";
  }
  return "unknown";
}

std::string JsonChild(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out = path;
  out += '.';
  out += key;
  return out;
}

std::string JsonIndex(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string JsonKey(const std::string& path, std::string_view key) {
  return path + "[" + json(std::string(key)).dump(-1, ' ', false, json::error_handler_t::replace) +
         "]";
}

Error JsonError(const std::string& path, const std::string& message) {
  return Error::Invalid(path.empty() ? message : path + ": " + message);
}

Error JsonTypeError(const std::string& path, std::string_view expected, const json& got) {
  return JsonError(path, "expected " + std::string(expected) + ", got " + JsonTypeName(got));
}

namespace {

// nlohmann's what(): "[json.exception.parse_error.101] parse error at line 1,
// column 4: syntax error while parsing ...". Keeps the part after the position.
std::string ParseErrorDetail(const std::string& what) {
  size_t start = what.find("] ");
  start = start == std::string::npos ? 0 : start + 2;
  size_t at = what.find("parse error", start);
  if (at != std::string::npos) {
    size_t colon = what.find(": ", at);
    if (colon != std::string::npos) return what.substr(colon + 2);
  }
  return what.substr(start);
}

}  // namespace

Result<json> ParseJsonDocument(std::string_view text) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // e.byte counts the characters read, so the offending one is at byte - 1.
    size_t pos = std::min<size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    std::string_view before = text.substr(0, pos);
    size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
    size_t last_nl = before.rfind('\n');
    size_t column = last_nl == std::string_view::npos ? pos + 1 : pos - last_nl;
    return Error::Invalid("invalid JSON at line " + std::to_string(line) + ", column " +
                          std::to_string(column) + ": " + ParseErrorDetail(e.what()));
  } catch (const json::exception& e) {
    return Error::Invalid(std::string("invalid JSON: ") + e.what());
  }
}

Status ReadJson(const json& j, const std::string& path, std::string* out) {
  if (!j.is_string()) return JsonTypeError(path, "string", j);
  *out = j.get_ref<const std::string&>();
  return Ok();
}

Status ReadJson(const json& j, const std::string& path, bool* out) {
  if (!j.is_boolean()) return JsonTypeError(path, "boolean", j);
  *out = j.get<bool>();
  return Ok();
}

Status ReadJson(const json& j, const std::string& path, std::map<std::string, std::string>* out) {
  if (!j.is_object()) return JsonTypeError(path, "object", j);
  std::map<std::string, std::string> items;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string item_path = JsonKey(path, it.key());
    Status st = ReadJson(it.value(), item_path, &items[it.key()]);
    if (!st) return st;
  }
  *out = std::move(items);
  return Ok();
}

JsonObject::JsonObject(const json& j, std::string path) : j_(j), path_(std::move(path)) {
  if (!j_.is_object()) status_ = JsonTypeError(path_, "object", j_);
}

const json* JsonObject::Find(std::string_view key) const {
  auto it = j_.find(key);
  if (it == j_.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace berth::oci
