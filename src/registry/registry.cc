#include "registry/registry.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "base/log.h"
#include "base/strings.h"
#include "registry/names.h"

namespace berth::registry {
namespace {

// A ResponseWriter that remembers the status and body size for the access log.
class RecordingWriter : public http::ResponseWriter {
 public:
  explicit RecordingWriter(http::ResponseWriter& w) : w_(w) {}
  http::Headers& headers() override { return w_.headers(); }
  Status Send(int status, std::string_view body, std::string_view ct) override {
    status_ = status;
    bytes_ += body.size();
    return w_.Send(status, body, ct);
  }
  Status SendFile(int status, int fd, uint64_t offset, uint64_t length, std::string_view ct) override {
    status_ = status;
    bytes_ += length;
    return w_.SendFile(status, fd, offset, length, ct);
  }
  Status Start(int status, std::string_view ct) override {
    status_ = status;
    return w_.Start(status, ct);
  }
  Status Write(std::string_view data) override {
    if (status_ == 0) status_ = 200;
    bytes_ += data.size();
    return w_.Write(data);
  }
  Status Flush() override { return w_.Flush(); }
  bool ClientGone() override { return w_.ClientGone(); }
  Result<http::Stream*> Hijack(std::string_view ct) override { return w_.Hijack(ct); }
  bool started() const override { return w_.started(); }
  int status() const { return status_; }
  uint64_t bytes() const { return bytes_; }

 private:
  http::ResponseWriter& w_;
  int status_ = 0;
  uint64_t bytes_ = 0;
};

std::string NowRfc3339() {
  time_t t = time(nullptr);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::vector<std::string> Paginate(const std::vector<std::string>& sorted, const std::string& last,
                                  int64_t n, bool* more) {
  auto it = last.empty() ? sorted.begin() : std::upper_bound(sorted.begin(), sorted.end(), last);
  size_t left = static_cast<size_t>(sorted.end() - it);
  size_t take = n < 0 ? left : std::min(left, static_cast<size_t>(n));
  *more = take < left;
  return std::vector<std::string>(it, it + static_cast<ptrdiff_t>(take));
}

Registry::Registry(Storage* storage, Uploads* uploads, Users* users, TokenSigner signer,
                   RegistryOptions options)
    : storage_(storage),
      uploads_(uploads),
      users_(users),
      signer_(std::move(signer)),
      options_(std::move(options)),
      policy_(storage, users) {}

http::Handler Registry::AsHandler() {
  return [this](http::Request& req, http::ResponseWriter& w) { return Serve(req, w); };
}

Status Registry::Serve(http::Request& req, http::ResponseWriter& w) {
  auto t0 = std::chrono::steady_clock::now();
  RecordingWriter rw(w);
  Ctx c{req, rw, {}};
  Status st = Dispatch(c);
  if (!st.ok() && !rw.started()) {
    log::Warn("registry: {} {}: {}", req.method, req.target, st.error().message());
    st = Reply(rw, Internal(st.error()));
  }
  if (options_.access_log) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    LogAccess(c, rw.status() ? rw.status() : 200, rw.bytes(), ms);
  }
  return st;
}

void Registry::LogAccess(const Ctx& c, int status, uint64_t bytes, double ms) {
  std::string line = fmt::format("{} {} {} \"{} {}\" {} {} {:.1f}ms\n", NowRfc3339(),
                                 c.req.remote.empty() ? "-" : c.req.remote,
                                 c.who.user.empty() ? "-" : c.who.user, c.req.method, c.req.target,
                                 status, bytes, ms);
  std::lock_guard lock(log_mu_);
  fputs(line.c_str(), options_.access_log);
  fflush(options_.access_log);
}

Status Registry::Dispatch(Ctx& c) {
  const std::string& m = c.req.method;
  const std::string& path = c.req.path;
  if (str::StartsWith(path, "/v2")) c.w.headers().Set("Docker-Distribution-API-Version", "registry/2.0");

  auto who = policy_.Authenticate(c.req, signer_, options_.service);
  if (!who.ok()) {
    // Docker prints the message: "unauthorized: incorrect username or password".
    ApiError e{"UNAUTHORIZED", 401, who.error().message(), ""};
    if (path != "/token") Challenge(c, "");
    return Fail(c, e);
  }
  c.who = std::move(*who);

  // Only GET: clients fall back to it when the OAuth2 POST form gets a 404.
  if (path == "/token") return m == "GET" ? Token(c) : Fail(c, ApiError{"NOT_FOUND", 404, "use GET /token", ""});
  if (path == "/v1/search") return Search(c);
  if (path == "/v1/_ping") return c.w.Send(200, "{\"standalone\":true}\n");
  if (str::StartsWith(path, "/berth/v1/repositories/"))
    return Settings(c, path.substr(std::string_view("/berth/v1/repositories/").size()));

  using K = V2Route::Kind;
  V2Route r = ParseV2Path(path);
  if (r.kind == K::kNone) return Fail(c, ApiError{"NOT_FOUND", 404, "page not found", path});
  if (r.kind == K::kPing) return m == "GET" || m == "HEAD" ? Ping(c) : Fail(c, Unsupported());
  if (r.kind == K::kCatalog) return m == "GET" ? Catalog(c) : Fail(c, Unsupported());
  if (!ValidRepoName(r.name)) return Fail(c, NameInvalid("invalid repository name \"" + r.name + "\""));
  bool get = m == "GET" || m == "HEAD";
  switch (r.kind) {
    case K::kTags:
      if (get) return ListTags(c, r.name);
      break;
    case K::kManifest:
      if (get) return GetManifest(c, r.name, r.ref);
      if (m == "PUT") return PutManifest(c, r.name, r.ref);
      if (m == "DELETE") return DeleteManifest(c, r.name, r.ref);
      break;
    case K::kBlob:
      if (get) return GetBlob(c, r.name, r.ref);
      if (m == "DELETE") return DeleteBlob(c, r.name, r.ref);
      break;
    case K::kUploads:
      if (m == "POST") return StartUpload(c, r.name);
      break;
    case K::kUpload:
      if (m == "PATCH") return UploadChunk(c, r.name, r.ref);
      if (m == "PUT") return FinishUpload(c, r.name, r.ref);
      if (get) return UploadStatus(c, r.name, r.ref);
      if (m == "DELETE") return CancelUpload(c, r.name, r.ref);
      break;
    case K::kReferrers:
      if (get) return Referrers(c, r.name, r.ref);
      break;
    default:
      break;
  }
  return Fail(c, Unsupported(m + " " + path));
}

void Registry::Challenge(Ctx& c, const std::string& scope) {
  if (options_.basic_challenge) {
    c.w.headers().Set("WWW-Authenticate", "Basic realm=\"" + options_.service + "\"");
    return;
  }
  std::string realm = options_.realm;
  if (realm.empty()) {
    auto host = c.req.headers.Get("Host");
    realm = std::string(options_.tls ? "https://" : "http://") +
            std::string(host ? *host : "127.0.0.1:5000") + "/token";
  }
  std::string v = "Bearer realm=\"" + realm + "\",service=\"" + options_.service + "\"";
  if (!scope.empty()) v += ",scope=\"" + scope + "\"";
  if (c.who.bearer && !scope.empty()) v += ",error=\"insufficient_scope\"";
  c.w.headers().Set("WWW-Authenticate", v);
}

bool Registry::Authorize(Ctx& c, const std::string& repo, Action action) {
  Verdict v = policy_.Check(c.who, repo, action);
  if (v == Verdict::kAllow) return true;
  std::string detail = std::string(ActionName(action)) + " access to " + repo;
  if (v == Verdict::kUnauthenticated) {
    Challenge(c, "repository:" + repo + (action == Action::kPull ? ":pull" : ":pull,push"));
    (void)Fail(c, Unauthorized(detail + " requires authentication"));
  } else {
    (void)Fail(c, Denied(detail + " denied for " + c.who.user));
  }
  return false;
}

Status Registry::Ping(Ctx& c) {
  if (policy_.auth_enabled() && c.who.anonymous() && !c.who.bearer) {
    Challenge(c, "");
    return Fail(c, Unauthorized());
  }
  return c.w.Send(200, "{}\n");
}

Status Registry::Catalog(Ctx& c) {
  auto n = c.req.query.Int("n", -1);
  if (!n.ok() || (c.req.query.Has("n") && *n < 0)) return Fail(c, PaginationInvalid());
  std::vector<std::string> all = BERTH_TRY(storage_->Repositories());
  Identity plain = c.who;
  plain.bearer = false;
  std::erase_if(all, [&](const std::string& r) { return !policy_.CanSee(plain, r); });
  bool more = false;
  int64_t limit = *n < 0 ? 1000 : *n;
  std::vector<std::string> page = Paginate(all, c.req.query.Get("last"), limit, &more);
  if (more && !page.empty())
    c.w.headers().Set("Link", "</v2/_catalog?last=" + http::QueryEscape(page.back()) +
                                  "&n=" + std::to_string(limit) + ">; rel=\"next\"");
  nlohmann::json body = {{"repositories", page}};
  return c.w.Send(200, body.dump() + "\n", "application/json");
}

Status Registry::Token(Ctx& c) {
  // A token request with wrong credentials was refused in Dispatch.
  if (!c.who.bearer && !c.who.anonymous() && c.req.query.Has("account") &&
      c.req.query.Get("account") != c.who.user)
    return Fail(c, Unauthorized("account does not match the credentials"));
  if (c.who.bearer) return Fail(c, Unauthorized("a token cannot buy a token; send Basic credentials"));
  TokenClaims claims;
  claims.issuer = options_.service;
  claims.subject = c.who.user;
  claims.audience = options_.service;
  claims.issued_at = time(nullptr);
  claims.expires_at = claims.issued_at + options_.token_ttl.count();
  for (const std::string& raw : c.req.query.GetAll("scope"))
    for (const std::string& s : str::Split(raw, ' ')) {
      if (s.empty()) continue;
      auto want = ParseScope(s);
      if (!want.ok()) return Fail(c, ApiError{"INVALID_SCOPE", 400, "invalid scope", s});
      AccessEntry granted = *want;
      granted.actions = policy_.Grant(c.who, *want);
      if (!granted.actions.empty()) claims.access.push_back(std::move(granted));
    }
  std::string token = signer_.Issue(claims);
  time_t now = claims.issued_at;
  struct tm tm;
  gmtime_r(&now, &tm);
  char issued[32];
  strftime(issued, sizeof issued, "%Y-%m-%dT%H:%M:%SZ", &tm);
  nlohmann::json body = {{"token", token},
                         {"access_token", token},
                         {"expires_in", options_.token_ttl.count()},
                         {"issued_at", issued}};
  return c.w.Send(200, body.dump() + "\n", "application/json");
}

}  // namespace berth::registry
