#include "servicedns/service_resolver.h"

#include <gtest/gtest.h>

namespace berth::servicedns {
namespace {

discovery::Service Svc(std::string id, std::string name, std::string addr, int port,
                       std::vector<std::string> tags, std::string status = "passing") {
  discovery::Service s;
  s.id = std::move(id);
  s.name = std::move(name);
  s.address = std::move(addr);
  s.port = port;
  s.tags = std::move(tags);
  discovery::Check c;
  c.id = "c:" + s.id;
  c.status = std::move(status);
  s.checks.push_back(c);
  return s;
}

std::vector<discovery::Service> Catalog() {
  return {Svc("w1", "web", "10.1.0.2", 80, {"blue"}), Svc("w2", "web", "10.1.0.3", 8080, {"green"}),
          Svc("w3", "web", "10.1.0.4", 80, {"blue"}, "critical"),
          Svc("d1", "db", "10.1.0.9", 5432, {})};
}

std::vector<std::string> As(const dns::Answer& a) {
  std::vector<std::string> out;
  for (const dns::Record& r : a.answers)
    if (r.type == dns::kA && r.rdata.size() == 4)
      out.push_back(std::to_string(uint8_t(r.rdata[0])) + "." + std::to_string(uint8_t(r.rdata[1])) +
                    "." + std::to_string(uint8_t(r.rdata[2])) + "." +
                    std::to_string(uint8_t(r.rdata[3])));
  return out;
}

TEST(ServiceDns, AHealthyInstancesOnly) {
  auto a = AnswerFromCatalog(Catalog(), {"web.service.berth", dns::kA});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rcode, dns::Rcode::kNoError);
  EXPECT_EQ(As(*a), (std::vector<std::string>{"10.1.0.2", "10.1.0.3"}));
  a = AnswerFromCatalog(Catalog(), {"WEB.Service.Berth.", dns::kA});
  ASSERT_TRUE(a);
  EXPECT_EQ(As(*a).size(), 2u);
}

TEST(ServiceDns, TagFilters) {
  auto a = AnswerFromCatalog(Catalog(), {"blue.web.service.berth", dns::kA});
  ASSERT_TRUE(a);
  EXPECT_EQ(As(*a), (std::vector<std::string>{"10.1.0.2"}));  // w3 is blue but critical
  a = AnswerFromCatalog(Catalog(), {"red.web.service.berth", dns::kA});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rcode, dns::Rcode::kNxDomain);
}

TEST(ServiceDns, SrvWithPortsAndTargets) {
  auto a = AnswerFromCatalog(Catalog(), {"web.service.berth", dns::kSRV});
  ASSERT_TRUE(a);
  ASSERT_EQ(a->answers.size(), 2u);
  auto s = dns::RdataSrv(a->answers[1]);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->port, 8080);
  EXPECT_EQ(s->target, "10-1-0-3.addr.berth");
  ASSERT_EQ(a->additional.size(), 2u);
  EXPECT_EQ(a->additional[1].name, "10-1-0-3.addr.berth");
  auto t = AnswerFromCatalog(Catalog(), {"10-1-0-3.addr.berth", dns::kA});
  ASSERT_TRUE(t);
  EXPECT_EQ(As(*t), (std::vector<std::string>{"10.1.0.3"}));
}

TEST(ServiceDns, OtherNamesAndTypes) {
  EXPECT_FALSE(AnswerFromCatalog(Catalog(), {"example.com", dns::kA}));
  EXPECT_FALSE(AnswerFromCatalog(Catalog(), {"web.berth", dns::kA}));
  auto a = AnswerFromCatalog(Catalog(), {"nosuch.service.berth", dns::kA});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rcode, dns::Rcode::kNxDomain);
  a = AnswerFromCatalog(Catalog(), {"db.service.berth", dns::kAAAA});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rcode, dns::Rcode::kNoError);
  EXPECT_TRUE(a->answers.empty());
}

}  // namespace
}  // namespace berth::servicedns
