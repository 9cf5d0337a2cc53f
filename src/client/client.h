// Client: a thin, typed client of the Docker Engine API (v1.41) as the
// docker CLI uses it. It speaks only HTTP (berth_http) and returns the
// daemon's JSON as it came.
//
// Versions: the first call pings GET /_ping and uses min(API-Version of the
// daemon, 1.41) as the /v1.NN prefix of every later request (1.24 when the
// daemon sends none), as the docker client's version negotiation does.
//
// Errors carry the text the docker CLI prints:
//   - no daemon: kUnavailable, "Cannot connect to the berth daemon at
//     unix:///run/berth/berth.sock. Is berthd running?"
//   - socket permission: kPermissionDenied, "permission denied while trying
//     to connect to the berth daemon socket at …: … (add your user to the
//     'berth' group)"
//   - a daemon error: the code of its status (404 kNotFound, 409 kConflict,
//     …) and "Error response from daemon: <message>"; for inspect, remove
//     and history of an image a 404 reads "Error: No such image: <name>" as
//     docker's client wraps it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "http/client.h"
#include "http/handler.h"
#include "http/message.h"

namespace berth::client {

inline constexpr std::string_view kDefaultHost = "unix:///run/berth/berth.sock";
inline constexpr std::string_view kMaxApiVersion = "1.41";
inline constexpr std::string_view kFallbackApiVersion = "1.24";

using json = nlohmann::json;

// Docker's filters.Args: name → set of values, sent as
// {"name":{"value":true}}.
class Filters {
 public:
  void Add(const std::string& name, const std::string& value) { m_[name].insert(value); }
  bool empty() const { return m_.empty(); }
  std::string ToJson() const;

 private:
  std::map<std::string, std::set<std::string>> m_;
};

// Splits a byte stream of concatenated JSON values (newline-separated or
// not), as Go's json.Decoder reads docker's event and progress streams.
class JsonStreamDecoder {
 public:
  using Fn = std::function<Status(const json&)>;
  explicit JsonStreamDecoder(Fn fn) : fn_(std::move(fn)) {}
  Status Feed(std::string_view data);
  // Call at the end of the stream: a partial value left over is an error.
  Status Finish();

 private:
  Fn fn_;
  std::string buf_;
  size_t scan_ = 0;
  int depth_ = 0;
  bool in_string_ = false, escape_ = false, started_ = false;
};

struct Call {
  std::string method = "GET";
  std::string path;  // without the version prefix: "/images/json"
  http::Query query;
  std::string body;
  std::string content_type;  // for body / body_reader
  http::BodyReader* body_reader = nullptr;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ("X-Registry-Auth")
};

class Client {
 public:
  // host: "unix:///path", "tcp://host:port" or an absolute socket path.
  static Result<std::unique_ptr<Client>> New(const std::string& host);

  const std::string& host() const { return host_; }
  // The negotiated version ("1.41"); negotiates on first use.
  Result<std::string> ApiVersion();

  // Sends a call and reads the whole response; statuses >= 400 become
  // errors (see above).
  Result<http::ClientResponse> Do(const Call& call);
  // Sends a call and passes the body to on_data as it arrives. head, when
  // given, receives the status and headers.
  Status Stream(const Call& call, const http::Client::DataFn& on_data,
                http::ClientResponse* head = nullptr);

  // True when build-context files may be sent by reference (build/context.h):
  // the daemon is reached on a unix socket (so it is on this host) and says
  // it takes them. Negotiates on first use.
  Result<bool> BuildSourcesByReference();

  // GET /_ping: the headers (API-Version, OSType, …).
  Result<http::ClientResponse> Ping();

  Result<json> Version();
  Result<json> Info();
  Result<json> DiskUsage();
  Result<json> ImageList(bool all, const Filters& filters);
  // The raw JSON of GET /images/{name}/json, for inspect to print as is.
  Result<std::string> ImageInspectRaw(const std::string& name);
  Result<json> ImageHistory(const std::string& name);
  // Checks both references as docker's client does, then POST …/tag.
  Status ImageTag(const std::string& source, const std::string& target);
  Result<json> ImageRemove(const std::string& name, bool force, bool no_prune);
  Result<json> ImagesPrune(const Filters& filters);
  Status ImageSave(const std::vector<std::string>& names, const http::Client::DataFn& on_data);
  // POST /images/load with the tar from body. on_message gets each JSON
  // message when the daemon answers JSON; raw (non-JSON) bodies go to
  // on_raw.
  Status ImageLoad(http::BodyReader& body, bool quiet, const JsonStreamDecoder::Fn& on_message,
                   const http::Client::DataFn& on_raw);
  struct ImportOptions {
    std::string source;  // "-" (body follows) or a URL
    std::string ref;     // REPO[:TAG], may be empty
    std::string message;
    std::vector<std::string> changes;
  };
  Status ImageImport(const ImportOptions& opts, http::BodyReader* body,
                     const JsonStreamDecoder::Fn& on_message);
  Status Events(const std::string& since, const std::string& until, const Filters& filters,
                const JsonStreamDecoder::Fn& on_event);

 private:
  Client(std::string host, http::Endpoint endpoint);
  Status Negotiate();
  Status StreamMessages(const Call& call, const JsonStreamDecoder::Fn& on_message,
                        const http::Client::DataFn& on_raw);
  std::string Target(const Call& call) const;
  http::ClientRequest Request(const Call& call) const;
  Error ConnectionError(const Error& e) const;
  Error ResponseError(const http::ClientResponse& resp, const std::string& target) const;

  std::string host_;
  http::Endpoint endpoint_;
  http::Client http_;
  std::string version_;  // empty until negotiated
  bool build_sources_ = false;  // the daemon's Berth-Build-Sources, once negotiated
};

// "Error: No such image: x" for a kNotFound daemon error; other errors as
// they are.
Error WrapNotFound(Error e, std::string_view object, std::string_view id);

}  // namespace berth::client

// Containers (manage group) — src/client/containers_manage.cc.
// Free functions over Client::Do/Stream. A missing container reads as the
// docker 20.10 client words it where that client wraps the 404 ("Error: No
// such container: x" for inspect and remove, "Error: No such
// container:path: x:/p" for the archive calls); other calls keep the
// daemon's "Error response from daemon: …".
namespace berth::client {

struct ContainerListOptions {
  bool all = false;
  bool size = false;
  int64_t limit = 0;  // -n; 0: no limit
  Filters filters;
};
Result<json> ContainerList(Client& c, const ContainerListOptions& opts);
// The raw JSON of GET /containers/{id}/json (size=1 with size).
Result<std::string> ContainerInspectRaw(Client& c, const std::string& id, bool size = false);
Result<json> ContainerInspect(Client& c, const std::string& id);

struct ContainerLogsOptions {
  bool follow = false, timestamps = false, details = false;
  std::string since, until, tail;  // as the API takes them ("" to omit)
};
// Streams the raw body (8-byte frames without a tty, raw bytes with one).
Status ContainerLogs(Client& c, const std::string& id, const ContainerLogsOptions& opts,
                     const http::Client::DataFn& on_data);

// timeout < 0: the daemon's default.
Status ContainerStop(Client& c, const std::string& id, int64_t timeout);
Status ContainerRestart(Client& c, const std::string& id, int64_t timeout);
Status ContainerKill(Client& c, const std::string& id, const std::string& signal);
Status ContainerRemove(Client& c, const std::string& id, bool force, bool volumes, bool link);
// POST /containers/{id}/wait: {"StatusCode":N,"Error":{"Message":…}}.
Result<json> ContainerWait(Client& c, const std::string& id, const std::string& condition);
Result<json> ContainerTop(Client& c, const std::string& id, const std::string& ps_args);
Status ContainerRename(Client& c, const std::string& id, const std::string& name);
Status ContainerPause(Client& c, const std::string& id);
Status ContainerUnpause(Client& c, const std::string& id);
// POST /containers/{id}/update with body; the reply ({"Warnings":[…]}).
Result<json> ContainerUpdate(Client& c, const std::string& id, const json& body);

struct ContainerCommitOptions {
  std::string reference;  // REPOSITORY[:TAG], may be empty
  std::string comment, author;
  std::vector<std::string> changes;
  bool pause = true;
};
// POST /commit: {"Id":"sha256:…"}.
Result<json> ContainerCommit(Client& c, const std::string& id, const ContainerCommitOptions& opts);
Status ContainerExport(Client& c, const std::string& id, const http::Client::DataFn& on_data);

// HEAD /containers/{id}/archive: the decoded X-Docker-Container-Path-Stat
// ({"name","size","mode","mtime","linkTarget"}).
Result<json> ContainerStatPath(Client& c, const std::string& id, const std::string& path);
// GET /containers/{id}/archive: the tar to on_data; *stat (when given) gets
// the path's stat header before the first byte.
Status CopyFromContainer(Client& c, const std::string& id, const std::string& path,
                         const http::Client::DataFn& on_data, json* stat);
// PUT /containers/{id}/archive with the tar from body, extracted in the
// directory path.
Status CopyToContainer(Client& c, const std::string& id, const std::string& path,
                       http::BodyReader& body, bool no_overwrite_dir_non_dir, bool copy_uid_gid);
Result<json> ContainerChanges(Client& c, const std::string& id);
// GET /containers/{id}/stats: each JSON sample to on_sample (one with
// stream false).
Status ContainerStats(Client& c, const std::string& id, bool stream,
                      const JsonStreamDecoder::Fn& on_sample);
Result<json> ContainersPrune(Client& c, const Filters& filters);

}  // namespace berth::client

// Containers (run group) — src/client/containers.cc.
// The calls behind run, create, start, attach and exec: create, start, the
// hijacked attach and exec-start streams, wait (registered before start),
// resize, exec and the image pull that run does for a missing image. Daemon
// errors read "Error response from daemon: …" as elsewhere.
namespace berth::client {

// POST /containers/create?name=&platform= with the body as the docker CLI
// builds it; the new container's ID. *warnings (when given) gets the
// daemon's warnings.
Result<std::string> ContainerCreate(Client& c, const std::string& body, const std::string& name,
                                    const std::string& platform,
                                    std::vector<std::string>* warnings = nullptr);
Status ContainerStart(Client& c, const std::string& id);

struct AttachOptions {
  bool stream = true, stdin_ = false, stdout_ = true, stderr_ = true;
  std::string detach_keys;  // sent as detachKeys when not empty
};
// POST /containers/{id}/attach, upgraded to a raw stream (Upgrade: tcp).
Result<std::unique_ptr<http::Stream>> ContainerAttach(Client& c, const std::string& id,
                                                      const AttachOptions& opts);
Status ContainerResize(Client& c, const std::string& id, int height, int width);

// A POST /containers/{id}/wait?condition=… in flight. Start returns once
// the daemon answered the head, so the wait is registered before the
// caller starts the container; Get blocks for the body on a thread of its
// own and may be abandoned (the process may exit while it waits).
class ContainerWaiter {
 public:
  struct Outcome {
    int64_t status_code = 0;
    std::string error;  // the body's Error.Message, or a transport error
  };
  static Result<std::unique_ptr<ContainerWaiter>> Start(Client& c, const std::string& id,
                                                         const std::string& condition);
  ~ContainerWaiter();
  // Blocks until the daemon answers.
  Outcome Get();
  struct State;

 private:
  explicit ContainerWaiter(std::shared_ptr<State> s) : s_(std::move(s)) {}
  std::shared_ptr<State> s_;
};

// POST /containers/{id}/exec with the body (docker's ExecConfig); the exec ID.
Result<std::string> ExecCreate(Client& c, const std::string& container, const std::string& body);
// POST /exec/{id}/start {"Detach":true,"Tty":tty}.
Status ExecStartDetached(Client& c, const std::string& exec_id, bool tty);
// POST /exec/{id}/start {"Detach":false,"Tty":tty}, upgraded to a raw stream.
Result<std::unique_ptr<http::Stream>> ExecStartAttached(Client& c, const std::string& exec_id,
                                                        bool tty);
Result<json> ExecInspect(Client& c, const std::string& exec_id);
Status ExecResize(Client& c, const std::string& exec_id, int height, int width);

// Registry operations (registry.cc). registry_auth is the X-Registry-Auth
// header value (base64url of the AuthConfig JSON), "" for anonymous.
struct PullOptions {
  std::string image;  // as the user typed it: "busybox", "x@sha256:…", "localhost:5000/a:1"
  bool all_tags = false;
  std::string platform;
  std::string registry_auth;
};
// POST /images/create?fromImage=NAME&tag=TAG (pull and run/create of a
// missing image): a reference without tag or digest sends tag=latest unless
// all_tags (then tag= empty, which the API reads as every tag). Each progress
// message goes to on_message; an error message in the stream becomes the error.
Status ImagePull(Client& c, const PullOptions& o, const JsonStreamDecoder::Fn& on_message);
// POST /images/{name}/push?tag=… (tag "" pushes every tag: -a).
Status ImagePush(Client& c, const std::string& name, const std::string& tag,
                 const std::string& registry_auth, const JsonStreamDecoder::Fn& on_message);
// GET /images/search.
Result<json> ImageSearch(Client& c, const std::string& term, int limit, const Filters& filters,
                         const std::string& registry_auth);
// POST /auth with the AuthConfig JSON; the daemon's answer ({"Status"}).
Result<json> RegistryLogin(Client& c, const json& auth_config);

}  // namespace berth::client
// End of Containers (run group).
