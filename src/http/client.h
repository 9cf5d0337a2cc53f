// Client: a lean synchronous HTTP/1.1 client over a plain socket for the
// CLI. It keeps one idle keep-alive connection and reconnects once when a
// reused connection turns out to be closed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "http/handler.h"
#include "http/message.h"
#include "http/socket.h"
#include "http/stream.h"

namespace berth::http {

struct ClientRequest {
  std::string method = "GET";
  std::string target;  // "/v1.41/containers/json?all=1"
  Headers headers;     // Host is added when missing
  std::string body;    // sent with Content-Length unless body_reader is set
  // When set, the body is streamed from it with chunked encoding.
  BodyReader* body_reader = nullptr;
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;  // Do() only
};

class Client {
 public:
  explicit Client(Endpoint endpoint);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  // Sends req and reads the whole response. Bodies above max_body bytes are
  // an error. Connection failures are kUnavailable / kPermissionDenied.
  Result<ClientResponse> Do(const ClientRequest& req, size_t max_body = 256u << 20);

  // Sends req, reads the response head, then passes the body to on_data
  // piece by piece as it arrives (chunked decoding done). An error from
  // on_data stops reading, drops the connection and is returned.
  using DataFn = std::function<Status(std::string_view)>;
  Result<ClientResponse> Stream(const ClientRequest& req, const DataFn& on_data);

  // Sends req with "Connection: Upgrade" and "Upgrade: tcp". On 101 or 200
  // the connection becomes the returned raw stream (owned by the caller);
  // any other status comes back with its body read and no stream.
  struct Hijacked {
    ClientResponse response;
    std::unique_ptr<http::Stream> stream;
  };
  Result<Hijacked> Hijack(const ClientRequest& req);

  const Endpoint& endpoint() const { return endpoint_; }

  struct Conn;

 private:
  Result<std::unique_ptr<Conn>> Send(const ClientRequest& req);

  Endpoint endpoint_;
  std::unique_ptr<Conn> idle_;
};

}  // namespace berth::http
