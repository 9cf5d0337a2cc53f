#include "dns/lookup_resolver.h"

#include <gtest/gtest.h>

namespace berth::dns {
namespace {

LookupResolver Make() {
  return LookupResolver(
      [](const Client& c, const std::string& name) -> std::vector<std::string> {
        if (c.container_id == "web" && (name == "db" || name == "database"))
          return {"10.1.0.3"};
        if (c.container_id == "web" && name == "pair") return {"10.1.0.4", "10.1.0.5"};
        return {};
      },
      [](const Client& c, const std::string& ip) -> std::optional<std::string> {
        if (c.container_id == "web" && ip == "10.1.0.3") return "db";
        return std::nullopt;
      });
}

TEST(LookupResolver, Table) {
  LookupResolver r = Make();
  struct Case {
    std::string client, name;
    uint16_t type;
    bool owned;
    size_t records;
  } cases[] = {
      {"web", "db", kA, true, 1},
      {"web", "DB.", kA, true, 1},
      {"web", "database", kA, true, 1},
      {"web", "pair", kA, true, 2},
      {"web", "db", kAAAA, true, 0},
      {"web", "db", kMX, true, 0},
      {"web", "unknown", kA, false, 0},
      {"other", "db", kA, false, 0},
      {"", "db", kA, false, 0},
      {"web", "3.0.1.10.in-addr.arpa", kPTR, true, 1},
      {"web", "9.0.1.10.in-addr.arpa", kPTR, false, 0},
      {"other", "3.0.1.10.in-addr.arpa", kPTR, false, 0},
  };
  for (const Case& c : cases) {
    auto a = r.Resolve({c.name, c.type, kClassIN}, Client{c.client});
    EXPECT_EQ(a.has_value(), c.owned) << c.client << " " << c.name;
    if (!a) continue;
    EXPECT_EQ(a->rcode, Rcode::kNoError);
    EXPECT_EQ(a->answers.size(), c.records) << c.name;
  }
  auto a = r.Resolve({"db", kA, kClassIN}, Client{"web"});
  EXPECT_EQ(a->answers[0].rdata, std::string("\x0a\x01\x00\x03", 4));
  EXPECT_EQ(a->answers[0].ttl, 600u);
  auto p = r.Resolve({"3.0.1.10.in-addr.arpa", kPTR, kClassIN}, Client{"web"});
  EXPECT_EQ(*RdataName(p->answers[0]), "db");
}

}  // namespace
}  // namespace berth::dns
