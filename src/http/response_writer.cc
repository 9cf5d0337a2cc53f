#include "http/response_writer.h"

#include <poll.h>

#include <cstdio>

#include "base/log.h"

namespace berth::http::internal {
namespace {

constexpr size_t kFlushAt = 32 << 10;

bool BodyAllowed(int status) { return status >= 200 && status != 204 && status != 304; }

}  // namespace

std::string ConnWriter::Head(int status, std::string_view reason, std::string_view content_type,
                             std::string_view framing) {
  if (!ctx_.keep_alive || ctx_.hooks->Stopping()) close_ = true;
  std::string h = "HTTP/1.1 " + std::to_string(status) + " ";
  h += reason.empty() ? ReasonPhrase(status) : reason;
  h += "\r\n";
  if (!content_type.empty() && !headers_.Has("Content-Type")) {
    h += "Content-Type: ";
    h += content_type;
    h += "\r\n";
  }
  for (const auto& [k, v] : headers_.fields()) h += k + ": " + v + "\r\n";
  h += framing;
  if (close_) {
    h += "Connection: close\r\n";
  } else if (!ctx_.http11) {
    h += "Connection: keep-alive\r\n";  // HTTP/1.0 keeps the connection only when told
  }
  h += "\r\n";
  return h;
}

Status ConnWriter::Put(std::string_view data) {
  Status st = ctx_.transport->Write(data);
  if (!st.ok()) {
    state_ = State::kBroken;
    close_ = true;
    return Error(Code::kUnavailable, "client disconnected: " + st.error().message());
  }
  return Ok();
}

Status ConnWriter::Send(int status, std::string_view body, std::string_view content_type) {
  if (state_ != State::kNone) return Error::Internal("response already started");
  state_ = State::kFull;
  bool has_body = BodyAllowed(status);
  std::string framing =
      has_body ? "Content-Length: " + std::to_string(body.size()) + "\r\n" : std::string();
  std::string out = Head(status, {}, has_body ? content_type : std::string_view(), framing);
  if (has_body && !head_only()) out += body;
  return Put(out);
}

Status ConnWriter::SendFile(int status, int fd, uint64_t offset, uint64_t length,
                            std::string_view content_type) {
  if (state_ != State::kNone) return Error::Internal("response already started");
  state_ = State::kFull;
  std::string framing = "Content-Length: " + std::to_string(length) + "\r\n";
  BERTH_TRY(Put(Head(status, {}, content_type, framing)));
  if (head_only() || length == 0) return Ok();
  Status st = ctx_.transport->WriteFile(fd, offset, length);
  if (!st.ok()) {
    state_ = State::kBroken;
    close_ = true;
    return Error(Code::kUnavailable, "client disconnected: " + st.error().message());
  }
  return Ok();
}

Status ConnWriter::Start(int status, std::string_view content_type) {
  if (state_ != State::kNone) return Error::Internal("response already started");
  state_ = State::kStreaming;
  std::string framing;
  if (!BodyAllowed(status) || head_only()) {
    framing = BodyAllowed(status) ? "Transfer-Encoding: chunked\r\n" : "";
  } else if (ctx_.http11) {
    chunked_ = true;
    framing = "Transfer-Encoding: chunked\r\n";
  } else {
    close_ = true;  // HTTP/1.0: the body ends when the connection does
    ctx_.keep_alive = false;
  }
  return Put(Head(status, {}, content_type, framing));
}

Status ConnWriter::Write(std::string_view data) {
  if (state_ == State::kNone) {
    auto ct = headers_.Get("Content-Type");
    BERTH_TRY(Start(200, ct ? std::string(*ct) : "application/octet-stream"));
  }
  if (state_ == State::kBroken) return Error(Code::kUnavailable, "client disconnected");
  if (state_ != State::kStreaming) return Error::Internal("write after a complete response");
  if (head_only()) return Ok();
  pending_.append(data);
  if (pending_.size() >= kFlushAt) return Flush();
  return Ok();
}

Status ConnWriter::Flush() {
  if (state_ == State::kBroken) return Error(Code::kUnavailable, "client disconnected");
  if (state_ != State::kStreaming || pending_.empty()) return Ok();
  std::string out;
  if (chunked_) {
    char size[20];
    snprintf(size, sizeof size, "%zx\r\n", pending_.size());
    out.reserve(pending_.size() + 32);
    out += size;
    out += pending_;
    out += "\r\n";
  } else {
    out.swap(pending_);
  }
  pending_.clear();
  return Put(out);
}

bool ConnWriter::ClientGone() {
  if (state_ == State::kBroken) return true;
  pollfd p{ctx_.transport->fd(), POLLRDHUP, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

Result<Stream*> ConnWriter::Hijack(std::string_view content_type) {
  if (state_ != State::kNone) return Error::Internal("hijack: response already started");
  if (ctx_.transport->is_tls())
    return Error(Code::kNotImplemented, "hijack over TLS is not supported yet");
  std::string prefix = BERTH_TRY_CTX(ctx_.take_prefix(), "hijack");
  std::string head;
  if (ctx_.request->headers.Has("Upgrade")) {
    head = "HTTP/1.1 101 UPGRADED\r\nContent-Type: " + std::string(content_type) +
           "\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n";
  } else {
    head = "HTTP/1.1 200 OK\r\nContent-Type: " + std::string(content_type) + "\r\n";
  }
  for (const auto& [k, v] : headers_.fields()) head += k + ": " + v + "\r\n";
  head += "\r\n";
  close_ = true;
  BERTH_TRY(Put(head));
  state_ = State::kHijacked;
  stream_ = MakeSocketStream(ctx_.transport->fd(), std::move(prefix));
  return stream_.get();
}

bool ConnWriter::Finish(const Status& st) {
  switch (state_) {
    case State::kNone:
      if (!st.ok()) return SendError(st.error()).ok() && !close_;
      return Send(200, {}, {}).ok() && !close_;
    case State::kStreaming:
      if (!st.ok()) {
        log::Debug("http: streaming handler for {} failed: {}", ctx_.request->target,
                   st.error().message());
        close_ = true;  // the body is cut short: the client must notice
        if (chunked_) (void)Flush();
        return false;
      }
      if (!Flush().ok()) return false;
      if (chunked_ && !head_only() && !Put("0\r\n\r\n").ok()) return false;
      return !close_;
    case State::kFull:
      if (!st.ok())
        log::Debug("http: handler for {} failed after responding: {}", ctx_.request->target,
                   st.error().message());
      return !close_;
    case State::kHijacked:
    case State::kBroken:
      return false;
  }
  return false;
}

}  // namespace berth::http::internal
