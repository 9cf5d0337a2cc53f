#include "dns/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>

#include <gtest/gtest.h>

#include <random>
#include <thread>

namespace berth::dns {
namespace {

// Answers "web" for container c1 only, and "big" with many records.
class FakeResolver : public Resolver {
 public:
  std::optional<Answer> Resolve(const Question& q, const Client& who) override {
    Answer a;
    if (NameEqual(q.name, "web") && who.container_id == "c1") {
      uint8_t ip[4] = {10, 9, 0, 2};
      if (q.type == kA) a.answers.push_back(Record::A(q.name, ip, 0));
      return a;
    }
    if (NameEqual(q.name, "big.berth")) {
      for (int i = 0; i < 60; ++i) {
        uint8_t ip[4] = {10, 9, 1, static_cast<uint8_t>(i)};
        a.answers.push_back(Record::A(q.name, ip, 0));
      }
      return a;
    }
    return std::nullopt;
  }
};

// Answers every question with 192.0.2.7 ("large.test": 100 records): the
// fake upstream.
class EverythingResolver : public Resolver {
 public:
  std::optional<Answer> Resolve(const Question& q, const Client&) override {
    Answer a;
    if (NameEqual(q.name, "large.test")) {
      for (int i = 0; i < 100; ++i) {
        uint8_t ip[4] = {192, 0, 2, static_cast<uint8_t>(i)};
        a.answers.push_back(Record::A(q.name, ip, 0));
      }
      return a;
    }
    uint8_t ip[4] = {192, 0, 2, 7};
    a.answers.push_back(Record::A(q.name, ip, 0));
    return a;
  }
};

std::string Query(const std::string& name, uint16_t type = kA, uint16_t id = 77) {
  Message m;
  m.header.id = id;
  m.header.rd = true;
  m.questions.push_back({name, type, kClassIN});
  return Build(m);
}

unique_fd UdpClient() { return unique_fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)); }

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// One UDP exchange; "" when nothing came back within timeout_ms.
std::string AskUdp(uint16_t port, const std::string& wire, int timeout_ms = 3000) {
  unique_fd fd = UdpClient();
  sockaddr_in a = Loopback(port);
  ::sendto(fd.get(), wire.data(), wire.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  pollfd p{fd.get(), POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) != 1) return "";
  char buf[65536];
  ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

unique_fd TcpConnect(uint16_t port) {
  unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = Loopback(port);
  EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

std::string ReadFrame(int fd) {
  std::string got;
  char buf[65536];
  while (true) {
    if (got.size() >= 2) {
      size_t len = (static_cast<uint8_t>(got[0]) << 8) | static_cast<uint8_t>(got[1]);
      if (got.size() >= 2 + len) return got.substr(2, len);
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 3000) != 1) return "";
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return "";
    got.append(buf, static_cast<size_t>(n));
  }
}

class ServerTest : public testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.upstream_timeout = std::chrono::milliseconds(200);
    auto s = Server::Start(o);
    ASSERT_TRUE(s.ok()) << s.error().message();
    srv_ = std::move(*s);
    srv_->AddResolver(std::make_shared<FakeResolver>());
  }

  // A listener on 127.0.0.1:<kernel's pick> for client c1 with upstreams.
  uint16_t Listen(std::vector<Upstream> ups, const std::string& client = "c1") {
    auto socks = Open("127.0.0.1", 0);
    EXPECT_TRUE(socks.ok()) << socks.error().message();
    uint16_t port = *BoundPort(socks->udp.get());
    auto id = srv_->AddListener(std::move(*socks), {Client{client}, std::move(ups)});
    EXPECT_TRUE(id.ok());
    last_id_ = *id;
    return port;
  }

  std::unique_ptr<Server> srv_;
  Server::ListenerId last_id_ = 0;
};

TEST_F(ServerTest, AnswersFromTheChainOverUdp) {
  uint16_t port = Listen({});
  auto r = Parse(AskUdp(port, Query("WEB")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->header.id, 77);
  EXPECT_TRUE(r->header.qr);
  EXPECT_TRUE(r->header.aa);
  EXPECT_EQ(r->header.rcode, Rcode::kNoError);
  ASSERT_EQ(r->answers.size(), 1u);
  EXPECT_EQ(r->answers[0].rdata, std::string("\x0a\x09\x00\x02", 4));
  // AAAA for a name that exists: no records, no error.
  r = Parse(AskUdp(port, Query("web", kAAAA)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->header.rcode, Rcode::kNoError);
  EXPECT_TRUE(r->answers.empty());
}

TEST_F(ServerTest, OtherClientsDoNotSeeTheName) {
  uint16_t port = Listen({}, "c2");
  auto r = Parse(AskUdp(port, Query("web")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->header.rcode, Rcode::kNxDomain);  // single label: never forwarded
  r = Parse(AskUdp(port, Query("nothing.service.berth")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->header.rcode, Rcode::kNxDomain);
}

TEST_F(ServerTest, RefusedWithoutUpstream) {
  uint16_t port = Listen({});
  auto r = Parse(AskUdp(port, Query("example.test")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->header.rcode, Rcode::kRefused);
  EXPECT_EQ(r->header.id, 77);
}

TEST_F(ServerTest, ForwardsToTheUpstream) {
  // The upstream is a second server on loopback that answers everything.
  auto up = Server::Start({});
  ASSERT_TRUE(up.ok());
  (*up)->AddResolver(std::make_shared<EverythingResolver>());
  auto socks = Open("127.0.0.1", 0);
  ASSERT_TRUE(socks.ok());
  uint16_t up_port = *BoundPort(socks->udp.get());
  ASSERT_TRUE((*up)->AddListener(std::move(*socks), {}).ok());
  auto u = Upstream::Parse("127.0.0.1:" + std::to_string(up_port));
  ASSERT_TRUE(u.ok());
  uint16_t port = Listen({*u});
  auto r = Parse(AskUdp(port, Query("example.test", kA, 4242)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->header.id, 4242);
  EXPECT_EQ(r->header.rcode, Rcode::kNoError);
  ASSERT_EQ(r->answers.size(), 1u);
  EXPECT_EQ(r->answers[0].rdata, std::string("\xc0\x00\x02\x07", 4));
  EXPECT_EQ(srv_->Stats().forwarded, 1u);
  // Over TCP too (forwarded over UDP, answered framed).
  unique_fd c = TcpConnect(port);
  std::string q = Query("other.test", kA, 5);
  std::string framed = std::string(1, '\0') + static_cast<char>(q.size()) + q;
  ASSERT_EQ(::write(c.get(), framed.data(), framed.size()), static_cast<ssize_t>(framed.size()));
  auto t = Parse(ReadFrame(c.get()));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->header.id, 5);
  EXPECT_EQ(t->answers.size(), 1u);
  // An answer larger than UDP carries: TC over UDP, whole over TCP (the
  // question goes to the upstream over TCP too).
  auto big = Parse(AskUdp(port, Query("large.test", kA, 6)));
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(big->header.tc);
  EXPECT_EQ(big->header.id, 6);
  q = Query("large.test", kA, 7);
  framed = std::string(1, '\0') + static_cast<char>(q.size()) + q;
  ASSERT_EQ(::write(c.get(), framed.data(), framed.size()), static_cast<ssize_t>(framed.size()));
  big = Parse(ReadFrame(c.get()));
  ASSERT_TRUE(big.ok());
  EXPECT_FALSE(big->header.tc);
  EXPECT_EQ(big->header.id, 7);
  EXPECT_EQ(big->answers.size(), 100u);
}

TEST_F(ServerTest, ServfailWhenTheUpstreamIsSilent) {
  // A bound UDP socket that never answers, then a closed port (ICMP refused).
  auto silent = Open("127.0.0.1", 0);
  ASSERT_TRUE(silent.ok());
  uint16_t p = *BoundPort(silent->udp.get());
  auto closed = Open("127.0.0.1", 0);
  uint16_t cp = *BoundPort(closed->udp.get());
  closed->udp.reset();
  uint16_t port = Listen({*Upstream::Parse("127.0.0.1:" + std::to_string(p)),
                          *Upstream::Parse("127.0.0.1:" + std::to_string(cp))});
  auto t0 = std::chrono::steady_clock::now();
  auto r = Parse(AskUdp(port, Query("slow.test")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->header.rcode, Rcode::kServFail);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(190));
  // Over TCP: the silent one accepts and never answers, the closed one refuses.
  unique_fd c = TcpConnect(port);
  std::string q = Query("slow.test", kA, 9);
  std::string framed = std::string(1, '\0') + static_cast<char>(q.size()) + q;
  ASSERT_EQ(::write(c.get(), framed.data(), framed.size()), static_cast<ssize_t>(framed.size()));
  auto t = Parse(ReadFrame(c.get()));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->header.rcode, Rcode::kServFail);
  EXPECT_EQ(t->header.id, 9);
}

TEST_F(ServerTest, TruncatesOverUdpNotOverTcp) {
  uint16_t port = Listen({});
  auto r = Parse(AskUdp(port, Query("big.berth")));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->header.tc);
  unique_fd c = TcpConnect(port);
  // Two questions in one write, the second split across writes.
  std::string q1 = Query("big.berth", kA, 1), q2 = Query("web", kA, 2);
  std::string all = std::string(1, '\0') + static_cast<char>(q1.size()) + q1 +
                    std::string(1, '\0') + static_cast<char>(q2.size()) + q2;
  ASSERT_EQ(::write(c.get(), all.data(), all.size() - 3), static_cast<ssize_t>(all.size() - 3));
  auto a1 = Parse(ReadFrame(c.get()));
  ASSERT_TRUE(a1.ok());
  EXPECT_FALSE(a1->header.tc);
  EXPECT_EQ(a1->answers.size(), 60u);
  ASSERT_EQ(::write(c.get(), all.data() + all.size() - 3, 3), 3);
  auto a2 = Parse(ReadFrame(c.get()));
  ASSERT_TRUE(a2.ok());
  EXPECT_EQ(a2->header.id, 2);
}

TEST_F(ServerTest, MalformedPacketsNeverStopTheServer) {
  uint16_t port = Listen({});
  // Garbage with a readable header: FORMERR.
  std::string bad = Query("web");
  bad.resize(bad.size() - 3);
  auto r = Parse(AskUdp(port, bad));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->header.rcode, Rcode::kFormErr);
  // Shorter than a header, or a response: no answer at all.
  EXPECT_EQ(AskUdp(port, "abc", 200), "");
  std::string resp = Query("web");
  resp[2] = static_cast<char>(resp[2] | 0x80);
  EXPECT_EQ(AskUdp(port, resp, 200), "");
  std::mt19937 rng(7);
  unique_fd fd = UdpClient();
  sockaddr_in a = Loopback(port);
  for (int i = 0; i < 2000; ++i) {
    std::string w = Query("web");
    w[rng() % w.size()] = static_cast<char>(rng());
    if (i % 3 == 0) w.resize(rng() % w.size());
    ::sendto(fd.get(), w.data(), w.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  // A TCP client announcing a frame it never sends, and one sending junk.
  unique_fd t1 = TcpConnect(port);
  ASSERT_EQ(::write(t1.get(), "\xff\xff\x01", 3), 3);
  unique_fd t2 = TcpConnect(port);
  std::string framed = std::string(1, '\0') + static_cast<char>(bad.size()) + bad;
  ASSERT_EQ(::write(t2.get(), "\x00\x03xyz", 5), 5);  // no header: dropped
  ASSERT_EQ(::write(t2.get(), framed.data(), framed.size()), static_cast<ssize_t>(framed.size()));
  auto f = Parse(ReadFrame(t2.get()));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->header.rcode, Rcode::kFormErr);
  // Still answering.
  r = Parse(AskUdp(port, Query("web")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->answers.size(), 1u);
  EXPECT_GT(srv_->Stats().malformed, 0u);
}

TEST_F(ServerTest, RemoveListenerClosesItsSockets) {
  uint16_t port = Listen({});
  EXPECT_EQ(srv_->ListenerCount(), 1u);
  srv_->RemoveListener(last_id_);
  EXPECT_EQ(srv_->ListenerCount(), 0u);
  // The port is free again: binding it succeeds.
  auto again = Open("127.0.0.1", port);
  EXPECT_TRUE(again.ok()) << again.error().message();
  srv_->RemoveListener(12345);  // unknown: ignored
}

TEST(Upstream, Parse) {
  EXPECT_EQ(Upstream::Parse("10.0.0.1")->text, "10.0.0.1");
  EXPECT_TRUE(Upstream::Parse("10.0.0.1:5353").ok());
  EXPECT_TRUE(Upstream::Parse("::1").ok());
  EXPECT_TRUE(Upstream::Parse("[::1]:53").ok());
  EXPECT_FALSE(Upstream::Parse("10.0.0.1:0").ok());
  EXPECT_FALSE(Upstream::Parse("nameserver").ok());
  EXPECT_FALSE(Upstream::Parse("[::1").ok());
  auto ups = UpstreamsFromResolvConf(
      "# comment\nnameserver 127.0.0.53\nnameserver 10.1.1.1\nnameserver\tfd00::1\n"
      "nameserver ::1\nsearch x\nnameserverx 1.1.1.1\n");
  ASSERT_EQ(ups.size(), 2u);
  EXPECT_EQ(ups[0].text, "10.1.1.1");
  EXPECT_EQ(ups[1].text, "fd00::1");
}

}  // namespace
}  // namespace berth::dns
