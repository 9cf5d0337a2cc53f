// The run group's container calls (see the "Containers (run group)" block
// of client.h): create, start, attach, wait, resize, exec and pull.
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "base/reference.h"
#include "base/strings.h"
#include "client/client.h"
#include "client/stream_call.h"

namespace berth::client {
namespace {

Result<json> ParseBody(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return Error::Internal("invalid JSON from the daemon");
  return j;
}

// A request as Client builds them (version prefix, User-Agent), for the
// calls Client::Do cannot carry (hijack, a head seen before the body).
Result<http::ClientRequest> RawRequest(Client& c, const Call& call) {
  std::string version = BERTH_TRY(c.ApiVersion());
  http::ClientRequest req;
  req.method = call.method;
  req.target = "/v" + version + call.path;
  std::string q = call.query.Encode();
  if (!q.empty()) req.target += "?" + q;
  req.headers.Add("User-Agent", "berth-cli/0.1.0 (linux)");
  if (!call.content_type.empty()) req.headers.Add("Content-Type", call.content_type);
  req.body = call.body;
  return req;
}

Error DaemonError(int status, const std::string& body) {
  Code code = status == 404   ? Code::kNotFound
              : status == 409 ? Code::kConflict
              : status == 400 ? Code::kInvalidArgument
              : status == 501 ? Code::kNotImplemented
                              : Code::kInternal;
  std::string msg(str::Trim(body));
  if (msg.empty()) return Error(code, fmt::format("Error response from daemon: {}", status));
  return Error(code, "Error response from daemon: " + http::ErrorMessageFromBody(msg));
}

Result<std::unique_ptr<http::Stream>> Hijack(Client& c, const Call& call) {
  auto req = BERTH_TRY(RawRequest(c, call));
  auto ep = BERTH_TRY(http::ParseEndpoint(c.host()));
  http::Client hc(ep);
  auto h = hc.Hijack(req);
  if (!h.ok()) {
    return Error(Code::kUnavailable,
                 fmt::format("Cannot connect to the berth daemon at {}. Is berthd running?", c.host()));
  }
  if (!h->stream) return DaemonError(h->response.status, h->response.body);
  return std::move(h->stream);
}

}  // namespace

Result<std::string> ContainerCreate(Client& c, const std::string& body, const std::string& name,
                                    const std::string& platform, std::vector<std::string>* warnings) {
  Call call{.method = "POST", .path = "/containers/create", .body = body,
            .content_type = "application/json"};
  if (!name.empty()) call.query.Add("name", name);
  if (!platform.empty()) call.query.Add("platform", platform);
  auto resp = BERTH_TRY(c.Do(call));
  auto j = BERTH_TRY(ParseBody(resp.body));
  if (warnings && j.contains("Warnings") && j["Warnings"].is_array())
    for (const auto& w : j["Warnings"])
      if (w.is_string()) warnings->push_back(w.get<std::string>());
  if (!j.contains("Id") || !j["Id"].is_string()) return Error::Internal("the daemon sent no container ID");
  return j["Id"].get<std::string>();
}

Status ContainerStart(Client& c, const std::string& id) {
  BERTH_TRY(c.Do({.method = "POST", .path = "/containers/" + id + "/start"}));
  return Ok();
}

Result<std::unique_ptr<http::Stream>> ContainerAttach(Client& c, const std::string& id,
                                                      const AttachOptions& opts) {
  Call call{.method = "POST", .path = "/containers/" + id + "/attach", .content_type = "text/plain"};
  if (opts.stream) call.query.Add("stream", "1");
  if (opts.stdin_) call.query.Add("stdin", "1");
  if (opts.stdout_) call.query.Add("stdout", "1");
  if (opts.stderr_) call.query.Add("stderr", "1");
  if (!opts.detach_keys.empty()) call.query.Add("detachKeys", opts.detach_keys);
  return Hijack(c, call);
}

Status ContainerResize(Client& c, const std::string& id, int height, int width) {
  Call call{.method = "POST", .path = "/containers/" + id + "/resize"};
  call.query.Add("h", std::to_string(height));
  call.query.Add("w", std::to_string(width));
  BERTH_TRY(c.Do(call));
  return Ok();
}

struct ContainerWaiter::State {
  std::mutex mu;
  std::condition_variable cv;
  bool head_seen = false, done = false;
  Status head_status;  // an error before or at the head
  std::string body;
  Outcome outcome;
};

Result<std::unique_ptr<ContainerWaiter>> ContainerWaiter::Start(Client& c, const std::string& id,
                                                                 const std::string& condition) {
  Call call{.method = "POST", .path = "/containers/" + id + "/wait"};
  if (!condition.empty()) call.query.Add("condition", condition);
  auto req = BERTH_TRY(RawRequest(c, call));
  auto ep = BERTH_TRY(http::ParseEndpoint(c.host()));
  auto s = std::make_shared<State>();
  std::thread([s, ep, req]() {
    bool dialed = false;
    Status st = StreamCall(
        ep, req,
        [&](http::ClientResponse& head) -> Status {
          Status r = head.status >= 400 ? Status(DaemonError(head.status, head.body)) : Ok();
          std::lock_guard lock(s->mu);
          s->head_seen = true;
          s->head_status = r;
          s->cv.notify_all();
          return r;
        },
        [&](std::string_view d) -> Status {
          std::lock_guard lock(s->mu);
          s->body.append(d);
          return Ok();
        },
        &dialed);
    std::lock_guard lock(s->mu);
    if (!s->head_seen) {
      s->head_seen = true;
      s->head_status = st.ok() ? Status(Error::Internal("no response to wait")) : st;
    }
    if (!st.ok()) {
      s->outcome.error = st.error().message();
    } else {
      auto j = json::parse(s->body, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        s->outcome.error = "invalid JSON from the daemon";
      } else {
        if (j.contains("StatusCode") && j["StatusCode"].is_number())
          s->outcome.status_code = j["StatusCode"].get<int64_t>();
        if (j.contains("Error") && j["Error"].is_object() && j["Error"].contains("Message") &&
            j["Error"]["Message"].is_string())
          s->outcome.error = j["Error"]["Message"].get<std::string>();
      }
    }
    s->done = true;
    s->cv.notify_all();
  }).detach();
  std::unique_lock lock(s->mu);
  s->cv.wait(lock, [&] { return s->head_seen; });
  if (!s->head_status.ok()) return s->head_status.error();
  return std::unique_ptr<ContainerWaiter>(new ContainerWaiter(s));
}

ContainerWaiter::~ContainerWaiter() = default;

ContainerWaiter::Outcome ContainerWaiter::Get() {
  std::unique_lock lock(s_->mu);
  s_->cv.wait(lock, [&] { return s_->done; });
  return s_->outcome;
}

Result<std::string> ExecCreate(Client& c, const std::string& container, const std::string& body) {
  auto resp = BERTH_TRY(c.Do({.method = "POST", .path = "/containers/" + container + "/exec",
                              .body = body, .content_type = "application/json"}));
  auto j = BERTH_TRY(ParseBody(resp.body));
  if (!j.contains("Id") || !j["Id"].is_string()) return Error::Internal("exec ID empty");
  return j["Id"].get<std::string>();
}

Status ExecStartDetached(Client& c, const std::string& exec_id, bool tty) {
  json body = {{"Detach", true}, {"Tty", tty}};
  BERTH_TRY(c.Do({.method = "POST", .path = "/exec/" + exec_id + "/start", .body = body.dump(),
                  .content_type = "application/json"}));
  return Ok();
}

Result<std::unique_ptr<http::Stream>> ExecStartAttached(Client& c, const std::string& exec_id,
                                                        bool tty) {
  nlohmann::ordered_json body = {{"Detach", false}, {"Tty", tty}};
  return Hijack(c, {.method = "POST", .path = "/exec/" + exec_id + "/start", .body = body.dump(),
                    .content_type = "application/json"});
}

Result<json> ExecInspect(Client& c, const std::string& exec_id) {
  auto resp = BERTH_TRY(c.Do({.path = "/exec/" + exec_id + "/json"}));
  return ParseBody(resp.body);
}

Status ExecResize(Client& c, const std::string& exec_id, int height, int width) {
  Call call{.method = "POST", .path = "/exec/" + exec_id + "/resize"};
  call.query.Add("h", std::to_string(height));
  call.query.Add("w", std::to_string(width));
  BERTH_TRY(c.Do(call));
  return Ok();
}

}  // namespace berth::client
