#include "client/stream_call.h"

#include <sys/socket.h>

#include <cerrno>
#include <string>

#include <fmt/format.h>

#include "base/strings.h"

namespace berth::client {
namespace {

struct Conn {
  unique_fd fd;
  std::string buf;  // read but not yet consumed
  bool eof = false;

  Status WriteAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd.get(), data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error(Code::kUnavailable, "write request", errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Ok();
  }

  // Reads more into buf; false at end of stream.
  Result<bool> Fill() {
    if (eof) return false;
    char tmp[65536];
    for (;;) {
      ssize_t n = ::read(fd.get(), tmp, sizeof tmp);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error(Code::kUnavailable, "read response", errno);
      }
      if (n == 0) {
        eof = true;
        return false;
      }
      buf.append(tmp, static_cast<size_t>(n));
      return true;
    }
  }

  Result<std::string> Line() {
    for (;;) {
      auto p = buf.find("\r\n");
      if (p != std::string::npos) {
        std::string l = buf.substr(0, p);
        buf.erase(0, p + 2);
        return l;
      }
      if (!BERTH_TRY(Fill())) return Error(Code::kUnavailable, "read response: unexpected EOF");
    }
  }
};

std::string Head(const http::ClientRequest& req, const http::Endpoint& ep) {
  std::string h = req.method + " " + req.target + " HTTP/1.1\r\n";
  if (!req.headers.Has("Host"))
    h += "Host: " + (ep.kind == http::Endpoint::Kind::kUnix ? std::string("docker")
                                                          : ep.host + ":" + std::to_string(ep.port)) +
         "\r\n";
  for (const auto& [k, v] : req.headers.fields()) h += k + ": " + v + "\r\n";
  if (req.body_reader) h += "Transfer-Encoding: chunked\r\n";
  else if (!req.body.empty() || req.method == "POST" || req.method == "PUT")
    h += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  h += "Connection: close\r\n\r\n";
  return h;
}

Status SendBody(Conn& c, const http::ClientRequest& req) {
  if (!req.body_reader) return c.WriteAll(req.body);
  std::string chunk(64 << 10, '\0');
  for (;;) {
    size_t n = BERTH_TRY(req.body_reader->Read(chunk.data(), chunk.size()));
    if (n == 0) break;
    BERTH_TRY(c.WriteAll(fmt::format("{:x}\r\n", n)));
    BERTH_TRY(c.WriteAll(std::string_view(chunk.data(), n)));
    BERTH_TRY(c.WriteAll("\r\n"));
  }
  return c.WriteAll("0\r\n\r\n");
}

// Reads the body and passes it on; limit stops early (error bodies).
Status ReadBody(Conn& c, const http::ClientResponse& head, const http::Client::DataFn& on_data,
                size_t limit) {
  std::string te = str::ToLower(head.headers.Get("Transfer-Encoding").value_or(""));
  size_t total = 0;
  auto emit = [&](std::string_view d) -> Status {
    total += d.size();
    return on_data(d);
  };
  if (te.find("chunked") != std::string::npos) {
    for (;;) {
      std::string line = BERTH_TRY(c.Line());
      auto size = str::ParseUint(str::Cut(line, ';').first, 16);
      if (!size) return Error(Code::kUnavailable, "read response: bad chunk size");
      if (*size == 0) return Ok();
      uint64_t left = *size;
      while (left > 0) {
        if (c.buf.empty() && !BERTH_TRY(c.Fill()))
          return Error(Code::kUnavailable, "read response: unexpected EOF");
        size_t n = static_cast<size_t>(std::min<uint64_t>(left, c.buf.size()));
        BERTH_TRY(emit(std::string_view(c.buf.data(), n)));
        c.buf.erase(0, n);
        left -= n;
      }
      BERTH_TRY(c.Line());
      if (total >= limit) return Ok();
    }
  }
  auto cl = head.headers.Get("Content-Length");
  if (cl) {
    auto len = str::ParseUint(str::Trim(*cl));
    uint64_t left = len.value_or(0);
    while (left > 0) {
      if (c.buf.empty() && !BERTH_TRY(c.Fill()))
        return Error(Code::kUnavailable, "read response: unexpected EOF");
      size_t n = static_cast<size_t>(std::min<uint64_t>(left, c.buf.size()));
      BERTH_TRY(emit(std::string_view(c.buf.data(), n)));
      c.buf.erase(0, n);
      left -= n;
      if (total >= limit) return Ok();
    }
    return Ok();
  }
  for (;;) {
    if (!c.buf.empty()) {
      BERTH_TRY(emit(c.buf));
      c.buf.clear();
      if (total >= limit) return Ok();
    }
    if (!BERTH_TRY(c.Fill())) return Ok();
  }
}

}  // namespace

Status StreamCall(const http::Endpoint& endpoint, const http::ClientRequest& req,
                  const HeadFn& on_head, const http::Client::DataFn& on_data, bool* dialed) {
  Conn c;
  *dialed = false;
  c.fd = BERTH_TRY(http::Dial(endpoint));
  *dialed = true;
  BERTH_TRY(c.WriteAll(Head(req, endpoint)));
  Status sent = SendBody(c, req);
  // The daemon may answer (an error) before it read the whole body.
  std::string status_line;
  for (;;) {
    auto l = c.Line();
    if (!l.ok()) return sent.ok() ? std::move(l).error() : std::move(sent).error();
    status_line = *l;
    // Skip interim 1xx responses.
    if (str::StartsWith(status_line, "HTTP/1.1 1") || str::StartsWith(status_line, "HTTP/1.0 1")) {
      for (;;) {
        std::string h = BERTH_TRY(c.Line());
        if (h.empty()) break;
      }
      continue;
    }
    break;
  }
  http::ClientResponse head;
  auto parts = str::Split(status_line, ' ');
  if (parts.size() < 2 || !str::StartsWith(parts[0], "HTTP/"))
    return Error(Code::kUnavailable, "read response: malformed status line");
  head.status = static_cast<int>(str::ParseInt(parts[1]).value_or(0));
  for (;;) {
    std::string h = BERTH_TRY(c.Line());
    if (h.empty()) break;
    auto [k, v] = str::Cut(h, ':');
    head.headers.Add(k, std::string(str::Trim(v)));
  }
  if (head.status >= 400) {
    BERTH_TRY(ReadBody(c, head, [&](std::string_view d) {
      head.body.append(d);
      return Ok();
    }, 1u << 20));
    return on_head(head);
  }
  if (!sent.ok()) return std::move(sent).error();
  BERTH_TRY(on_head(head));
  return ReadBody(c, head, on_data, SIZE_MAX);
}

}  // namespace berth::client
