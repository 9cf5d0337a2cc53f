#include "registry/token.h"

#include <fcntl.h>
#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/digest.h"
#include "base/fs.h"
#include "base/random.h"

namespace berth::registry {
namespace {

std::vector<std::string> SplitActions(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string_view a = s.substr(start, comma == s.npos ? s.npos : comma - start);
    if (!a.empty()) out.emplace_back(a);
    if (comma == s.npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

bool AccessEntry::Allows(std::string_view action) const {
  for (const auto& a : actions)
    if (a == action || a == "*") return true;
  return false;
}

Result<AccessEntry> ParseScope(std::string_view scope) {
  size_t first = scope.find(':');
  size_t last = scope.rfind(':');
  if (first == scope.npos || first == last) return Error::Invalid("invalid scope \"" + std::string(scope) + "\"");
  AccessEntry a;
  a.type = scope.substr(0, first);
  a.name = scope.substr(first + 1, last - first - 1);
  a.actions = SplitActions(scope.substr(last + 1));
  if (a.type.empty() || a.name.empty()) return Error::Invalid("invalid scope \"" + std::string(scope) + "\"");
  return a;
}

std::string FormatScope(const AccessEntry& a) {
  std::string s = a.type + ":" + a.name + ":";
  for (size_t i = 0; i < a.actions.size(); ++i) s += (i ? "," : "") + a.actions[i];
  return s;
}

std::string Base64UrlEncode(std::string_view data) {
  std::string out = base64::Encode(data, /*url=*/true);
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

Result<std::string> Base64UrlDecode(std::string_view s) {
  auto out = base64::Decode(s);
  if (!out) return Error::Invalid("invalid base64");
  return std::move(*out);
}

Result<TokenSigner> TokenSigner::Load(const std::string& path) {
  if (auto key = fs::ReadFile(path); key.ok() && key->size() >= 32) return TokenSigner(std::move(*key));
  std::string key(32, '\0');
  rnd::Fill(key.data(), key.size());
  BERTH_TRY_CTX(fs::AtomicWrite(path, key, 0600), "token key");
  return TokenSigner(std::move(key));
}

std::string TokenSigner::Sign(std::string_view data) const { return HmacSha256(key_, data); }

std::string TokenSigner::Issue(const TokenClaims& c) const {
  nlohmann::json access = nlohmann::json::array();
  for (const auto& a : c.access) access.push_back({{"type", a.type}, {"name", a.name}, {"actions", a.actions}});
  unsigned char jti[12];
  rnd::Fill(jti, sizeof jti);
  nlohmann::json claims = {{"iss", c.issuer},       {"sub", c.subject},   {"aud", c.audience},
                           {"iat", c.issued_at},    {"nbf", c.issued_at - 1}, {"exp", c.expires_at},
                           {"jti", Base64UrlEncode(std::string_view(reinterpret_cast<char*>(jti), sizeof jti))},
                           {"access", access}};
  std::string head = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  std::string body = head + "." + Base64UrlEncode(claims.dump());
  return body + "." + Base64UrlEncode(Sign(body));
}

Result<TokenClaims> TokenSigner::Verify(std::string_view token, std::string_view audience,
                                        int64_t now) const {
  auto bad = [](std::string why) { return Error(Code::kUnauthorized, "invalid token: " + why); };
  size_t d1 = token.find('.');
  size_t d2 = d1 == token.npos ? token.npos : token.find('.', d1 + 1);
  if (d2 == token.npos) return bad("malformed");
  auto sig = Base64UrlDecode(token.substr(d2 + 1));
  std::string want = Sign(token.substr(0, d2));
  if (!sig.ok() || sig->size() != want.size() || CRYPTO_memcmp(sig->data(), want.data(), want.size()) != 0)
    return bad("bad signature");
  auto head_json = Base64UrlDecode(token.substr(0, d1));
  auto body_json = Base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1));
  if (!head_json.ok() || !body_json.ok()) return bad("malformed");
  auto head = nlohmann::json::parse(*head_json, nullptr, false);
  auto body = nlohmann::json::parse(*body_json, nullptr, false);
  if (!head.is_object() || !body.is_object()) return bad("malformed");
  if (head.value("alg", "") != "HS256") return bad("unexpected algorithm");
  TokenClaims c;
  try {
    c.issuer = body.value("iss", "");
    c.subject = body.value("sub", "");
    c.audience = body.value("aud", "");
    c.issued_at = body.value("iat", int64_t{0});
    c.expires_at = body.value("exp", int64_t{0});
    for (const auto& a : body.value("access", nlohmann::json::array()))
      c.access.push_back({a.value("type", ""), a.value("name", ""),
                          a.value("actions", std::vector<std::string>{})});
  } catch (const nlohmann::json::exception&) {
    return bad("malformed claims");
  }
  if (c.audience != audience) return bad("wrong audience");
  if (now >= c.expires_at) return bad("expired");
  return c;
}

}  // namespace berth::registry
