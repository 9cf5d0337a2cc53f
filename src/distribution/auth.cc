#include "distribution/auth.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/strings.h"
#include "http/message.h"

namespace berth::distribution {
namespace {

using nlohmann::json;

std::string StringField(const json& j, std::string_view key) {
  for (auto it = j.begin(); it != j.end(); ++it)
    if (str::ToLower(it.key()) == key && it->is_string()) return it->get<std::string>();
  return "";
}

}  // namespace

Result<AuthConfig> ParseAuthConfig(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::Invalid("invalid auth configuration: not a JSON object");
  AuthConfig a;
  a.username = StringField(j, "username");
  a.password = StringField(j, "password");
  a.auth = StringField(j, "auth");
  a.server_address = StringField(j, "serveraddress");
  a.identity_token = StringField(j, "identitytoken");
  a.registry_token = StringField(j, "registrytoken");
  if (!a.auth.empty() && a.username.empty() && a.password.empty()) {
    auto plain = base64::Decode(a.auth);
    if (!plain) return Error::Invalid("invalid auth configuration: auth is not base64");
    auto colon = plain->find(':');
    if (colon == std::string::npos) return Error::Invalid("invalid auth configuration: auth has no ':'");
    a.username = plain->substr(0, colon);
    a.password = plain->substr(colon + 1);
  }
  return a;
}

Result<AuthConfig> DecodeRegistryAuth(std::string_view header) {
  header = str::Trim(header);
  if (header.empty()) return AuthConfig{};
  auto text = base64::Decode(header);
  if (!text) return Error::Invalid("invalid X-Registry-Auth header: not base64");
  if (str::Trim(*text).empty() || str::Trim(*text) == "{}") return AuthConfig{};
  return ParseAuthConfig(*text);
}

std::vector<Challenge> ParseChallenges(std::string_view h) {
  std::vector<Challenge> out;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
  };
  auto token = [&] {
    size_t b = i;
    while (i < h.size() && h[i] != ' ' && h[i] != '\t' && h[i] != '=' && h[i] != ',') ++i;
    return std::string(h.substr(b, i - b));
  };
  while (i < h.size()) {
    skip_ws();
    while (i < h.size() && h[i] == ',') {
      ++i;
      skip_ws();
    }
    std::string scheme = token();
    if (scheme.empty()) break;
    Challenge c;
    c.scheme = str::ToLower(scheme);
    // Parameters: name=value or name="quoted", comma separated, until a
    // token not followed by '=' (the next challenge's scheme).
    for (;;) {
      skip_ws();
      size_t save = i;
      std::string name = token();
      skip_ws();
      if (name.empty() || i >= h.size() || h[i] != '=') {
        i = save;
        break;
      }
      ++i;
      skip_ws();
      std::string value;
      if (i < h.size() && h[i] == '"') {
        ++i;
        while (i < h.size() && h[i] != '"') {
          if (h[i] == '\\' && i + 1 < h.size()) ++i;
          value += h[i++];
        }
        if (i < h.size()) ++i;
      } else {
        value = token();
      }
      c.params[str::ToLower(name)] = value;
      skip_ws();
      if (i < h.size() && h[i] == ',') ++i;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string RepositoryScope(std::string_view repo, const std::vector<std::string>& actions) {
  std::vector<std::string> seen;
  for (const auto& a : actions)
    if (std::find(seen.begin(), seen.end(), a) == seen.end()) seen.push_back(a);
  return "repository:" + std::string(repo) + ":" + str::Join(seen, ",");
}

std::string TokenUrl(const Challenge& bearer, const std::vector<std::string>& scopes,
                     std::string_view account) {
  auto get = [&](const char* k) {
    auto it = bearer.params.find(k);
    return it == bearer.params.end() ? std::string() : it->second;
  };
  std::string url = get("realm");
  std::vector<std::string> q;
  if (std::string s = get("service"); !s.empty()) q.push_back("service=" + http::QueryEscape(s));
  for (const auto& sc : scopes) q.push_back("scope=" + http::QueryEscape(sc));
  if (!account.empty()) q.push_back("account=" + http::QueryEscape(account));
  if (q.empty()) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + str::Join(q, "&");
}

Result<std::string> ParseTokenResponse(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::Invalid("token response: not a JSON object");
  for (const char* k : {"token", "access_token"})
    if (auto it = j.find(k); it != j.end() && it->is_string() && !it->get<std::string>().empty())
      return it->get<std::string>();
  return Error::Invalid("token response: no token");
}

}  // namespace berth::distribution
