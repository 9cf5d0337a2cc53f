#include "http/client.h"

#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "http/transport.h"

namespace berth::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Parser = bhttp::response_parser<bhttp::buffer_body>;

struct Client::Conn {
  explicit Conn(unique_fd f)
      : fd(std::move(f)), t(internal::MakePlainTransport(fd.get())), stream(*t) {}

  unique_fd fd;
  std::unique_ptr<internal::Transport> t;
  internal::BeastReadStream stream;
  beast::flat_buffer buf;
  std::optional<Parser> parser;  // the response being read
  bool reused = false;
};

namespace {

constexpr size_t kUploadChunk = 64 << 10;
constexpr size_t kBodyReadSize = 64 << 10;

std::string RequestHead(const ClientRequest& req, const Endpoint& ep, bool chunked) {
  std::string h = req.method + " " + req.target + " HTTP/1.1\r\n";
  if (!req.headers.Has("Host"))
    h += "Host: " + (ep.kind == Endpoint::Kind::kUnix ? std::string("docker")
                                                      : ep.host + ":" + std::to_string(ep.port)) +
         "\r\n";
  for (const auto& [k, v] : req.headers.fields()) h += k + ": " + v + "\r\n";
  if (chunked) {
    h += "Transfer-Encoding: chunked\r\n";
  } else if (!req.body.empty() || req.method == "POST" || req.method == "PUT" ||
             req.method == "PATCH") {
    h += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  }
  h += "\r\n";
  return h;
}

Status SendChunked(internal::Transport& t, BodyReader& reader) {
  std::string chunk(kUploadChunk + 32, '\0');
  for (;;) {
    // Leave room in front for the size line.
    constexpr size_t kRoom = 16;
    size_t n = BERTH_TRY_CTX(reader.Read(chunk.data() + kRoom, kUploadChunk), "read request body");
    if (n == 0) break;
    char size[kRoom + 1];
    int len = snprintf(size, sizeof size, "%zx\r\n", n);
    char* start = chunk.data() + kRoom - len;
    std::memcpy(start, size, static_cast<size_t>(len));
    std::memcpy(chunk.data() + kRoom + n, "\r\n", 2);
    BERTH_TRY(t.Write(std::string_view(start, static_cast<size_t>(len) + n + 2)));
  }
  return t.Write("0\r\n\r\n");
}

Error ReadError(Client::Conn& c, const boost::system::error_code& ec, const char* what) {
  std::string why = c.stream.last_error().empty() ? ec.message() : c.stream.last_error();
  return Error(Code::kUnavailable, std::string(what) + ": " + why);
}

ClientResponse HeadOf(const Parser& p) {
  ClientResponse r;
  r.status = static_cast<int>(p.get().result_int());
  for (const auto& f : p.get()) r.headers.Add(std::string(f.name_string()), std::string(f.value()));
  return r;
}

// Reads a piece of the body into out; 0 at its end.
Result<size_t> ReadBodySome(Client::Conn& c, char* out, size_t size) {
  Parser& p = *c.parser;
  if (c.buf.capacity() < kBodyReadSize) c.buf.reserve(kBodyReadSize);
  while (!p.is_done()) {
    auto& body = p.get().body();
    body.data = out;
    body.size = size;
    body.more = true;
    boost::system::error_code ec;
    bhttp::read_some(c.stream, c.buf, p, ec);
    if (ec == bhttp::error::need_buffer) ec = {};
    size_t n = size - body.size;
    body.data = nullptr;
    if (ec) return ReadError(c, ec, "read response body");
    if (n > 0) return n;
  }
  return size_t{0};
}

}  // namespace

Client::Client(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Result<std::unique_ptr<Client::Conn>> Client::Send(const ClientRequest& req) {
  bool replayable = req.body_reader == nullptr;
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Conn> c;
    if (idle_ && attempt == 0) {
      c = std::move(idle_);
      c->reused = true;
    } else {
      idle_.reset();
      c = std::make_unique<Conn>(BERTH_TRY(Dial(endpoint_)));
    }
    bool chunked = req.body_reader != nullptr;
    std::string head = RequestHead(req, endpoint_, chunked);
    if (!chunked) head += req.body;
    Status st = c->t->Write(head);
    if (st.ok() && chunked) st = SendChunked(*c->t, *req.body_reader);
    if (st.ok()) {
      c->parser.emplace();
      c->parser->body_limit(std::numeric_limits<std::uint64_t>::max());
      if (req.method == "HEAD") c->parser->skip(true);
      boost::system::error_code ec;
      bhttp::read_header(c->stream, c->buf, *c->parser, ec);
      if (!ec) return c;
      st = ReadError(*c, ec, "read response");
    }
    // A kept-alive connection the server closed meanwhile: try a new one.
    if (!(c->reused && replayable && attempt == 0))
      return std::move(st).error().Context(req.method + " " + req.target);
  }
}

Result<ClientResponse> Client::Do(const ClientRequest& req, size_t max_body) {
  std::unique_ptr<Conn> c = BERTH_TRY(Send(req));
  ClientResponse resp = HeadOf(*c->parser);
  if (auto len = c->parser->content_length(); len && *len <= max_body)
    resp.body.reserve(static_cast<size_t>(*len));
  char buf[16384];
  for (;;) {
    size_t n = BERTH_TRY(ReadBodySome(*c, buf, sizeof buf));
    if (n == 0) break;
    if (resp.body.size() + n > max_body)
      return Error(Code::kInvalidArgument,
                   "response body larger than " + std::to_string(max_body) + " bytes");
    resp.body.append(buf, n);
  }
  if (c->parser->keep_alive()) idle_ = std::move(c);
  return resp;
}

Result<ClientResponse> Client::Stream(const ClientRequest& req, const DataFn& on_data) {
  std::unique_ptr<Conn> c = BERTH_TRY(Send(req));
  ClientResponse resp = HeadOf(*c->parser);
  std::string buf(64 << 10, '\0');
  for (;;) {
    size_t n = BERTH_TRY(ReadBodySome(*c, buf.data(), buf.size()));
    if (n == 0) break;
    BERTH_TRY(on_data(std::string_view(buf.data(), n)));
  }
  if (c->parser->keep_alive()) idle_ = std::move(c);
  return resp;
}

Result<Client::Hijacked> Client::Hijack(const ClientRequest& req) {
  ClientRequest up = req;
  up.headers.Set("Connection", "Upgrade");
  up.headers.Set("Upgrade", "tcp");
  std::unique_ptr<Conn> c = BERTH_TRY(Send(up));
  Hijacked out;
  out.response = HeadOf(*c->parser);
  if (out.response.status == 101 || out.response.status == 200) {
    std::string prefix(static_cast<const char*>(c->buf.data().data()), c->buf.size());
    int fd = c->fd.get();
    out.stream = MakeSocketStream(fd, std::move(prefix), std::move(c->fd));
    return out;
  }
  char buf[16384];
  for (;;) {
    size_t n = BERTH_TRY(ReadBodySome(*c, buf, sizeof buf));
    if (n == 0 || out.response.body.size() > (1u << 20)) break;
    out.response.body.append(buf, n);
  }
  return out;
}

}  // namespace berth::http
