// The container calls of the manage group (ps, inspect, logs, stop, …, cp,
// stats, prune): see the "Containers (manage group)" block of client.h.
#include <fmt/format.h>

#include "base/reference.h"
#include "base/strings.h"
#include "client/client.h"

namespace berth::client {
namespace {

Result<json> ParseBody(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return Error::Internal("invalid JSON from the daemon");
  return j;
}

std::string Path(const std::string& id, std::string_view what = "") {
  std::string p = "/containers/" + id;
  if (!what.empty()) p += "/" + std::string(what);
  return p;
}

Status Post(Client& c, const std::string& path, http::Query q = {}) {
  Call call{.method = "POST", .path = path, .query = std::move(q)};
  BERTH_TRY(c.Do(call));
  return Ok();
}

// Go's base64.StdEncoding (padding optional, as the stat header is padded).
std::optional<std::string> Base64Decode(std::string_view in) {
  auto val = [](char ch) -> int {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+' || ch == '-') return 62;
    if (ch == '/' || ch == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    if (ch == '=' || ch == '\n' || ch == '\r') continue;
    int v = val(ch);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

Result<json> DecodeStatHeader(const http::ClientResponse& resp) {
  auto h = resp.headers.Get("X-Docker-Container-Path-Stat");
  if (!h) return Error::Internal("the daemon sent no X-Docker-Container-Path-Stat header");
  auto raw = Base64Decode(*h);
  if (!raw) return Error::Internal("unable to decode container path stat header");
  auto j = json::parse(*raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::Internal("unable to decode container path stat header");
  return j;
}

// Only the daemon's 404 (a HEAD's has no body): not a local error that
// happens to be kNotFound.
Error PathNotFound(Error e, const std::string& id, const std::string& path) {
  if (e.code() != Code::kNotFound) return e;
  if (!str::StartsWith(e.message(), "Error response from daemon") && !str::StartsWith(e.message(), "request returned"))
    return e;
  return Error(Code::kNotFound, fmt::format("Error: No such container:path: {}:{}", id, path));
}

}  // namespace

Result<json> ContainerList(Client& c, const ContainerListOptions& opts) {
  Call call{.path = "/containers/json"};
  if (opts.all) call.query.Add("all", "1");
  if (opts.limit > 0) call.query.Add("limit", std::to_string(opts.limit));
  if (opts.size) call.query.Add("size", "1");
  if (!opts.filters.empty()) call.query.Add("filters", opts.filters.ToJson());
  auto resp = BERTH_TRY(c.Do(call));
  return ParseBody(resp.body);
}

Result<std::string> ContainerInspectRaw(Client& c, const std::string& id, bool size) {
  if (id.empty()) return Error(Code::kNotFound, "Error: No such container: ");
  Call call{.path = Path(id, "json")};
  if (size) call.query.Add("size", "1");
  auto resp = c.Do(call);
  if (!resp.ok()) return WrapNotFound(std::move(resp).error(), "container", id);
  return std::move(resp->body);
}

Result<json> ContainerInspect(Client& c, const std::string& id) {
  auto raw = BERTH_TRY(ContainerInspectRaw(c, id));
  return ParseBody(raw);
}

Status ContainerLogs(Client& c, const std::string& id, const ContainerLogsOptions& opts,
                     const http::Client::DataFn& on_data) {
  Call call{.path = Path(id, "logs")};
  call.query.Add("stdout", "1");
  call.query.Add("stderr", "1");
  if (!opts.since.empty()) call.query.Add("since", opts.since);
  if (!opts.until.empty()) call.query.Add("until", opts.until);
  if (opts.timestamps) call.query.Add("timestamps", "1");
  if (opts.details) call.query.Add("details", "1");
  if (opts.follow) call.query.Add("follow", "1");
  if (!opts.tail.empty()) call.query.Add("tail", opts.tail);
  return c.Stream(call, on_data);
}

Status ContainerStop(Client& c, const std::string& id, int64_t timeout) {
  http::Query q;
  if (timeout >= 0) q.Add("t", std::to_string(timeout));
  return Post(c, Path(id, "stop"), std::move(q));
}

Status ContainerRestart(Client& c, const std::string& id, int64_t timeout) {
  http::Query q;
  if (timeout >= 0) q.Add("t", std::to_string(timeout));
  return Post(c, Path(id, "restart"), std::move(q));
}

Status ContainerKill(Client& c, const std::string& id, const std::string& signal) {
  http::Query q;
  if (!signal.empty()) q.Add("signal", signal);
  return Post(c, Path(id, "kill"), std::move(q));
}

Status ContainerRemove(Client& c, const std::string& id, bool force, bool volumes, bool link) {
  Call call{.method = "DELETE", .path = Path(id)};
  if (volumes) call.query.Add("v", "1");
  if (link) call.query.Add("link", "1");
  if (force) call.query.Add("force", "1");
  auto resp = c.Do(call);
  if (!resp.ok()) return WrapNotFound(std::move(resp).error(), "container", id);
  return Ok();
}

Result<json> ContainerWait(Client& c, const std::string& id, const std::string& condition) {
  Call call{.method = "POST", .path = Path(id, "wait")};
  if (!condition.empty()) call.query.Add("condition", condition);
  auto resp = BERTH_TRY(c.Do(call));
  return ParseBody(resp.body);
}

Result<json> ContainerTop(Client& c, const std::string& id, const std::string& ps_args) {
  Call call{.path = Path(id, "top")};
  if (!ps_args.empty()) call.query.Add("ps_args", ps_args);
  auto resp = BERTH_TRY(c.Do(call));
  return ParseBody(resp.body);
}

Status ContainerRename(Client& c, const std::string& id, const std::string& name) {
  http::Query q;
  q.Add("name", name);
  return Post(c, Path(id, "rename"), std::move(q));
}

Status ContainerPause(Client& c, const std::string& id) { return Post(c, Path(id, "pause")); }
Status ContainerUnpause(Client& c, const std::string& id) { return Post(c, Path(id, "unpause")); }

Result<json> ContainerUpdate(Client& c, const std::string& id, const json& body) {
  Call call{.method = "POST", .path = Path(id, "update"), .body = body.dump(),
            .content_type = "application/json"};
  auto resp = BERTH_TRY(c.Do(call));
  return ParseBody(resp.body);
}

Result<json> ContainerCommit(Client& c, const std::string& id, const ContainerCommitOptions& opts) {
  std::string repo, tag;
  if (!opts.reference.empty()) {
    auto r = ref::ParseNormalized(opts.reference);
    if (!r.ok()) return std::move(r).error();
    if (!r->digest.empty()) return Error::Invalid("refusing to create a tag with a digest reference");
    auto named = r->WithDefaultTag();
    repo = named.FamiliarName();
    tag = named.tag;
  }
  Call call{.method = "POST", .path = "/commit"};
  call.query.Add("container", id);
  call.query.Add("repo", repo);
  call.query.Add("tag", tag);
  call.query.Add("comment", opts.comment);
  call.query.Add("author", opts.author);
  for (const auto& ch : opts.changes) call.query.Add("changes", ch);
  if (!opts.pause) call.query.Add("pause", "0");
  auto resp = BERTH_TRY(c.Do(call));
  return ParseBody(resp.body);
}

Status ContainerExport(Client& c, const std::string& id, const http::Client::DataFn& on_data) {
  return c.Stream({.path = Path(id, "export")}, on_data);
}

Result<json> ContainerStatPath(Client& c, const std::string& id, const std::string& path) {
  Call call{.method = "HEAD", .path = Path(id, "archive")};
  call.query.Add("path", path);
  auto resp = c.Do(call);
  if (!resp.ok()) return PathNotFound(std::move(resp).error(), id, path);
  return DecodeStatHeader(*resp);
}

Status CopyFromContainer(Client& c, const std::string& id, const std::string& path,
                         const http::Client::DataFn& on_data, json* stat) {
  Call call{.path = Path(id, "archive")};
  call.query.Add("path", path);
  http::ClientResponse head;
  bool first = true;
  Status st = c.Stream(call, [&](std::string_view d) -> Status {
    if (first) {
      first = false;
      if (stat) *stat = BERTH_TRY(DecodeStatHeader(head));
    }
    return on_data(d);
  }, &head);
  if (!st.ok()) return PathNotFound(std::move(st).error(), id, path);
  if (first && stat) *stat = BERTH_TRY(DecodeStatHeader(head));
  return Ok();
}

Status CopyToContainer(Client& c, const std::string& id, const std::string& path,
                       http::BodyReader& body, bool no_overwrite_dir_non_dir, bool copy_uid_gid) {
  Call call{.method = "PUT", .path = Path(id, "archive"), .content_type = "application/x-tar",
            .body_reader = &body};
  call.query.Add("path", path);
  if (no_overwrite_dir_non_dir) call.query.Add("noOverwriteDirNonDir", "true");
  if (copy_uid_gid) call.query.Add("copyUIDGID", "true");
  auto resp = c.Do(call);
  if (!resp.ok()) return PathNotFound(std::move(resp).error(), id, path);
  return Ok();
}

Result<json> ContainerChanges(Client& c, const std::string& id) {
  auto resp = BERTH_TRY(c.Do({.path = Path(id, "changes")}));
  return ParseBody(resp.body);
}

Status ContainerStats(Client& c, const std::string& id, bool stream,
                      const JsonStreamDecoder::Fn& on_sample) {
  Call call{.path = Path(id, "stats")};
  call.query.Add("stream", stream ? "1" : "0");
  JsonStreamDecoder dec(on_sample);
  BERTH_TRY(c.Stream(call, [&](std::string_view d) { return dec.Feed(d); }));
  return dec.Finish();
}

Result<json> ContainersPrune(Client& c, const Filters& filters) {
  Call call{.method = "POST", .path = "/containers/prune"};
  if (!filters.empty()) call.query.Add("filters", filters.ToJson());
  auto resp = BERTH_TRY(c.Do(call));
  return ParseBody(resp.body);
}

}  // namespace berth::client
