#include "client/client.h"

#include <fmt/format.h>

#include "base/reference.h"
#include "client/stream_call.h"
#include "base/strings.h"
#include "http/router.h"

namespace berth::client {

std::string Filters::ToJson() const {
  json j = json::object();
  for (const auto& [name, values] : m_) {
    json v = json::object();
    for (const auto& value : values) v[value] = true;
    j[name] = v;
  }
  return j.dump();
}

Status JsonStreamDecoder::Feed(std::string_view data) {
  buf_.append(data);
  size_t start = 0;
  for (size_t i = scan_; i < buf_.size(); ++i) {
    char c = buf_[i];
    if (in_string_) {
      if (escape_) escape_ = false;
      else if (c == '\\') escape_ = true;
      else if (c == '"') in_string_ = false;
      continue;
    }
    if (!started_) {
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        start = i + 1;
        continue;
      }
      started_ = true;
      start = i;
    }
    if (c == '"') in_string_ = true;
    else if (c == '{' || c == '[') ++depth_;
    else if (c == '}' || c == ']') --depth_;
    if (depth_ == 0 && (c == '}' || c == ']')) {
      auto v = json::parse(buf_.begin() + static_cast<long>(start), buf_.begin() + static_cast<long>(i) + 1,
                           nullptr, false);
      if (v.is_discarded()) return Error::Invalid("invalid JSON in the daemon's stream");
      started_ = false;
      start = i + 1;
      BERTH_TRY(fn_(v));
    }
  }
  if (!started_) {
    buf_.clear();
    scan_ = 0;
  } else {
    buf_.erase(0, start);
    scan_ = buf_.size();
  }
  return Ok();
}

Status JsonStreamDecoder::Finish() {
  if (started_) return Error::Invalid("unexpected EOF in the daemon's stream");
  return Ok();
}

Client::Client(std::string host, http::Endpoint endpoint)
    : host_(std::move(host)), endpoint_(endpoint), http_(std::move(endpoint)) {}

Result<std::unique_ptr<Client>> Client::New(const std::string& host) {
  auto ep = http::ParseEndpoint(host);
  if (!ep.ok()) return Error::Invalid(fmt::format("unable to parse docker host `{}`", host));
  return std::unique_ptr<Client>(new Client(host, *ep));
}

Error Client::ConnectionError(const Error& e) const {
  if (e.code() == Code::kPermissionDenied) {
    std::string dial = endpoint_.kind == http::Endpoint::Kind::kUnix
                           ? fmt::format("dial unix {}: connect: permission denied", endpoint_.path)
                           : e.message();
    return Error(Code::kPermissionDenied,
                 fmt::format("permission denied while trying to connect to the berth daemon socket "
                             "at {}: {} (add your user to the 'berth' group)",
                             host_, dial));
  }
  return Error(Code::kUnavailable,
               fmt::format("Cannot connect to the berth daemon at {}. Is berthd running?", host_));
}

namespace {

Code CodeForStatus(int status) {
  switch (status) {
    case 400: return Code::kInvalidArgument;
    case 401: return Code::kUnauthorized;
    case 403: return Code::kPermissionDenied;
    case 404: return Code::kNotFound;
    case 409: return Code::kConflict;
    case 501: return Code::kNotImplemented;
    case 503: return Code::kUnavailable;
    default: return Code::kInternal;
  }
}

}  // namespace

Error Client::ResponseError(const http::ClientResponse& resp, const std::string& target) const {
  std::string body(str::Trim(resp.body));
  Code code = CodeForStatus(resp.status);
  if (body.empty()) {
    std::string host = endpoint_.kind == http::Endpoint::Kind::kUnix
                           ? "http://" + http::QueryEscape(endpoint_.path)
                           : fmt::format("http://{}:{}", endpoint_.host, endpoint_.port);
    return Error(code, fmt::format("request returned {} for API route and version {}{}, check if "
                                   "the server supports the requested API version",
                                   http::ReasonPhrase(resp.status), host, target));
  }
  return Error(code, "Error response from daemon: " + http::ErrorMessageFromBody(body));
}

Error WrapNotFound(Error e, std::string_view object, std::string_view id) {
  if (e.code() != Code::kNotFound || !str::StartsWith(e.message(), "Error response from daemon"))
    return e;
  return Error(Code::kNotFound, fmt::format("Error: No such {}: {}", object, id));
}

std::string Client::Target(const Call& call) const {
  std::string t = "/v" + version_ + call.path;
  std::string q = call.query.Encode();
  if (!q.empty()) t += "?" + q;
  return t;
}

http::ClientRequest Client::Request(const Call& call) const {
  http::ClientRequest req;
  req.method = call.method;
  req.target = Target(call);
  req.headers.Add("User-Agent", "berth-cli/0.1.0 (linux)");
  if (!call.content_type.empty()) req.headers.Add("Content-Type", call.content_type);
  for (const auto& [k, v] : call.headers) req.headers.Add(k, v);
  req.body = call.body;
  req.body_reader = call.body_reader;
  return req;
}

Status Client::Negotiate() {
  if (!version_.empty()) return Ok();
  auto resp = BERTH_TRY(Ping());
  std::string v(resp.headers.Get("API-Version").value_or(""));
  if (v.empty()) v = std::string(kFallbackApiVersion);
  if (http::CompareVersions(v, kMaxApiVersion) > 0) v = std::string(kMaxApiVersion);
  version_ = v;
  build_sources_ = resp.headers.Get("Berth-Build-Sources").value_or("") == "1";
  return Ok();
}

Result<bool> Client::BuildSourcesByReference() {
  BERTH_TRY(Negotiate());
  return build_sources_ && endpoint_.kind == http::Endpoint::Kind::kUnix;
}

Result<std::string> Client::ApiVersion() {
  BERTH_TRY(Negotiate());
  return version_;
}

Result<http::ClientResponse> Client::Ping() {
  http::ClientRequest req;
  req.target = "/_ping";
  req.headers.Add("User-Agent", "berth-cli/0.1.0 (linux)");
  auto resp = http_.Do(req);
  if (!resp.ok()) return ConnectionError(resp.error());
  return std::move(resp).value();
}

Result<http::ClientResponse> Client::Do(const Call& call) {
  BERTH_TRY(Negotiate());
  auto req = Request(call);
  auto resp = http_.Do(req);
  if (!resp.ok()) return ConnectionError(resp.error());
  if (resp->status >= 400) return ResponseError(*resp, req.target);
  return std::move(resp).value();
}

Status Client::Stream(const Call& call, const http::Client::DataFn& on_data,
                      http::ClientResponse* head) {
  BERTH_TRY(Negotiate());
  auto req = Request(call);
  bool dialed = false;
  Status st = StreamCall(
      endpoint_, req,
      [&](http::ClientResponse& h) -> Status {
        // head gets an error's headers too (berth kv reads a 404's X-Consul-Index).
        if (head) *head = h;
        if (h.status >= 400) return ResponseError(h, req.target);
        return Ok();
      },
      on_data, &dialed);
  if (!st.ok() && !dialed) return ConnectionError(st.error());
  return st;
}

Status Client::StreamMessages(const Call& call, const JsonStreamDecoder::Fn& on_message,
                              const http::Client::DataFn& on_raw) {
  http::ClientResponse head;
  JsonStreamDecoder dec(on_message);
  bool is_json = false;
  BERTH_TRY(Stream(call, [&](std::string_view d) -> Status {
    is_json = str::StartsWith(head.headers.Get("Content-Type").value_or(""), "application/json");
    if (is_json) return dec.Feed(d);
    if (on_raw) return on_raw(d);
    return Ok();
  }, &head));
  return is_json ? dec.Finish() : Ok();
}

namespace {

Result<json> ParseJson(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return Error::Internal("invalid JSON from the daemon");
  return j;
}

}  // namespace

Result<json> Client::Version() {
  auto resp = BERTH_TRY(Do({.path = "/version"}));
  return ParseJson(resp.body);
}

Result<json> Client::Info() {
  auto resp = BERTH_TRY(Do({.path = "/info"}));
  return ParseJson(resp.body);
}

Result<json> Client::DiskUsage() {
  auto resp = BERTH_TRY(Do({.path = "/system/df"}));
  return ParseJson(resp.body);
}

Result<json> Client::ImageList(bool all, const Filters& filters) {
  Call c{.path = "/images/json"};
  if (all) c.query.Add("all", "1");
  if (!filters.empty()) c.query.Add("filters", filters.ToJson());
  auto resp = BERTH_TRY(Do(c));
  return ParseJson(resp.body);
}

Result<std::string> Client::ImageInspectRaw(const std::string& name) {
  if (name.empty()) return Error(Code::kNotFound, "Error: No such image: ");
  auto resp = Do({.path = "/images/" + name + "/json"});
  if (!resp.ok()) return WrapNotFound(std::move(resp).error(), "image", name);
  return std::move(resp->body);
}

Result<json> Client::ImageHistory(const std::string& name) {
  auto resp = BERTH_TRY(Do({.path = "/images/" + name + "/history"}));
  return ParseJson(resp.body);
}

Status Client::ImageTag(const std::string& source, const std::string& target) {
  auto src = ref::ParseAny(source);
  if (!src.ok())
    return Error::Invalid(fmt::format("Error parsing reference: \"{}\" is not a valid repository/tag: {}",
                                      source, src.error().message()));
  auto dst = ref::ParseNormalized(target);
  if (!dst.ok())
    return Error::Invalid(fmt::format("Error parsing reference: \"{}\" is not a valid repository/tag: {}",
                                      target, dst.error().message()));
  if (!dst->digest.empty()) return Error::Invalid("refusing to create a tag with a digest reference");
  auto named = dst->WithDefaultTag();
  Call c{.method = "POST", .path = "/images/" + source + "/tag"};
  c.query.Add("repo", named.FamiliarName());
  c.query.Add("tag", named.tag);
  BERTH_TRY(Do(c));
  return Ok();
}

Result<json> Client::ImageRemove(const std::string& name, bool force, bool no_prune) {
  Call c{.method = "DELETE", .path = "/images/" + name};
  if (force) c.query.Add("force", "1");
  if (no_prune) c.query.Add("noprune", "1");
  auto resp = Do(c);
  if (!resp.ok()) return WrapNotFound(std::move(resp).error(), "image", name);
  return ParseJson(resp->body);
}

Result<json> Client::ImagesPrune(const Filters& filters) {
  Call c{.method = "POST", .path = "/images/prune"};
  if (!filters.empty()) c.query.Add("filters", filters.ToJson());
  auto resp = BERTH_TRY(Do(c));
  return ParseJson(resp.body);
}

Status Client::ImageSave(const std::vector<std::string>& names, const http::Client::DataFn& on_data) {
  Call c{.path = "/images/get"};
  for (const auto& n : names) c.query.Add("names", n);
  return Stream(c, on_data);
}

Status Client::ImageLoad(http::BodyReader& body, bool quiet, const JsonStreamDecoder::Fn& on_message,
                         const http::Client::DataFn& on_raw) {
  Call c{.method = "POST", .path = "/images/load", .content_type = "application/x-tar",
         .body_reader = &body};
  c.query.Add("quiet", quiet ? "1" : "0");
  return StreamMessages(c, on_message, on_raw);
}

Status Client::ImageImport(const ImportOptions& opts, http::BodyReader* body,
                           const JsonStreamDecoder::Fn& on_message) {
  if (!opts.ref.empty()) {
    auto r = ref::ParseNormalized(opts.ref);
    if (!r.ok()) return std::move(r).error();
  }
  Call c{.method = "POST", .path = "/images/create"};
  c.query.Add("fromSrc", opts.source);
  c.query.Add("repo", opts.ref);
  c.query.Add("tag", "");
  c.query.Add("message", opts.message);
  for (const auto& ch : opts.changes) c.query.Add("changes", ch);
  if (body) {
    c.body_reader = body;
    c.content_type = "application/x-tar";
  }
  return StreamMessages(c, on_message, nullptr);
}

Status Client::Events(const std::string& since, const std::string& until, const Filters& filters,
                      const JsonStreamDecoder::Fn& on_event) {
  Call c{.path = "/events"};
  if (!since.empty()) c.query.Add("since", since);
  if (!until.empty()) c.query.Add("until", until);
  if (!filters.empty()) c.query.Add("filters", filters.ToJson());
  JsonStreamDecoder dec(on_event);
  BERTH_TRY(Stream(c, [&](std::string_view d) { return dec.Feed(d); }));
  return dec.Finish();
}

}  // namespace berth::client
