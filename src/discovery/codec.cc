#include "discovery/codec.h"

#include <cctype>
#include <utility>

#include "base/base64.h"
#include "base/duration.h"

namespace berth::discovery {
namespace {

using nlohmann::json;

}  // namespace

std::string Base64Encode(std::string_view data) { return base64::Encode(data); }

Result<std::string> Base64Decode(std::string_view text) {
  auto out = base64::Decode(text);
  if (!out) return Error::Invalid("invalid base64");
  return std::move(*out);
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  bool bare = !text.empty();
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c))) bare = false;
  if (bare) {  // seconds, as Consul reads "10"
    auto ns = duration::Parse(std::string(text) + "s");
    if (!ns.ok()) return Error::Invalid("time: invalid duration \"" + std::string(text) + "\"");
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::nanoseconds(*ns));
  }
  int64_t ns = BERTH_TRY(duration::Parse(text));
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::nanoseconds(ns));
}

json ServiceToJson(const Service& s) {
  json checks = json::array();
  for (const Check& c : s.checks)
    checks.push_back({{"id", c.id}, {"name", c.name}, {"status", c.status}, {"output", c.output},
                      {"notes", c.notes}, {"ttl_ms", c.ttl_ms}, {"expires_ms", c.expires_ms}});
  return {{"id", s.id},       {"name", s.name},   {"tags", s.tags},
          {"address", s.address}, {"port", s.port}, {"meta", s.meta},
          {"checks", checks}, {"owner", s.owner}, {"node", s.node},
          {"create_index", s.create_index}, {"modify_index", s.modify_index}};
}

Result<Service> ServiceFromJson(const json& j) {
  try {
    Service s;
    s.id = j.at("id").get<std::string>();
    s.name = j.at("name").get<std::string>();
    s.tags = j.value("tags", std::vector<std::string>{});
    s.address = j.value("address", "");
    s.port = j.value("port", 0);
    s.meta = j.value("meta", std::map<std::string, std::string>{});
    s.owner = j.value("owner", "");
    s.node = j.value("node", "");
    s.create_index = j.value("create_index", uint64_t{0});
    s.modify_index = j.value("modify_index", uint64_t{0});
    for (const json& c : j.value("checks", json::array())) {
      Check k;
      k.id = c.at("id").get<std::string>();
      k.name = c.value("name", "");
      k.status = c.value("status", std::string(kCritical));
      k.output = c.value("output", "");
      k.notes = c.value("notes", "");
      k.ttl_ms = c.value("ttl_ms", int64_t{0});
      k.expires_ms = c.value("expires_ms", int64_t{0});
      s.checks.push_back(std::move(k));
    }
    return s;
  } catch (const json::exception& e) {
    return Error::Invalid(std::string("bad service record: ") + e.what());
  }
}

json KvToJson(const KvEntry& e) {
  return {{"k", e.key}, {"v", Base64Encode(e.value)}, {"f", e.flags}, {"c", e.create_index},
          {"m", e.modify_index}};
}

Result<KvEntry> KvFromJson(const json& j) {
  try {
    KvEntry e;
    e.key = j.at("k").get<std::string>();
    e.value = BERTH_TRY(Base64Decode(j.value("v", "")));
    e.flags = j.value("f", uint64_t{0});
    e.create_index = j.value("c", uint64_t{0});
    e.modify_index = j.value("m", uint64_t{0});
    return e;
  } catch (const json::exception& e) {
    return Error::Invalid(std::string("bad kv record: ") + e.what());
  }
}

}  // namespace berth::discovery
