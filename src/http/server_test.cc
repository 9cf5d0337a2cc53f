// Server and client together on unix sockets in a temp dir (and TCP on
// 127.0.0.1:0).
#include "http/server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include "base/fs.h"
#include "http/client.h"
#include "http/router.h"
#include "http/socket.h"

namespace berth::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

long RssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return 0;
}

// Waits until pred holds or 5 s passed.
template <typename F>
bool Eventually(F pred) {
  auto end = Clock::now() + 5s;
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

// A body of size bytes generated on the fly.
class GeneratedBody : public BodyReader {
 public:
  explicit GeneratedBody(size_t size) : left_(size) {}
  Result<size_t> Read(char* buf, size_t size) override {
    size_t n = std::min(size, left_);
    for (size_t i = 0; i < n; ++i) buf[i] = static_cast<char>('a' + (sent_ + i) % 26);
    sent_ += n;
    left_ -= n;
    return n;
  }

 private:
  size_t left_;
  size_t sent_ = 0;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-http-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    sock_ = dir_ + "/api.sock";
    endpoint_.path = sock_;
  }
  void TearDown() override {
    if (server_) server_->Stop(1s);
    (void)fs::RemoveAll(dir_);
  }

  void StartServer() {
    server_ = std::make_unique<Server>(router_.AsHandler());
    ASSERT_TRUE(server_->ListenUnix(sock_).ok());
    ASSERT_TRUE(SetSocketOwnership(sock_, 0660).ok());
    ASSERT_TRUE(server_->Start().ok());
  }

  // A raw connection for tests that speak bytes.
  unique_fd RawConnect() {
    auto fd = Dial(endpoint_);
    EXPECT_TRUE(fd.ok());
    return std::move(fd).value();
  }
  static std::string ReadUntil(int fd, std::string_view marker, size_t count = 1) {
    std::string got;
    char buf[4096];
    auto occurrences = [&] {
      size_t n = 0;
      for (size_t p = got.find(marker); p != std::string::npos; p = got.find(marker, p + 1)) ++n;
      return n;
    };
    while (occurrences() < count) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }

  std::string dir_, sock_;
  Endpoint endpoint_;
  Router router_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, JsonRoundTripAndErrors) {
  router_.Post("/containers/{id}/echo", [](Request& req, ResponseWriter& w) -> Status {
    std::string body = BERTH_TRY(req.ReadBody());
    w.headers().Set("Api-Version", "1.41");
    return w.SendJson(201, "{\"id\":\"" + std::string(req.Param("id")) + "\",\"v\":\"" +
                               req.api_version + "\",\"all\":" + (req.query.Bool("all") ? "true" : "false") +
                               ",\"body\":" + body + "}");
  });
  router_.Get("/containers/{id}/json", [](Request& req, ResponseWriter&) -> Status {
    return Error::NotFound("No such container: " + std::string(req.Param("id")));
  });
  StartServer();
  Client client(endpoint_);
  ClientRequest req;
  req.method = "POST";
  req.target = "/v1.40/containers/c1/echo?all=True";
  req.headers.Add("Content-Type", "application/json");
  req.body = R"({"Image":"busybox"})";
  auto r = client.Do(req);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(*r->headers.Get("api-version"), "1.41");
  EXPECT_EQ(*r->headers.Get("content-type"), "application/json");
  EXPECT_EQ(r->body, R"({"id":"c1","v":"1.40","all":true,"body":{"Image":"busybox"}})");

  auto nf = client.Do({"GET", "/v1.41/containers/zz/json", {}, "", nullptr});
  ASSERT_TRUE(nf.ok());
  EXPECT_EQ(nf->status, 404);
  EXPECT_EQ(ErrorMessageFromBody(nf->body), "No such container: zz");
  auto page = client.Do({"GET", "/v1.41/nothing/here", {}, "", nullptr});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 404);
  EXPECT_EQ(page->body, "{\"message\":\"page not found\"}\n");
  auto tooNew = client.Do({"GET", "/v1.99/containers/zz/json", {}, "", nullptr});
  ASSERT_TRUE(tooNew.ok());
  EXPECT_EQ(tooNew->status, 400);
  EXPECT_EQ(ErrorMessageFromBody(tooNew->body),
            "client version 1.99 is too new. Maximum supported API version is 1.41");
}

TEST_F(ServerTest, KeepAliveReusesOneConnection) {
  router_.Get("/_ping", [](Request&, ResponseWriter& w) { return w.Send(200, "OK", "text/plain"); });
  router_.Head("/_ping", [](Request&, ResponseWriter& w) { return w.Send(200, "OK", "text/plain"); });
  StartServer();
  Client client(endpoint_);
  for (int i = 0; i < 10; ++i) {
    auto r = client.Do({i % 2 ? "HEAD" : "GET", "/_ping", {}, "", nullptr});
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, i % 2 ? "" : "OK");
    EXPECT_EQ(*r->headers.Get("Content-Length"), "2");
  }
  EXPECT_EQ(server_->ConnectionCount(), 1u);
}

TEST_F(ServerTest, PipelinedRequestsAnsweredInOrder) {
  router_.Get("/n/{n}", [](Request& req, ResponseWriter& w) {
    if (req.Param("n") == "1") std::this_thread::sleep_for(20ms);
    return w.Send(200, "n=" + std::string(req.Param("n")), "text/plain");
  });
  StartServer();
  unique_fd fd = RawConnect();
  std::string reqs;
  for (int i = 1; i <= 3; ++i) reqs += "GET /n/" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(fs::WriteAll(fd.get(), reqs).ok());
  std::string got = ReadUntil(fd.get(), "n=3");
  size_t a = got.find("n=1"), b = got.find("n=2"), c = got.find("n=3");
  ASSERT_NE(c, std::string::npos) << got;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
}

TEST_F(ServerTest, ExpectContinueAndContentLengthBody) {
  router_.Post("/load", [](Request& req, ResponseWriter& w) -> Status {
    std::string body = BERTH_TRY(req.ReadBody());
    return w.Send(200, "got " + std::to_string(body.size()), "text/plain");
  });
  StartServer();
  unique_fd fd = RawConnect();
  ASSERT_TRUE(fs::WriteAll(fd.get(), "POST /load HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                     "Expect: 100-continue\r\n\r\n")
                  .ok());
  std::string cont = ReadUntil(fd.get(), "\r\n\r\n");
  EXPECT_EQ(cont, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(fs::WriteAll(fd.get(), "hello").ok());
  EXPECT_NE(ReadUntil(fd.get(), "got 5").find("got 5"), std::string::npos);
}

TEST_F(ServerTest, ChunkedResponseArrivesIncrementally) {
  std::mutex mu;
  std::condition_variable cv;
  int acked = 0;
  router_.Get("/events", [&](Request&, ResponseWriter& w) -> Status {
    BERTH_TRY(w.Start(200, "application/json"));
    for (int i = 0; i < 5; ++i) {
      BERTH_TRY(w.Write("{\"n\":" + std::to_string(i) + "}\n"));
      BERTH_TRY(w.Flush());
      // The next event only goes out once the client saw this one.
      std::unique_lock lock(mu);
      if (!cv.wait_for(lock, 5s, [&] { return acked > i; }))
        return Error::Internal("client did not see event");
    }
    return Ok();
  });
  StartServer();
  Client client(endpoint_);
  std::string all;
  auto r = client.Stream({"GET", "/events", {}, "", nullptr}, [&](std::string_view piece) {
    all += piece;
    std::lock_guard lock(mu);
    acked = static_cast<int>(std::count(all.begin(), all.end(), '\n'));
    cv.notify_all();
    return Ok();
  });
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r->headers.Get("Transfer-Encoding"), "chunked");
  EXPECT_EQ(all, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n");
  EXPECT_EQ(acked, 5);
}

TEST_F(ServerTest, StreamingUploadIsNotBuffered) {
  constexpr size_t kSize = 50u << 20;
  size_t received = 0, reads = 0, largest = 0;
  bool pattern_ok = true;
  long peak_growth_kib = 0;
  long rss_before = RssKiB();
  router_.Post("/images/load", [&](Request& req, ResponseWriter& w) -> Status {
    char buf[64 << 10];
    for (;;) {
      size_t n = BERTH_TRY(req.body->Read(buf, sizeof buf));
      if (n == 0) break;
      for (size_t i = 0; i < n; i += 4093)
        pattern_ok &= buf[i] == static_cast<char>('a' + (received + i) % 26);
      received += n;
      ++reads;
      largest = std::max(largest, n);
      peak_growth_kib = std::max(peak_growth_kib, RssKiB() - rss_before);
    }
    return w.SendJson(200, "{\"stream\":\"Loaded\"}");
  });
  StartServer();
  Client client(endpoint_);
  GeneratedBody body(kSize);
  ClientRequest req{"POST", "/v1.41/images/load?quiet=1", {}, "", &body};
  req.headers.Add("Content-Type", "application/x-tar");
  auto start = Clock::now();
  auto r = client.Do(req);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(received, kSize);
  EXPECT_TRUE(pattern_ok);
  EXPECT_GT(reads, 100u);
  EXPECT_LE(largest, size_t{64 << 10});
#ifdef __SANITIZE_ADDRESS__
  constexpr long kMaxGrowthKiB = 40 * 1024;  // ASan's quarantine keeps freed blocks
#else
  constexpr long kMaxGrowthKiB = 8 * 1024;
#endif
  EXPECT_LT(peak_growth_kib, kMaxGrowthKiB) << "the upload was buffered";
  std::printf("[ upload   ] 50 MiB chunked upload: %lld ms, %zu reads, RSS growth %ld KiB\n",
              static_cast<long long>(ms), reads, peak_growth_kib);
}

TEST_F(ServerTest, HijackBothDirectionsAtOnce) {
  constexpr size_t kEach = 4u << 20;  // more than socket buffers hold
  router_.Post("/containers/{id}/attach", [&](Request&, ResponseWriter& w) -> Status {
    Stream* s = BERTH_TRY(w.Hijack());
    std::thread writer([s] {
      std::string block(64 << 10, 'S');
      for (size_t sent = 0; sent < kEach; sent += block.size())
        if (!s->Write(block).ok()) return;
      (void)s->CloseWrite();
    });
    size_t got = 0;
    char buf[65536];
    std::string first;
    for (;;) {
      auto n = s->Read(buf, sizeof buf);
      if (!n.ok() || *n == 0) break;
      if (first.size() < 5) first.append(buf, std::min<size_t>(*n, 5 - first.size()));
      got += *n;
    }
    writer.join();
    return got == kEach && first == "CCCCC" ? Ok() : Error::Internal("short read");
  });
  StartServer();
  Client client(endpoint_);
  auto h = client.Hijack({"POST", "/v1.41/containers/x/attach?stream=1&stdin=1", {}, "", nullptr});
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(h->response.status, 101);
  EXPECT_EQ(*h->response.headers.Get("Content-Type"), "application/vnd.docker.raw-stream");
  EXPECT_EQ(*h->response.headers.Get("Upgrade"), "tcp");
  ASSERT_TRUE(h->stream);
  Stream* s = h->stream.get();
  std::thread writer([s] {
    std::string block(64 << 10, 'C');
    for (size_t sent = 0; sent < kEach; sent += block.size()) ASSERT_TRUE(s->Write(block).ok());
    ASSERT_TRUE(s->CloseWrite().ok());
  });
  size_t got = 0;
  char buf[65536];
  for (;;) {
    auto n = s->Read(buf, sizeof buf);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    got += *n;
  }
  writer.join();
  EXPECT_EQ(got, kEach);
}

TEST_F(ServerTest, HijackWithoutUpgradeAndEarlyBytes) {
  router_.Post("/exec/{id}/start", [&](Request& req, ResponseWriter& w) -> Status {
    std::string body = BERTH_TRY(req.ReadBody());  // {"Detach":false}
    Stream* s = BERTH_TRY(w.Hijack());
    char buf[64];
    auto n = BERTH_TRY(s->Read(buf, sizeof buf));
    return s->Write("echo:" + std::string(buf, n) + "|" + body);
  });
  StartServer();
  unique_fd fd = RawConnect();
  // An old client: no Upgrade header; stdin bytes follow the request at once.
  ASSERT_TRUE(fs::WriteAll(fd.get(), "POST /exec/e1/start HTTP/1.1\r\nHost: x\r\n"
                                     "Content-Length: 2\r\n\r\n{}early")
                  .ok());
  std::string got = ReadUntil(fd.get(), "|{}");
  EXPECT_EQ(got.rfind("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n", 0),
            0u)
      << got;
  EXPECT_NE(got.find("\r\n\r\necho:early|{}"), std::string::npos) << got;
}

TEST_F(ServerTest, StreamingHandlerSeesClientDisconnect) {
  std::atomic<bool> detected{false};
  router_.Get("/logs", [&](Request&, ResponseWriter& w) -> Status {
    BERTH_TRY(w.Start(200, "application/octet-stream"));
    for (int i = 0; i < 5000; ++i) {
      Status st = w.Write("line\n");
      if (st.ok()) st = w.Flush();
      if (!st.ok() || w.ClientGone()) {
        detected = true;
        return Ok();
      }
      std::this_thread::sleep_for(2ms);
    }
    return Ok();
  });
  StartServer();
  {
    Client client(endpoint_);
    auto r = client.Stream({"GET", "/logs?follow=1", {}, "", nullptr},
                           [](std::string_view) { return Status(Error::Internal("enough")); });
    EXPECT_FALSE(r.ok());
  }  // the client and its connection are gone
  EXPECT_TRUE(Eventually([&] { return detected.load(); }));
}

TEST_F(ServerTest, StopWithIdleKeepAliveConnectionDoesNotHang) {
  router_.Get("/_ping", [](Request&, ResponseWriter& w) { return w.Send(200, "OK", "text/plain"); });
  StartServer();
  Client client(endpoint_);
  ASSERT_TRUE(client.Do({"GET", "/_ping", {}, "", nullptr}).ok());
  EXPECT_EQ(server_->ConnectionCount(), 1u);
  auto start = Clock::now();
  server_->Stop(10s);
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_FALSE(fs::Exists(sock_));
  auto r = client.Do({"GET", "/_ping", {}, "", nullptr});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnavailable);
}

TEST_F(ServerTest, StopAbortsLongRequestsAfterDeadline) {
  std::atomic<bool> started{false}, saw_error{false};
  router_.Get("/events", [&](Request&, ResponseWriter& w) -> Status {
    BERTH_TRY(w.Start(200, "application/json"));
    started = true;
    for (;;) {
      Status st = w.Write("{}\n");
      if (st.ok()) st = w.Flush();
      if (!st.ok()) {
        saw_error = true;
        return st;
      }
      std::this_thread::sleep_for(5ms);
    }
  });
  StartServer();
  std::thread reader([&] {
    Client client(endpoint_);
    (void)client.Stream({"GET", "/events", {}, "", nullptr}, [](std::string_view) { return Ok(); });
  });
  ASSERT_TRUE(Eventually([&] { return started.load(); }));
  auto start = Clock::now();
  server_->Stop(200ms);
  auto took = Clock::now() - start;
  reader.join();
  EXPECT_TRUE(saw_error);
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 2s);
}

TEST_F(ServerTest, LiveSocketIsNotStolenStaleOneIsReplaced) {
  router_.Get("/_ping", [](Request&, ResponseWriter& w) { return w.Send(200, "OK", "text/plain"); });
  StartServer();
  Server other(router_.AsHandler());
  Status st = other.ListenUnix(sock_);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), Code::kAlreadyExists);
  // A socket file nobody listens on is stale.
  std::string stale = dir_ + "/stale.sock";
  { auto fd = http::ListenUnix(stale); ASSERT_TRUE(fd.ok()); }
  EXPECT_TRUE(fs::Exists(stale));
  EXPECT_TRUE(other.ListenUnix(stale).ok());
}

TEST_F(ServerTest, TcpLoopbackAndLatency) {
  router_.Get("/_ping", [](Request&, ResponseWriter& w) { return w.Send(200, "OK", "text/plain"); });
  server_ = std::make_unique<Server>(router_.AsHandler());
  ASSERT_TRUE(server_->ListenUnix(sock_).ok());
  auto port = server_->ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(port.ok()) << port.error().message();
  ASSERT_TRUE(server_->Start().ok());

  Endpoint tcp;
  tcp.kind = Endpoint::Kind::kTcp;
  tcp.host = "127.0.0.1";
  tcp.port = *port;
  for (const Endpoint& ep : {endpoint_, tcp}) {
    Client client(ep);
    ASSERT_TRUE(client.Do({"GET", "/_ping", {}, "", nullptr}).ok());  // connect once
    constexpr int kRounds = 2000;
    auto start = Clock::now();
    for (int i = 0; i < kRounds; ++i) {
      auto r = client.Do({"GET", "/v1.41/_ping", {}, "", nullptr});
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->body, "OK");
    }
    double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count() / kRounds;
    std::printf("[ latency  ] %s keep-alive round trip: %.1f us\n", ep.ToString().c_str(), us);
    EXPECT_LT(us, 1000.0);
    // A fresh connection per request (what one `berth` command pays once).
    start = Clock::now();
    for (int i = 0; i < 200; ++i) {
      Client fresh(ep);
      ASSERT_TRUE(fresh.Do({"GET", "/_ping", {}, "", nullptr}).ok());
    }
    us = std::chrono::duration<double, std::micro>(Clock::now() - start).count() / 200;
    std::printf("[ latency  ] %s connect + round trip: %.1f us\n", ep.ToString().c_str(), us);
    start = Clock::now();
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(Dial(ep).ok());
    us = std::chrono::duration<double, std::micro>(Clock::now() - start).count() / 200;
    std::printf("[ latency  ] %s connect + close: %.1f us\n", ep.ToString().c_str(), us);
  }
}

}  // namespace
}  // namespace berth::http
