// Reading fields of the JSON Docker clients send: they send null (or leave
// out) what is unset, and nlohmann's value() throws when a field has
// another type. These read such a field as the default instead.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::jsonf {

// j[key] when j is an object and it is a string, else def.
inline std::string Str(const nlohmann::json& j, const char* key, const std::string& def = "") {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : def;
}

// j[key] when j is an object and it is a boolean, else def.
inline bool Bool(const nlohmann::json& j, const char* key, bool def = false) {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : def;
}

// The non-empty strings of an array, in order; {} for anything but an array.
inline std::vector<std::string> Strings(const nlohmann::json& v) {
  std::vector<std::string> out;
  if (v.is_array())
    for (const auto& s : v)
      if (s.is_string() && !s.get_ref<const std::string&>().empty()) out.push_back(s.get<std::string>());
  return out;
}

}  // namespace berth::jsonf
