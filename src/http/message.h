// Vocabulary of the HTTP layer shared by server and client.
//
// Headers keep fields in arrival order and compare names case-insensitively.
// Query holds url-decoded key/value pairs in order (keys may repeat) and
// reads them the way Docker's API server does (httputils.BoolValue etc.).
// StatusForCode is the one table that maps error categories to HTTP status
// codes; ErrorBody writes Docker's error shape {"message": "..."}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace berth::http {

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  void Add(std::string name, std::string value);
  // Replaces every field called name by one field.
  void Set(std::string_view name, std::string value);
  void Remove(std::string_view name);
  // The first value of name, if present.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  const std::vector<Field>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

class Query {
 public:
  // Parses "a=1&b=x%20y&a=2" (no leading '?'); '+' is a space. Malformed
  // escapes are kept literally.
  static Query Parse(std::string_view raw);

  void Add(std::string key, std::string value);
  bool Has(std::string_view key) const;
  // The first value of key, or "" when absent (Go's FormValue).
  std::string Get(std::string_view key) const;
  std::vector<std::string> GetAll(std::string_view key) const;
  // Docker's BoolValue: false when absent or (trimmed, any case) "", "0",
  // "no", "false" or "none"; true otherwise ("1", "true", "True", ...).
  bool Bool(std::string_view key) const;
  // Docker's BoolValueOrDefault: def when the key is absent.
  bool BoolOr(std::string_view key, bool def) const;
  // def when absent or empty; kInvalidArgument when not an integer.
  Result<int64_t> Int(std::string_view key, int64_t def = 0) const;
  // Encodes back to "a=1&b=x%20y" (for clients).
  std::string Encode() const;
  const std::vector<std::pair<std::string, std::string>>& pairs() const { return pairs_; }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Percent-decoding; plus_as_space for query components.
std::string UrlDecode(std::string_view s, bool plus_as_space);
// Percent-encoding of a query component (Go's url.QueryEscape).
std::string QueryEscape(std::string_view s);

// The HTTP status for an error category (moby's errdefs table).
int StatusForCode(Code code);
// "OK", "Not Found", ...; "" for unknown codes.
std::string_view ReasonPhrase(int status);
// {"message":"..."}\n
std::string ErrorBody(std::string_view message);
// The "message" of a Docker error body, or the trimmed body itself when it
// is not one.
std::string ErrorMessageFromBody(std::string_view body);

}  // namespace berth::http
