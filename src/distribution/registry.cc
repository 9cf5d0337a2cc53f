#include "distribution/registry.h"

#include <unistd.h>

#include "base/base64.h"
#include "base/log.h"
#include "base/strings.h"
#include "http/message.h"
#include "image/manifest.h"

namespace berth::distribution {
namespace {

using nlohmann::json;

std::string AcceptManifests() {
  using namespace image::media;
  return "Accept: " + std::string(kOciIndex) + ", " + std::string(kDockerManifestList) + ", " +
         std::string(kOciManifest) + ", " + std::string(kDockerManifest);
}

std::string CodeText(std::string code) {
  for (char& c : code) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return code;
}

}  // namespace

std::string RegistryErrorText(const HttpResponse& r) {
  json j = json::parse(r.body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("errors") && j["errors"].is_array() &&
      !j["errors"].empty()) {
    std::vector<std::string> parts;
    for (const json& e : j["errors"]) {
      if (!e.is_object()) continue;
      std::string code = e.value("code", std::string());
      std::string msg = e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
      parts.push_back(code.empty() ? msg : CodeText(code) + ": " + msg);
    }
    if (!parts.empty()) return str::Join(parts, ", ");
  }
  if (!j.is_discarded() && j.is_object() && j.contains("details") && j["details"].is_string())
    return j["details"].get<std::string>();
  std::string reason(http::ReasonPhrase(r.status));
  return "unexpected status from registry: " + std::to_string(r.status) + (reason.empty() ? "" : " " + reason);
}

Code CodeForStatus(int s) {
  switch (s) {
    case 400: return Code::kInvalidArgument;
    case 401: return Code::kUnauthorized;
    case 403: return Code::kPermissionDenied;
    case 404: return Code::kNotFound;
    case 409: return Code::kConflict;
    case 501: return Code::kNotImplemented;
    default: return s >= 500 ? Code::kUnavailable : Code::kInternal;
  }
}

Registry::Registry(Endpoint ep, AuthConfig creds, std::vector<std::string> scopes)
    : ep_(std::move(ep)), creds_(std::move(creds)), scopes_(std::move(scopes)) {
  topts_.verify_tls = !ep_.insecure;
}

void Registry::AddScope(const std::string& scope) {
  std::lock_guard lock(mu_);
  if (std::find(scopes_.begin(), scopes_.end(), scope) != scopes_.end()) return;
  scopes_.push_back(scope);
  auth_.clear();  // a bearer token covers only the scopes it was issued for
}

std::string Registry::Url(const std::string& p) const {
  if (str::StartsWith(p, "http://") || str::StartsWith(p, "https://")) return p;
  return ep_.base + p;
}

Status Registry::Ping(bool check_credentials) {
  auto r = Perform({.url = ep_.base + "/v2/"}, topts_);
  if (!r.ok() && ep_.insecure) {
    // An insecure registry: plain HTTP when HTTPS fails.
    std::string plain = "http://" + ep_.host;
    auto r2 = Perform({.url = plain + "/v2/"}, topts_);
    if (r2.ok()) {
      ep_.base = plain;
      r = std::move(r2);
    }
  }
  if (!r.ok()) return std::move(r).error();
  if (r->status == 200) return Ok();
  if (r->status != 401)
    return Error(CodeForStatus(r->status), RegistryErrorText(*r));
  if (!check_credentials) return Ok();
  // Credentials are checked as docker login does: /v2/ again with them.
  auto checked = Do({}, "/v2/");
  if (!checked.ok()) return std::move(checked).error();
  if (checked->status == 200) return Ok();
  if (checked->status == 401)
    return Error(Code::kUnauthorized,
                 "login attempt to " + ep_.base + "/v2/ failed with status: 401 Unauthorized");
  return Error(CodeForStatus(checked->status), RegistryErrorText(*checked));
}

Result<std::string> Registry::FetchToken(const Challenge& c) {
  std::vector<std::string> scopes;
  {
    std::lock_guard lock(mu_);
    scopes = scopes_;
  }
  HttpRequest req;
  req.url = TokenUrl(c, scopes, creds_.username);
  if (!creds_.username.empty() || !creds_.password.empty())
    req.headers.push_back("Authorization: Basic " + base64::Encode(creds_.username + ":" + creds_.password));
  auto r = BERTH_TRY(Perform(req, topts_));
  if (r.status != 200) {
    if (r.status == 401) return Error(Code::kUnauthorized, RegistryErrorText(r));
    return Error(CodeForStatus(r.status), "get token: " + RegistryErrorText(r));
  }
  return ParseTokenResponse(r.body);
}

Result<std::string> Registry::AuthHeader(const std::vector<std::string>& values, bool* changed) {
  *changed = false;
  for (const std::string& v : values) {
    for (const Challenge& c : ParseChallenges(v)) {
      if (c.scheme == "bearer") {
        if (!creds_.registry_token.empty()) {
          *changed = true;
          return "Authorization: Bearer " + creds_.registry_token;
        }
        std::string token = BERTH_TRY(FetchToken(c));
        *changed = true;
        return "Authorization: Bearer " + token;
      }
      if (c.scheme == "basic" && creds_.username.empty() && creds_.password.empty())
        return Error(Code::kUnauthorized, "no basic auth credentials");
      if (c.scheme == "basic") {
        *changed = true;
        return "Authorization: Basic " + base64::Encode(creds_.username + ":" + creds_.password);
      }
    }
  }
  return std::string();
}

Result<HttpResponse> Registry::Do(HttpRequest req, const std::string& path) {
  req.url = Url(path);
  std::string used;
  {
    std::lock_guard lock(mu_);
    used = auth_;
  }
  off_t start = req.upload_fd >= 0 ? ::lseek(req.upload_fd, 0, SEEK_CUR) : 0;
  HttpRequest first = req;
  if (!used.empty()) first.headers.push_back(used);
  HttpResponse r = BERTH_TRY(Perform(first, topts_));
  if (r.status != 401) return r;
  std::string header;
  {
    std::lock_guard lock(mu_);
    header = auth_;
  }
  if (header == used) {
    bool changed = false;
    header = BERTH_TRY(AuthHeader(r.Headers("www-authenticate"), &changed));
    if (!changed) return r;
    std::lock_guard lock(mu_);
    auth_ = header;
  }
  if (req.upload_fd >= 0) ::lseek(req.upload_fd, start, SEEK_SET);
  if (!header.empty()) req.headers.push_back(header);
  return Perform(req, topts_);
}

Result<ManifestDoc> Registry::GetManifest(std::string_view repo, std::string_view reference) {
  HttpRequest req;
  req.headers.push_back(AcceptManifests());
  auto r = BERTH_TRY(Do(req, "/v2/" + std::string(repo) + "/manifests/" + std::string(reference)));
  if (r.status != 200) return Error(CodeForStatus(r.status), RegistryErrorText(r));
  ManifestDoc d;
  d.bytes = std::move(r.body);
  d.media_type = r.Header("content-type");
  if (auto semi = d.media_type.find(';'); semi != std::string::npos) d.media_type.resize(semi);
  d.digest = Sha256Of(d.bytes);
  if (str::StartsWith(reference, "sha256:") && d.digest.str() != reference)
    return Error::Invalid("manifest verification failed for digest " + std::string(reference));
  return d;
}

Result<std::optional<int64_t>> Registry::HeadBlob(std::string_view repo, const Digest& digest) {
  HttpRequest req;
  req.method = "HEAD";
  auto r = BERTH_TRY(Do(req, "/v2/" + std::string(repo) + "/blobs/" + digest.str()));
  if (r.status == 404) return std::optional<int64_t>();
  if (r.status != 200) return Error(CodeForStatus(r.status), RegistryErrorText(r));
  std::string len = r.Header("content-length");
  if (len.empty()) return std::optional<int64_t>(0);
  auto n = str::ParseInt(len);
  if (!n || *n < 0)
    return Error::Internal("registry answered HEAD of blob " + digest.str() +
                           " with an invalid Content-Length \"" + len + "\"");
  return std::optional<int64_t>(*n);
}

Status Registry::FetchBlob(std::string_view repo, const Digest& digest, int64_t offset,
                           const std::function<Status(std::string_view)>& on_data) {
  HttpRequest req;
  req.on_data = on_data;
  if (offset > 0) req.range_from = offset;
  auto r = BERTH_TRY(Do(req, "/v2/" + std::string(repo) + "/blobs/" + digest.str()));
  if (offset > 0 && r.status == 200)
    return Error(Code::kUnavailable, "registry ignored the Range request");  // bytes re-sent from 0
  if (r.status != 200 && r.status != 206) return Error(CodeForStatus(r.status), RegistryErrorText(r));
  return Ok();
}

Result<std::vector<std::string>> Registry::Tags(std::string_view repo) {
  std::vector<std::string> out;
  std::string path = "/v2/" + std::string(repo) + "/tags/list?n=1000";
  for (int page = 0; page < 1000 && !path.empty(); ++page) {
    auto r = BERTH_TRY(Do({}, path));
    if (r.status != 200) return Error(CodeForStatus(r.status), RegistryErrorText(r));
    json j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error::Invalid("tags list: not a JSON object");
    if (j.contains("tags") && j["tags"].is_array())
      for (const json& t : j["tags"])
        if (t.is_string()) out.push_back(t);
    path.clear();
    std::string link = r.Header("link");  // </v2/x/tags/list?last=..&n=..>; rel="next"
    if (auto a = link.find('<'), b = link.find('>'); a != std::string::npos && b != std::string::npos && b > a)
      path = link.substr(a + 1, b - a - 1);
  }
  return out;
}

Result<bool> Registry::MountBlob(std::string_view repo, const Digest& digest, std::string_view from,
                                 std::string* location) {
  HttpRequest req;
  req.method = "POST";
  auto r = BERTH_TRY(Do(req, "/v2/" + std::string(repo) + "/blobs/uploads/?mount=" + digest.str() +
                                 "&from=" + http::QueryEscape(from)));
  if (r.status == 201) return true;
  if (r.status != 202) return Error(CodeForStatus(r.status), RegistryErrorText(r));
  *location = r.Header("location");
  return false;
}

Result<std::string> Registry::StartUpload(std::string_view repo) {
  HttpRequest req;
  req.method = "POST";
  auto r = BERTH_TRY(Do(req, "/v2/" + std::string(repo) + "/blobs/uploads/"));
  if (r.status != 202) return Error(CodeForStatus(r.status), RegistryErrorText(r));
  std::string loc = r.Header("location");
  if (loc.empty()) return Error::Internal("registry answered an upload without a Location");
  return loc;
}

Status Registry::FinishUpload(const std::string& location, const Digest& digest, int fd, int64_t size) {
  std::string url = location;
  if (!str::StartsWith(url, "http")) url = ep_.base + url;
  url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + http::QueryEscape(digest.str());
  HttpRequest req;
  req.method = "PUT";
  req.upload_fd = fd;
  req.upload_size = size;
  req.headers.push_back("Content-Type: application/octet-stream");
  auto r = BERTH_TRY(Do(req, url));
  if (r.status != 201 && r.status != 204) return Error(CodeForStatus(r.status), RegistryErrorText(r));
  return Ok();
}

Result<std::string> Registry::PatchChunk(const std::string& location, int64_t offset,
                                         std::string_view data) {
  HttpRequest req;
  req.method = "PATCH";
  req.body_ref = data;
  req.headers.push_back("Content-Type: application/octet-stream");
  req.headers.push_back("Content-Range: " + std::to_string(offset) + "-" +
                        std::to_string(offset + static_cast<int64_t>(data.size()) - 1));
  auto r = BERTH_TRY(Do(req, Url(location)));
  if (r.status == 416) return Error(Code::kConflict, "upload chunk at " + std::to_string(offset) + ": " + RegistryErrorText(r));
  if (r.status != 202 && r.status != 204) return Error(CodeForStatus(r.status), RegistryErrorText(r));
  std::string next = r.Header("location");
  return next.empty() ? location : next;
}

Result<std::optional<int64_t>> Registry::UploadStatus(const std::string& location) {
  auto r = BERTH_TRY(Do({}, Url(location)));
  if (r.status == 404) return std::optional<int64_t>();
  if (r.status != 204 && r.status != 200) return Error(CodeForStatus(r.status), RegistryErrorText(r));
  // "Range: 0-<last byte>" ("0-0" for an empty upload in the spec's words,
  // though some registries say "0--1").
  std::string range = r.Header("range");
  if (str::StartsWith(range, "bytes=")) range = range.substr(6);
  auto dash = range.find('-');
  if (dash == std::string::npos) return std::optional<int64_t>(0);
  std::string last = range.substr(dash + 1);
  if (last.empty() || last[0] == '-') return std::optional<int64_t>(0);
  char* end = nullptr;
  long long v = std::strtoll(last.c_str(), &end, 10);
  if (end == last.c_str() || *end != '\0' || v < 0) return Error::Invalid("upload status: bad Range " + range);
  // "0-0" is ambiguous (empty or one byte): an empty upload is by far the
  // likelier, and resending one byte costs nothing.
  if (v == 0) return std::optional<int64_t>(0);
  return std::optional<int64_t>(v + 1);
}

Status Registry::CommitUpload(const std::string& location, const Digest& digest) {
  std::string url = Url(location);
  url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + http::QueryEscape(digest.str());
  HttpRequest req;
  req.method = "PUT";
  req.headers.push_back("Content-Type: application/octet-stream");
  auto r = BERTH_TRY(Do(req, url));
  if (r.status != 201 && r.status != 204) return Error(CodeForStatus(r.status), RegistryErrorText(r));
  return Ok();
}

Result<Digest> Registry::PutManifest(std::string_view repo, std::string_view reference,
                                     const std::string& bytes, const std::string& media_type) {
  HttpRequest req;
  req.method = "PUT";
  req.body = bytes;
  req.headers.push_back("Content-Type: " + media_type);
  auto r = BERTH_TRY(Do(req, "/v2/" + std::string(repo) + "/manifests/" + std::string(reference)));
  if (r.status != 201 && r.status != 200 && r.status != 204)
    return Error(CodeForStatus(r.status), RegistryErrorText(r));
  return Sha256Of(bytes);
}

Result<json> Registry::Search(std::string_view term, int limit) {
  std::string path = "/v1/search?q=" + http::QueryEscape(term);
  if (limit > 0) path += "&n=" + std::to_string(limit);
  auto r = BERTH_TRY(Do({}, path));
  if (r.status != 200) return Error(CodeForStatus(r.status), RegistryErrorText(r));
  json j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::Invalid("search: invalid JSON from registry");
  return j;
}

}  // namespace berth::distribution
