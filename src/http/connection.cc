#include "http/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <limits>
#include <optional>

#include "base/log.h"
#include "http/response_writer.h"

namespace berth::http::internal {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Parser = bhttp::request_parser<bhttp::buffer_body>;

// How much of an unread request body is drained to keep the connection.
constexpr size_t kMaxDrain = 256 << 10;
// Read-ahead buffer while a body streams in; idle connections keep less.
constexpr size_t kBodyReadSize = 64 << 10;
constexpr size_t kIdleBufferSize = 8 << 10;

// The request body, read from the parser on demand.
class ParserBody : public BodyReader {
 public:
  ParserBody(Transport& t, BeastReadStream& s, beast::flat_buffer& b, Parser& p, bool expect)
      : t_(t), stream_(s), buf_(b), parser_(p), expect_continue_(expect) {}

  Result<size_t> Read(char* out, size_t size) override {
    if (parser_.is_done() || size == 0) return size_t{0};
    if (failed_) return Error(Code::kUnavailable, "read request body: connection failed");
    if (expect_continue_ && !continue_sent_) {
      continue_sent_ = true;
      BERTH_TRY_CTX(t_.Write("HTTP/1.1 100 Continue\r\n\r\n"), "send 100 Continue");
    }
    // Read bodies in large pieces (Beast reads at most the free capacity).
    if (buf_.capacity() < kBodyReadSize) buf_.reserve(kBodyReadSize);
    for (;;) {
      auto& body = parser_.get().body();
      body.data = out;
      body.size = size;
      body.more = true;
      boost::system::error_code ec;
      bhttp::read_some(stream_, buf_, parser_, ec);
      if (ec == bhttp::error::need_buffer) ec = {};
      size_t n = size - body.size;
      body.data = nullptr;
      if (ec) {
        failed_ = true;
        std::string why = stream_.last_error().empty() ? ec.message() : stream_.last_error();
        return Error(Code::kInvalidArgument, "read request body: " + why);
      }
      if (n > 0 || parser_.is_done()) return n;
    }
  }

  bool failed() const { return failed_; }
  // True when the client still waits for "100 Continue" before sending.
  bool awaiting_continue() const { return expect_continue_ && !continue_sent_; }

 private:
  Transport& t_;
  BeastReadStream& stream_;
  beast::flat_buffer& buf_;
  Parser& parser_;
  bool expect_continue_;
  bool continue_sent_ = false;
  bool failed_ = false;
};

// Reads and drops up to limit bytes of the rest of the body; true when the
// body ended.
bool Drain(ParserBody& body, size_t limit) {
  char scratch[16384];
  size_t total = 0;
  while (total <= limit) {
    auto n = body.Read(scratch, sizeof scratch);
    if (!n.ok()) return false;
    if (*n == 0) return true;
    total += *n;
  }
  return false;
}

// "1.2.3.4:5678", "[::1]:5678", or "" (unix sockets, errors).
std::string PeerAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  char host[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(a->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  return "";
}

Request MakeRequest(const Parser& parser) {
  const auto& msg = parser.get();
  Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  std::string_view target = req.target;
  size_t q = target.find('?');
  req.path = UrlDecode(target.substr(0, q), false);
  if (q != std::string_view::npos) req.query = Query::Parse(target.substr(q + 1));
  for (const auto& f : msg) req.headers.Add(std::string(f.name_string()), std::string(f.value()));
  return req;
}

class Connection {
 public:
  Connection(Transport& t, const Handler& h, const Server::Options& o, ConnHooks& hooks)
      : t_(t), stream_(t), handler_(h), options_(o), hooks_(hooks), remote_(PeerAddress(t.fd())) {}

  void Run() {
    while (ServeOne()) {
    }
  }

 private:
  // Serves one request; false when the connection must close.
  bool ServeOne() {
    Parser parser;
    parser.header_limit(options_.max_header_bytes);
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    boost::system::error_code ec;
    bhttp::read_header(stream_, buf_, parser, ec);
    if (ec) {
      if (ec != bhttp::error::end_of_stream && ec != boost::asio::error::eof &&
          stream_.last_error().empty())
        RejectBadRequest(ec.message());
      return false;
    }
    if (!hooks_.BeginRequest()) return false;
    const auto& msg = parser.get();
    bool expect = beast::iequals(msg[bhttp::field::expect], "100-continue");
    Request req = MakeRequest(parser);
    req.remote = remote_;
    ParserBody body(t_, stream_, buf_, parser, expect);
    req.body = &body;
    bool keep = msg.keep_alive();
    WriterContext ctx{&t_, &req, msg.version() >= 11, keep, &hooks_, [&]() -> Result<std::string> {
                        if (!parser.is_done())
                          return Error::Invalid("cannot hijack before the request body is read");
                        std::string prefix(static_cast<const char*>(buf_.data().data()),
                                           buf_.size());
                        buf_.consume(buf_.size());
                        return prefix;
                      }};
    ConnWriter w(std::move(ctx));
    Status st = handler_(req, w);
    bool ok = w.Finish(st);
    keep = keep && ok && !w.must_close() && hooks_.EndRequest();
    if (keep && !parser.is_done())
      keep = !body.failed() && !body.awaiting_continue() && Drain(body, kMaxDrain);
    if (buf_.size() == 0 && buf_.capacity() > kIdleBufferSize) buf_.shrink_to_fit();
    return keep;
  }

  void RejectBadRequest(const std::string& why) {
    std::string body = ErrorBody("bad request: " + why);
    std::string out = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                      "Connection: close\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body;
    (void)t_.Write(out);
  }

  Transport& t_;
  BeastReadStream stream_;
  beast::flat_buffer buf_;
  const Handler& handler_;
  const Server::Options& options_;
  ConnHooks& hooks_;
  std::string remote_;  // the peer, for Request::remote
};

}  // namespace

void ServeConnection(Transport& t, const Handler& handler, const Server::Options& options,
                     ConnHooks& hooks) {
  Connection(t, handler, options, hooks).Run();
}

}  // namespace berth::http::internal
