// Bearer tokens for Docker's token flow: JSON Web Tokens signed with
// HMAC-SHA256 (HS256) under a 32-byte key kept in ROOT/auth/token.key (made
// on first use, 0600). Only this registry verifies them, so a symmetric key
// is enough; clients treat tokens as opaque.
//
// Claims: iss, sub (user name, "" for anonymous), aud (the service), iat,
// nbf, exp, jti, and access: [{"type":"repository","name":"alice/app",
// "actions":["pull","push"]}] as Docker's token spec defines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::registry {

struct AccessEntry {
  std::string type;  // "repository", "registry"
  std::string name;  // "alice/app", "catalog"
  std::vector<std::string> actions;
  bool Allows(std::string_view action) const;
};

struct TokenClaims {
  std::string issuer;
  std::string subject;
  std::string audience;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
  std::vector<AccessEntry> access;
};

// Parses a scope "repository:alice/app:pull,push" (the name may hold ':'
// for a registry with a port; the type is before the first ':', actions
// after the last). kInvalidArgument when malformed.
Result<AccessEntry> ParseScope(std::string_view scope);
std::string FormatScope(const AccessEntry& a);

// JWT's base64url without padding (RFC 7515); decoding accepts either
// alphabet, padded or not (base/base64.h).
std::string Base64UrlEncode(std::string_view data);
Result<std::string> Base64UrlDecode(std::string_view s);

class TokenSigner {
 public:
  // Loads the key at path, creating it (random, 0600) when missing.
  static Result<TokenSigner> Load(const std::string& path);
  explicit TokenSigner(std::string key) : key_(std::move(key)) {}

  std::string Issue(const TokenClaims& claims) const;
  // Checks signature, algorithm, audience and lifetime (now: unix seconds).
  // kUnauthorized with the reason otherwise.
  Result<TokenClaims> Verify(std::string_view token, std::string_view audience, int64_t now) const;

 private:
  std::string Sign(std::string_view data) const;
  std::string key_;
};

}  // namespace berth::registry
