#include "dns/message.h"

#include <gtest/gtest.h>

#include <random>

namespace berth::dns {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

// A query for "a.bc" type A as dig sends it (id 0x1234, RD).
const std::string kQuery = Bytes({0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,  //
                                  1, 'a', 2, 'b', 'c', 0, 0, 1, 0, 1});

TEST(Parse, Query) {
  auto m = Parse(kQuery);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->header.id, 0x1234);
  EXPECT_TRUE(m->header.rd);
  EXPECT_FALSE(m->header.qr);
  ASSERT_EQ(m->questions.size(), 1u);
  EXPECT_EQ(m->questions[0].name, "a.bc");
  EXPECT_EQ(m->questions[0].type, kA);
  EXPECT_FALSE(m->edns_udp_size);
}

TEST(Parse, CompressedAnswerAndSrv) {
  // Response: question a.bc, answer "a.bc" (pointer to 12) CNAME x.a.bc
  // (label x + pointer), then an SRV whose target is compressed.
  std::string w = Bytes({0, 7, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,  //
                         1, 'a', 2, 'b', 'c', 0, 0, 5, 0, 1,          //
                         0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'x', 0xC0, 12,
                         0xC0, 12, 0, 33, 0, 1, 0, 0, 0, 60, 0, 8, 0, 1, 0, 2, 0x1F, 0x90,
                         0xC0, 12});
  auto m = Parse(w);
  ASSERT_TRUE(m.ok()) << m.error().message();
  ASSERT_EQ(m->answers.size(), 2u);
  EXPECT_EQ(m->answers[0].name, "a.bc");
  EXPECT_EQ(*RdataName(m->answers[0]), "x.a.bc");
  auto srv = RdataSrv(m->answers[1]);
  ASSERT_TRUE(srv.ok());
  EXPECT_EQ(srv->port, 8080);
  EXPECT_EQ(srv->priority, 1);
  EXPECT_EQ(srv->weight, 2);
  EXPECT_EQ(srv->target, "a.bc");
  // Written again uncompressed, it parses to the same.
  auto again = Parse(Build(*m));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*RdataName(again->answers[0]), "x.a.bc");
  EXPECT_EQ(RdataSrv(again->answers[1])->target, "a.bc");
}

TEST(Parse, Malformed) {
  struct Case {
    const char* name;
    std::string wire;
  } cases[] = {
      {"empty", ""},
      {"short header", Bytes({0, 1, 0, 0, 0})},
      {"counts beyond the packet", Bytes({0, 1, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0})},
      {"name past the end", Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'a', 'b'})},
      {"pointer loop to itself",
       Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1})},
      {"pointer forwards", Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 14, 0, 0, 1, 0, 1})},
      {"extended label type", Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 1, 0, 1})},
      {"question without type", Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0})},
      {"rdata length past the end",
       Bytes({0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 9, 1, 2})},
      {"cname rdata longer than its name",
       Bytes({0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 3, 0, 0, 0})},
  };
  for (const Case& c : cases) {
    auto m = Parse(c.wire);
    EXPECT_FALSE(m.ok()) << c.name;
  }
  // A name of 200 labels: longer than 255 bytes.
  std::string longname = Bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
  for (int i = 0; i < 200; ++i) longname += Bytes({1, 'a'});
  longname += Bytes({0, 0, 1, 0, 1});
  EXPECT_FALSE(Parse(longname).ok());
}

TEST(Parse, Edns) {
  std::string w = kQuery;
  w[11] = 1;  // ARCOUNT
  w += Bytes({0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, 0, 0});
  auto m = Parse(w);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->edns_udp_size, 4096);
  EXPECT_TRUE(m->additional.empty());
  Message r = ReplyTo(*m, Rcode::kNxDomain);
  auto back = Parse(Build(r));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->edns_udp_size.has_value());
  EXPECT_EQ(back->header.rcode, Rcode::kNxDomain);
  EXPECT_TRUE(back->header.qr);
  EXPECT_EQ(back->header.id, 0x1234);
}

TEST(Build, RecordsRoundTrip) {
  Message m;
  m.header.id = 9;
  m.header.qr = true;
  m.questions.push_back({"db.service.berth", kSRV, kClassIN});
  uint8_t v4[4] = {10, 1, 2, 3};
  uint8_t v6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  m.answers.push_back(Record::Srv("db.service.berth", 1, 1, 5432, "c1.db.service.berth", 0));
  m.answers.push_back(Record::Cname("x", "y.z", 5));
  m.answers.push_back(Record::Ptr("3.2.1.10.in-addr.arpa", "db", 600));
  m.additional.push_back(Record::A("c1.db.service.berth", v4, 0));
  m.additional.push_back(Record::AAAA("c1.db.service.berth", v6, 0));
  auto p = Parse(Build(m));
  ASSERT_TRUE(p.ok()) << p.error().message();
  ASSERT_EQ(p->answers.size(), 3u);
  ASSERT_EQ(p->additional.size(), 2u);
  EXPECT_EQ(RdataSrv(p->answers[0])->target, "c1.db.service.berth");
  EXPECT_EQ(*RdataName(p->answers[1]), "y.z");
  EXPECT_EQ(p->answers[1].ttl, 5u);
  EXPECT_EQ(*RdataName(p->answers[2]), "db");
  EXPECT_EQ(p->additional[0].rdata, std::string("\x0a\x01\x02\x03", 4));
  EXPECT_EQ(p->additional[1].rdata.size(), 16u);
}

TEST(Build, TruncatesToTheLimit) {
  Message m;
  m.header.qr = true;
  m.questions.push_back({"many.test", kA, kClassIN});
  for (int i = 0; i < 100; ++i) {
    uint8_t ip[4] = {10, 0, 0, static_cast<uint8_t>(i)};
    m.answers.push_back(Record::A("many.test", ip, 0));
  }
  std::string udp = Build(m, 512);
  EXPECT_LE(udp.size(), 512u);
  auto p = Parse(udp);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->header.tc);
  EXPECT_LT(p->answers.size(), 100u);
  auto tcp = Parse(Build(m));
  ASSERT_TRUE(tcp.ok());
  EXPECT_FALSE(tcp->header.tc);
  EXPECT_EQ(tcp->answers.size(), 100u);
}

TEST(Names, EqualNormalizeReverse) {
  EXPECT_TRUE(NameEqual("Web.Service.BERTH.", "web.service.berth"));
  EXPECT_FALSE(NameEqual("web", "web2"));
  EXPECT_EQ(NormalizeName("DB."), "db");
  EXPECT_EQ(ReverseIpv4("4.3.2.10.in-addr.arpa."), "10.2.3.4");
  EXPECT_EQ(ReverseIpv4("4.3.2.in-addr.arpa"), std::nullopt);
  EXPECT_EQ(ReverseIpv4("400.3.2.1.in-addr.arpa"), std::nullopt);
  EXPECT_EQ(ReverseIpv4("example.com"), std::nullopt);
}

// Fuzz-style: truncations, random byte flips and random packets never
// crash the parser, and whatever parses can be built again.
TEST(Parse, NeverCrashes) {
  Message m;
  m.header.qr = true;
  m.questions.push_back({"a.b.c", kA, kClassIN});
  m.answers.push_back(Record::Srv("a.b.c", 1, 2, 3, "d.e", 4));
  m.answers.push_back(Record::Cname("a.b.c", "x.y", 4));
  m.edns_udp_size = 1232;
  std::string good = Build(m);
  for (size_t n = 0; n < good.size(); ++n) (void)Parse(good.substr(0, n));
  std::mt19937 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::string w = i % 2 ? good : kQuery;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) w[rng() % w.size()] = static_cast<char>(rng());
    auto p = Parse(w);
    if (p.ok()) (void)Parse(Build(*p, 512));
  }
  for (int i = 0; i < 5000; ++i) {
    std::string w(rng() % 80, '\0');
    for (char& c : w) c = static_cast<char>(rng() % 4 == 0 ? 0xC0 : rng());
    (void)Parse(w);
  }
}

}  // namespace
}  // namespace berth::dns
