// What a request handler sees: the Request (head, path params, query and a
// streaming body) and a ResponseWriter that sends one of
//   - a complete response (Send, SendJson, SendError),
//   - a streamed response (Start, then Write/Flush repeatedly; chunked), or
//   - a hijacked connection (Hijack: a raw bidirectional Stream).
// A handler returns a Status; an error returned before anything was sent
// becomes a JSON error response with StatusForCode(code). Handlers run on
// the connection's own thread and may block.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "http/message.h"
#include "http/stream.h"

namespace berth::http {

class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Reads up to size bytes of the body into buf; 0 at the end of the body.
  virtual Result<size_t> Read(char* buf, size_t size) = 0;
};

// Reads a body to its end; kInvalidArgument when it exceeds limit bytes.
Result<std::string> ReadAll(BodyReader& body, size_t limit);

struct Request {
  std::string method;  // "GET"
  std::string target;  // as received: "/v1.41/containers/json?all=1"
  std::string path;    // decoded, without the version prefix: "/containers/json"
  // The API version: from the path ("1.41"), or the router's default when the
  // path has none.
  std::string api_version;
  std::vector<std::pair<std::string, std::string>> params;  // {"id", "abc"}
  Query query;
  Headers headers;
  BodyReader* body = nullptr;  // never null while a handler runs
  std::string remote;          // the TCP peer "host:port" ("" on unix sockets)

  // The path parameter called name, or "".
  std::string_view Param(std::string_view name) const;
  // The whole body (for small JSON bodies).
  Result<std::string> ReadBody(size_t limit = 32u << 20) { return ReadAll(*body, limit); }
};

class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;

  // Extra header fields for the response head (set before sending it).
  virtual Headers& headers() = 0;

  // A complete response with Content-Length.
  virtual Status Send(int status, std::string_view body,
                      std::string_view content_type = "application/json") = 0;
  Status SendJson(int status, std::string_view json) { return Send(status, json); }
  // A complete response with Content-Length whose body is length bytes of
  // the file fd from offset (sendfile(2) on plain sockets). The default
  // reads the range into memory and calls Send.
  virtual Status SendFile(int status, int fd, uint64_t offset, uint64_t length,
                          std::string_view content_type = "application/octet-stream");
  // {"message": message} with the given status.
  Status SendError(int status, std::string_view message);
  // {"message": error.message()} with StatusForCode(error.code()).
  Status SendError(const Error& error);

  // Starts a streamed (chunked) response. Write buffers data and sends it
  // once 32 KiB are pending; Flush sends what is pending now (call it after
  // each event or progress line). Write and Flush fail with kUnavailable
  // once the client has gone, so a streaming handler knows to stop. Write
  // without Start starts a 200 response.
  virtual Status Start(int status, std::string_view content_type) = 0;
  virtual Status Write(std::string_view data) = 0;
  virtual Status Flush() = 0;
  // True when the client closed or reset the connection (no I/O needed):
  // for a handler that waits a long time between writes.
  virtual bool ClientGone() = 0;

  // Takes over the connection: sends "101 UPGRADED" (Connection: Upgrade,
  // Upgrade: tcp) when the request asked for an upgrade, "200 OK" otherwise,
  // both with content_type, and returns the raw stream. It stays valid until
  // the handler returns; the connection is closed after that.
  virtual Result<Stream*> Hijack(
      std::string_view content_type = "application/vnd.docker.raw-stream") = 0;

  // True once a response head went out.
  virtual bool started() const = 0;
};

using Handler = std::function<Status(Request&, ResponseWriter&)>;

}  // namespace berth::http
