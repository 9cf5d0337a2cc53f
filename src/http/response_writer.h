// Internal: the ResponseWriter of a server connection.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "http/connection.h"
#include "http/handler.h"
#include "http/transport.h"

namespace berth::http::internal {

struct WriterContext {
  Transport* transport;
  const Request* request;
  bool http11;      // the request was HTTP/1.1 (chunked allowed)
  bool keep_alive;  // the client asked to keep the connection
  ConnHooks* hooks;
  // Hands over the bytes read past the request (for Hijack).
  std::function<Result<std::string>()> take_prefix;
};

class ConnWriter : public ResponseWriter {
 public:
  explicit ConnWriter(WriterContext ctx) : ctx_(std::move(ctx)) {}

  Headers& headers() override { return headers_; }
  Status Send(int status, std::string_view body, std::string_view content_type) override;
  Status SendFile(int status, int fd, uint64_t offset, uint64_t length,
                  std::string_view content_type) override;
  Status Start(int status, std::string_view content_type) override;
  Status Write(std::string_view data) override;
  Status Flush() override;
  bool ClientGone() override;
  Result<Stream*> Hijack(std::string_view content_type) override;
  bool started() const override { return state_ != State::kNone; }

  // Completes the response once the handler returned st: an error response
  // when nothing was sent, the last chunk of a stream. False when the
  // connection cannot carry another request.
  bool Finish(const Status& st);
  // True when the response said (or must say) Connection: close.
  bool must_close() const { return close_; }

 private:
  enum class State { kNone, kFull, kStreaming, kHijacked, kBroken };

  std::string Head(int status, std::string_view reason, std::string_view content_type,
                   std::string_view framing);
  Status Put(std::string_view data);
  bool head_only() const { return ctx_.request->method == "HEAD"; }

  WriterContext ctx_;
  Headers headers_;
  State state_ = State::kNone;
  bool close_ = false;
  bool chunked_ = false;
  std::string pending_;  // streamed bytes not yet sent
  std::unique_ptr<Stream> stream_;
};

}  // namespace berth::http::internal
