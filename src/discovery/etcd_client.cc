#include "discovery/etcd_client.h"

#include <poll.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/fs.h"
#include "base/strings.h"
#include "discovery/codec.h"

namespace berth::discovery {

using nlohmann::json;

std::string PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) < 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

int64_t JsonInt(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end()) return 0;
  if (it->is_number()) return it->get<int64_t>();
  if (it->is_string()) return str::ParseInt(it->get<std::string>()).value_or(0);
  return 0;
}

std::string RedactUrl(const std::string& url) {
  size_t at = url.rfind('@');
  if (!str::StartsWith(url, "etcd://") || at == std::string::npos) return url;
  std::string user = url.substr(7, at - 7);
  return "etcd://" + user.substr(0, user.find(':')) + ":***" + url.substr(at);
}

Result<std::unique_ptr<EtcdClient>> EtcdClient::Open(const std::string& url) {
  if (!str::StartsWith(url, "etcd://"))
    return Error::Invalid("etcd URL must be etcd://[user:password@]host:port,...");
  auto c = std::make_unique<EtcdClient>();
  std::string hosts = url.substr(7);
  // user:password@ before the hosts (which never hold an '@').
  if (size_t at = hosts.rfind('@'); at != std::string::npos) {
    std::string userinfo = hosts.substr(0, at);
    hosts = hosts.substr(at + 1);
    size_t colon = userinfo.find(':');
    c->user_ = userinfo.substr(0, colon);
    if (colon != std::string::npos) c->password_ = userinfo.substr(colon + 1);
    if (c->user_.empty()) return Error::Invalid("etcd URL " + RedactUrl(url) + ": empty user name");
  }
  for (const std::string& hp : str::Split(hosts, ',')) {
    if (hp.empty()) continue;
    http::Endpoint ep = BERTH_TRY(http::ParseEndpoint("tcp://" + hp).Context("etcd endpoint " + hp));
    c->endpoints_.push_back(ep);
  }
  if (c->endpoints_.empty()) return Error::Invalid("etcd URL names no endpoint: " + RedactUrl(url));
  return c;
}

namespace {

// "/v3/kv/put key \"app/x\"": the call and, when the body names one, the
// key (decoded from etcd's base64) for error messages.
std::string Describe(const std::string& path, const json& body) {
  std::string what = "/v3/" + path;
  auto k = body.find("key");
  if (k != body.end() && k->is_string()) {
    auto key = Base64Decode(k->get<std::string>());
    what += fmt::format(" key \"{}\"", key.ok() ? *key : k->get<std::string>());
  }
  return what;
}

}  // namespace

Result<std::string> EtcdClient::Token(const std::string& stale) {
  if (user_.empty()) return std::string();
  std::lock_guard<std::mutex> l(auth_mu_);
  if (!token_.empty() && token_ != stale) return token_;
  json body = {{"name", user_}, {"password", password_}};
  auto r = CallOnce("auth/authenticate", body, "");
  if (!r.ok())
    return Error(r.error().code() == Code::kInternal ? Code::kUnauthorized : r.error().code(),
                 "etcd authentication as \"" + user_ + "\" failed: " + r.error().message());
  token_ = r->value("token", "");
  if (token_.empty()) return Error(Code::kUnauthorized, "etcd authentication as \"" + user_ +
                                                            "\": no token in the answer");
  return token_;
}

Result<json> EtcdClient::Call(const std::string& path, const json& body) {
  std::string token = BERTH_TRY(Token());
  auto r = CallOnce(path, body, token);
  // etcd's simple tokens expire (--auth-token-ttl, 5 min idle by default),
  // and a restarted member forgets them: authenticate again, once.
  if (!r.ok() && !token.empty() && r.error().code() == Code::kUnauthorized) {
    token = BERTH_TRY(Token(token));
    r = CallOnce(path, body, token);
  }
  return r;
}

Result<json> EtcdClient::CallOnce(const std::string& path, const json& body,
                                  const std::string& token) {
  http::ClientRequest req;
  req.method = "POST";
  req.target = "/v3/" + path;
  req.headers.Add("Content-Type", "application/json");
  if (!token.empty()) req.headers.Add("Authorization", token);
  req.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  const std::string what = Describe(path, body);
  size_t start;
  {
    std::lock_guard<std::mutex> l(mu_);
    start = preferred_;
  }
  // The endpoint that answered last first, then the others in order. A
  // member that cannot be reached, drops the connection or answers 502/503
  // (no leader, shutting down) is skipped; writes move on too, as etcd's own
  // client does, so a put or delete may reach the cluster twice (both are
  // idempotent; a txn's compare guards the rest).
  std::string failures;
  for (size_t n = 0; n < endpoints_.size(); ++n) {
    size_t i = (start + n) % endpoints_.size();
    const std::string ep = endpoints_[i].ToString();
    std::unique_ptr<http::Client> client;
    {
      std::lock_guard<std::mutex> l(mu_);
      for (auto it = idle_.begin(); it != idle_.end(); ++it)
        if (it->first == i) {
          client = std::move(it->second);
          idle_.erase(it);
          break;
        }
    }
    if (!client) client = std::make_unique<http::Client>(endpoints_[i]);
    auto r = client->Do(req, 64u << 20);
    std::string failure;
    if (!r.ok()) {
      if (r.error().code() == Code::kInvalidArgument)  // the answer, not the member, is bad
        return std::move(r).error().Context(fmt::format("etcd {} {}", ep, what));
      failure = r.error().message();
    } else if (r->status == 503 || r->status == 502) {
      failure = fmt::format("HTTP {}: {}", r->status, r->body.substr(0, 200));
    }
    if (!failure.empty()) {
      failures += (failures.empty() ? "" : "; ") + ep + ": " + failure;
      continue;
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      preferred_ = i;
      if (idle_.size() < 16) idle_.emplace_back(i, std::move(client));
    }
    json j = json::parse(r->body, nullptr, false);
    if (j.is_discarded())
      return Error::Internal(fmt::format("etcd {} {}: HTTP {} with a non-JSON body: {}", ep, what,
                                         r->status, r->body.substr(0, 200)));
    if (r->status != 200) {
      std::string msg = j.value("message", j.value("error", r->body));
      Code code = r->status == 400   ? Code::kInvalidArgument
                  : r->status == 401 ? Code::kUnauthorized
                  : r->status == 403 ? Code::kPermissionDenied
                                     : Code::kInternal;
      return Error(code, fmt::format("etcd {} {}: HTTP {}: {}", ep, what, r->status, msg));
    }
    return j;
  }
  return Error(Code::kUnavailable, fmt::format("etcd {}: no endpoint answered ({})", what,
                                 failures.empty() ? "none configured" : failures));
}

namespace {

// Reads from fd until deadline; false on timeout or end.
Result<bool> ReadSome(int fd, std::string* buf, std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  struct pollfd p = {fd, POLLIN, 0};
  int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
  if (n < 0) return errno == EINTR ? Result<bool>(true) : Result<bool>(Error::Sys("poll etcd watch"));
  if (n == 0) return true;  // loop re-checks the deadline
  char tmp[16384];
  ssize_t got = ::read(fd, tmp, sizeof tmp);
  if (got < 0) return Error::Sys("read etcd watch");
  if (got == 0) return Error(Code::kUnavailable, "etcd closed the watch");
  buf->append(tmp, static_cast<size_t>(got));
  return true;
}

// Reads a watch response from fd: the events of the first message that has
// any, none when deadline passes first. *accepted becomes true once etcd
// answered 200 (errors before that mean this member did not take the watch).
Result<std::vector<json>> ReadWatch(int fd, std::chrono::steady_clock::time_point deadline,
                                    const std::string& where, bool* accepted) {
  std::string raw, decoded;
  size_t head_end = std::string::npos, pos = 0, lines_at = 0;
  for (;;) {
    bool more = BERTH_TRY(ReadSome(fd, &raw, deadline).Context(where));
    if (!more) return std::vector<json>{};
    if (head_end == std::string::npos) {
      head_end = raw.find("\r\n\r\n");
      if (head_end == std::string::npos) continue;
      if (raw.compare(0, 12, "HTTP/1.1 200") != 0)
        return Error(Code::kUnavailable, where + ": " + raw.substr(0, raw.find("\r\n")));
      *accepted = true;
      pos = head_end + 4;
    }
    // De-chunk what is complete.
    for (;;) {
      size_t eol = raw.find("\r\n", pos);
      if (eol == std::string::npos) break;
      std::string_view line = std::string_view(raw).substr(pos, eol - pos);
      auto size = str::ParseUint(line.substr(0, line.find(';')), 16);
      if (!size)
        return Error::Internal(fmt::format("{}: bad chunk size line \"{}\"",
                                           where, line.substr(0, 40)));
      if (raw.size() < eol + 2 + *size + 2) break;
      if (*size == 0) return Error(Code::kUnavailable, where + ": etcd ended the watch");
      decoded.append(raw, eol + 2, *size);
      pos = eol + 2 + *size + 2;
    }
    for (;;) {
      size_t nl = decoded.find('\n', lines_at);
      if (nl == std::string::npos) break;
      json msg = json::parse(decoded.substr(lines_at, nl - lines_at), nullptr, false);
      lines_at = nl + 1;
      if (msg.is_discarded()) continue;
      const json& res = msg.contains("result") ? msg["result"] : msg;
      if (JsonInt(res, "compact_revision") > 0)
        return Error(Code::kConflict, where + ": revision compacted");
      if (res.contains("events") && !res["events"].empty())
        return res["events"].get<std::vector<json>>();
      if (msg.contains("error")) return Error::Internal(where + ": " + msg["error"].dump());
    }
  }
}

}  // namespace

Result<std::vector<json>> EtcdClient::WatchOnce(const std::string& key,
                                                const std::string& range_end,
                                                int64_t start_revision,
                                                std::chrono::steady_clock::time_point deadline,
                                                bool prev_kv) {
  json create = {{"key", Base64Encode(key)},
                 {"range_end", Base64Encode(range_end)},
                 {"start_revision", std::to_string(start_revision)},
                 {"prev_kv", prev_kv}};
  std::string body = json{{"create_request", create}}.dump();
  std::string token = BERTH_TRY(Token());
  std::string auth = token.empty() ? "" : "Authorization: " + token + "\r\n";
  size_t start;
  {
    std::lock_guard<std::mutex> l(mu_);
    start = preferred_;
  }
  // The endpoints in Call's order: the one that answered last, then the rest.
  // An endpoint that cannot be reached or does not accept the watch is
  // skipped; once one streams, its answer (events, timeout or error) is final.
  Error last(Code::kUnavailable, "no etcd endpoint");
  for (size_t n = 0; n < endpoints_.size(); ++n) {
    size_t i = (start + n) % endpoints_.size();
    const http::Endpoint& ep = endpoints_[i];
    std::string where = "etcd watch " + ep.ToString() + " key " + key;
    auto fd = http::Dial(ep);
    if (!fd.ok()) {
      last = std::move(fd).error().Context(where);
      continue;
    }
    std::string req = fmt::format(
        "POST /v3/watch HTTP/1.1\r\nHost: {}:{}\r\nContent-Type: application/json\r\n"
        "{}Content-Length: {}\r\n\r\n{}",
        ep.host, ep.port, auth, body.size(), body);
    if (Status w = fs::WriteAll(fd->get(), req); !w.ok()) {
      last = std::move(w).error().Context(where + ": send");
      continue;
    }
    bool accepted = false;
    auto events = ReadWatch(fd->get(), deadline, where, &accepted);
    if (!accepted && !events.ok()) {  // this member refused: try the next
      last = std::move(events).error();
      continue;
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      preferred_ = i;
    }
    return events;
  }
  return last;
}

}  // namespace berth::discovery
