#include "registry/token.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>

#include <nlohmann/json.hpp>

#include "base/fs.h"

namespace berth::registry {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Encode64(std::string_view data, bool url) {
  std::string out;
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<unsigned char>(data[k]); };
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    for (int s = 18; s >= 0; s -= 6) out += kB64[(v >> s) & 63];
  }
  if (size_t rest = data.size() - i; rest > 0) {
    uint32_t v = at(i) << 16 | (rest == 2 ? at(i + 1) << 8 : 0);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    if (rest == 2) out += kB64[(v >> 6) & 63];
    if (!url) out += rest == 2 ? "=" : "==";
  }
  if (url)
    for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

Result<std::string> Decode64(std::string_view s, bool url) {
  while (!s.empty() && s.back() == '=') s.remove_suffix(1);
  std::string out;
  uint32_t v = 0;
  int bits = 0;
  for (char c : s) {
    int x;
    if (c >= 'A' && c <= 'Z') x = c - 'A';
    else if (c >= 'a' && c <= 'z') x = c - 'a' + 26;
    else if (c >= '0' && c <= '9') x = c - '0' + 52;
    else if (c == (url ? '-' : '+')) x = 62;
    else if (c == (url ? '_' : '/')) x = 63;
    else return Error::Invalid("invalid base64");
    v = v << 6 | static_cast<uint32_t>(x);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xff);
    }
  }
  if (bits >= 6) return Error::Invalid("invalid base64 length");
  return out;
}

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

std::string Base64UrlEncode(std::string_view data) { return Encode64(data, true); }
Result<std::string> Base64UrlDecode(std::string_view s) { return Decode64(s, true); }
Result<std::string> Base64Decode(std::string_view s) { return Decode64(s, false); }
std::string Base64Encode(std::string_view data) { return Encode64(data, false); }

Result<TokenSigner> TokenSigner::Load(const std::string& path) {
  if (auto key = fs::ReadFile(path); key.ok() && key->size() >= 32) return TokenSigner(std::move(*key));
  std::string key(32, '\0');
  if (getrandom(key.data(), key.size(), 0) != static_cast<ssize_t>(key.size()))
    return Error::Sys("getrandom for the token key");
  BERTH_TRY_CTX(fs::AtomicWrite(path, key, 0600), "token key");
  return TokenSigner(std::move(key));
}

std::string TokenSigner::Sign(std::string_view data) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

std::string TokenSigner::Issue(const TokenClaims& c) const {
  nlohmann::json access = nlohmann::json::array();
  for (const auto& a : c.access) access.push_back({{"type", a.type}, {"name", a.name}, {"actions", a.actions}});
  unsigned char jti[12];
  (void)getrandom(jti, sizeof jti, 0);
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
