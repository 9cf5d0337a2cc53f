#include "http/message.h"

#include <strings.h>

#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace berth::http {
namespace {

bool EqualFold(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void Headers::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::Set(std::string_view name, std::string value) {
  Remove(name);
  fields_.emplace_back(std::string(name), std::move(value));
}

void Headers::Remove(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return EqualFold(f.first, name); });
}

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const Field& f : fields_)
    if (EqualFold(f.first, name)) return f.second;
  return std::nullopt;
}

std::string UrlDecode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_as_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string QueryEscape(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Query Query::Parse(std::string_view raw) {
  Query q;
  for (const std::string& part : str::Split(raw, '&')) {
    if (part.empty()) continue;
    auto [k, v] = str::Cut(part, '=');
    q.Add(UrlDecode(k, true), UrlDecode(v, true));
  }
  return q;
}

void Query::Add(std::string key, std::string value) {
  pairs_.emplace_back(std::move(key), std::move(value));
}

bool Query::Has(std::string_view key) const {
  for (const auto& [k, v] : pairs_)
    if (k == key) return true;
  return false;
}

std::string Query::Get(std::string_view key) const {
  for (const auto& [k, v] : pairs_)
    if (k == key) return v;
  return "";
}

std::vector<std::string> Query::GetAll(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : pairs_)
    if (k == key) out.push_back(v);
  return out;
}

bool Query::Bool(std::string_view key) const {
  std::string v = str::ToLower(str::Trim(Get(key)));
  return !(v.empty() || v == "0" || v == "no" || v == "false" || v == "none");
}

bool Query::BoolOr(std::string_view key, bool def) const {
  return Has(key) ? Bool(key) : def;
}

Result<int64_t> Query::Int(std::string_view key, int64_t def) const {
  std::string v = Get(key);
  if (v.empty()) return def;
  auto n = str::ParseInt(v);
  if (!n) return Error::Invalid("invalid value for " + std::string(key) + ": " + v);
  return *n;
}

std::string Query::Encode() const {
  std::string out;
  for (const auto& [k, v] : pairs_) {
    if (!out.empty()) out += '&';
    out += QueryEscape(k);
    out += '=';
    out += QueryEscape(v);
  }
  return out;
}

int StatusForCode(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthorized: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists:
    case Code::kConflict: return 409;
    case Code::kNotImplemented: return 501;
    case Code::kUnavailable: return 503;
    case Code::kInternal: return 500;
  }
  return 500;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Request Entity Too Large";
    case 416: return "Requested Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

std::string ErrorBody(std::string_view message) {
  nlohmann::json j = {{"message", std::string(message)}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string ErrorMessageFromBody(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto it = j.find("message");
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return std::string(str::Trim(body));
}

}  // namespace berth::http
