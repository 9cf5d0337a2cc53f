#include "image/json_fields.h"

namespace berth::image::jsonf {
namespace {

const char* TypeName(const json& j) {
  if (j.is_string()) return "string";
  if (j.is_boolean()) return "boolean";
  if (j.is_number()) return "number";
  if (j.is_object()) return "object";
  if (j.is_array()) return "array";
  return "null";
}

Error At(const std::string& path, const std::string& message) {
  return Error::Invalid(path.empty() ? message : path + ": " + message);
}

// The member, or null when absent.
const json* Member(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Status StringArray(const json& j, const std::string& path, std::vector<std::string>* out) {
  if (!j.is_array()) return TypeError(path, "array", j);
  std::vector<std::string> v;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string()) return TypeError(Index(path, i), "string", j[i]);
    v.push_back(j[i].get<std::string>());
  }
  *out = std::move(v);
  return Ok();
}

}  // namespace

Result<json> ParseObject(std::string_view text, std::string_view what) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error::Invalid(std::string(what) + ": invalid JSON");
  if (!j.is_object())
    return Error::Invalid(std::string(what) + ": expected a JSON object, got " + TypeName(j));
  return j;
}

std::string Child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

Error TypeError(const std::string& path, std::string_view expected, const json& got) {
  return At(path, "expected " + std::string(expected) + ", got " + TypeName(got));
}

Status String(const json& obj, const std::string& path, const char* key, std::string* out) {
  const json* m = Member(obj, key);
  if (!m) return Ok();
  if (!m->is_string()) return TypeError(Child(path, key), "string", *m);
  *out = m->get<std::string>();
  return Ok();
}

Status Bool(const json& obj, const std::string& path, const char* key, bool* out) {
  const json* m = Member(obj, key);
  if (!m) return Ok();
  if (!m->is_boolean()) return TypeError(Child(path, key), "boolean", *m);
  *out = m->get<bool>();
  return Ok();
}

Status Int(const json& obj, const std::string& path, const char* key, int64_t* out) {
  const json* m = Member(obj, key);
  if (!m) return Ok();
  if (m->is_number_integer() &&
      (!m->is_number_unsigned() || m->get<uint64_t>() <= uint64_t{INT64_MAX})) {
    *out = m->get<int64_t>();
    return Ok();
  }
  return TypeError(Child(path, key), "integer", *m);
}

Status Strings(const json& obj, const std::string& path, const char* key,
               std::vector<std::string>* out) {
  const json* m = Member(obj, key);
  if (!m) return Ok();
  return StringArray(*m, Child(path, key), out);
}

Status OptStrings(const json& obj, const std::string& path, const char* key,
                  std::optional<std::vector<std::string>>* out) {
  const json* m = Member(obj, key);
  if (!m) return Ok();
  std::vector<std::string> v;
  BERTH_TRY(StringArray(*m, Child(path, key), &v));
  *out = std::move(v);
  return Ok();
}

Status StringMap(const json& obj, const std::string& path, const char* key,
                 std::map<std::string, std::string>* out) {
  const json* m = Member(obj, key);
  if (!m) return Ok();
  std::string p = Child(path, key);
  if (!m->is_object()) return TypeError(p, "object", *m);
  std::map<std::string, std::string> v;
  for (auto it = m->begin(); it != m->end(); ++it) {
    if (!it.value().is_string())
      return TypeError(p + "[\"" + it.key() + "\"]", "string", it.value());
    v[it.key()] = it.value().get<std::string>();
  }
  *out = std::move(v);
  return Ok();
}

Status KeySet(const json& obj, const std::string& path, const char* key,
              std::set<std::string>* out) {
  const json* m = Member(obj, key);
  if (!m) return Ok();
  if (!m->is_object()) return TypeError(Child(path, key), "object", *m);
  std::set<std::string> v;
  for (auto it = m->begin(); it != m->end(); ++it) v.insert(it.key());
  *out = std::move(v);
  return Ok();
}

Status DigestField(const json& obj, const std::string& path, const char* key, Digest* out) {
  std::string s;
  BERTH_TRY(String(obj, path, key, &s));
  if (s.empty()) return At(Child(path, key), "missing");
  *out = BERTH_TRY_CTX(Digest::Parse(s), Child(path, key));
  return Ok();
}

}  // namespace berth::image::jsonf
