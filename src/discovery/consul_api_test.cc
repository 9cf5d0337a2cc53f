// The Consul API over a real HTTP server on a loopback port, against the
// embedded store.
#include "discovery/consul_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "discovery/embedded_store.h"
#include "http/client.h"
#include "http/server.h"

namespace berth::discovery {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ConsulApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(EmbeddedStore::Open({})).value();
    ApiOptions o;
    o.max_blocking = 2;
    o.resolve_token = [](const std::string& token) {
      Caller c;
      if (token == "tok-a" || token == "tok-b") {
        c.known = true;
        c.owner = token;
        c.kv_prefixes = {"app/" + token.substr(4) + "/"};
      }
      return c;
    };
    api_ = std::make_unique<ConsulApi>(store_.get(), o);
    host_ = Serve(api_->HostHandler(), &host_port_);
    ctr_ = Serve(api_->ContainerHandler(), &ctr_port_);
  }
  void TearDown() override {
    host_->Stop();
    ctr_->Stop();
  }
  std::unique_ptr<http::Server> Serve(http::Handler h, uint16_t* port) {
    auto s = std::make_unique<http::Server>(std::move(h));
    *port = *s->ListenTcp("127.0.0.1", 0);
    EXPECT_TRUE(s->Start().ok());
    return s;
  }
  http::ClientResponse Do(std::string method, std::string target, std::string body = "",
                          bool container = false, std::string token = "") {
    http::Endpoint ep;
    ep.kind = http::Endpoint::Kind::kTcp;
    ep.host = "127.0.0.1";
    ep.port = container ? ctr_port_ : host_port_;
    http::Client client(ep);
    http::ClientRequest req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.body = std::move(body);
    if (!token.empty()) req.headers.Add("X-Consul-Token", token);
    auto r = client.Do(req);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? std::move(*r) : http::ClientResponse{};
  }
  static uint64_t Index(const http::ClientResponse& r) {
    auto v = r.headers.Get("X-Consul-Index");
    return v ? std::stoull(std::string(*v)) : 0;
  }

  std::unique_ptr<EmbeddedStore> store_;
  std::unique_ptr<ConsulApi> api_;
  std::unique_ptr<http::Server> host_, ctr_;
  uint16_t host_port_ = 0, ctr_port_ = 0;
};

TEST_F(ConsulApiTest, KvPutGetRawFlagsAnd404) {
  auto put = Do("PUT", "/v1/kv/app/db%2Fhost?flags=42", "10.0.0.5");
  EXPECT_EQ(put.status, 200);
  EXPECT_EQ(put.body, "true");
  auto get = Do("GET", "/v1/kv/app/db/host");
  ASSERT_EQ(get.status, 200);
  json j = json::parse(get.body);
  EXPECT_EQ(j[0]["Key"], "app/db/host");
  EXPECT_EQ(j[0]["Value"], "MTAuMC4wLjU=");
  EXPECT_EQ(j[0]["Flags"], 42);
  EXPECT_EQ(Index(get), j[0]["ModifyIndex"].get<uint64_t>());
  auto raw = Do("GET", "/v1/kv/app/db/host?raw");
  EXPECT_EQ(raw.body, "10.0.0.5");
  auto missing = Do("GET", "/v1/kv/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_GE(Index(missing), 1u);
  EXPECT_EQ(Do("PUT", "/v1/kv/", "x").status, 400);
}

TEST_F(ConsulApiTest, KvRecurseFormsKeysAndSeparator) {
  for (auto k : {"cfg/a", "cfg/b/c", "cfg/b/d", "other"}) Do("PUT", std::string("/v1/kv/") + k, "v");
  for (auto q : {"recurse", "recurse=1", "recurse=true"}) {
    auto r = Do("GET", std::string("/v1/kv/cfg/?") + q);
    ASSERT_EQ(r.status, 200) << q;
    EXPECT_EQ(json::parse(r.body).size(), 3u) << q;
  }
  auto keys = Do("GET", "/v1/kv/cfg/?keys&separator=/");
  EXPECT_EQ(json::parse(keys.body), json({"cfg/a", "cfg/b/"}));
  auto all = Do("GET", "/v1/kv/?keys");
  EXPECT_EQ(json::parse(all.body).size(), 4u);
  EXPECT_EQ(Do("DELETE", "/v1/kv/cfg?recurse").body, "true");
  EXPECT_EQ(Do("GET", "/v1/kv/cfg/?recurse").status, 404);
  EXPECT_EQ(Do("GET", "/v1/kv/other").status, 200);
}

TEST_F(ConsulApiTest, KvCas) {
  EXPECT_EQ(Do("PUT", "/v1/kv/lock?cas=0", "a").body, "true");
  EXPECT_EQ(Do("PUT", "/v1/kv/lock?cas=0", "b").body, "false");
  uint64_t idx = json::parse(Do("GET", "/v1/kv/lock").body)[0]["ModifyIndex"];
  EXPECT_EQ(Do("PUT", "/v1/kv/lock?cas=" + std::to_string(idx + 5), "c").body, "false");
  EXPECT_EQ(Do("PUT", "/v1/kv/lock?cas=" + std::to_string(idx), "c").body, "true");
  EXPECT_EQ(Do("PUT", "/v1/kv/lock?cas=x", "c").status, 400);
  EXPECT_EQ(Do("DELETE", "/v1/kv/lock?cas=1").body, "false");
}

TEST_F(ConsulApiTest, BlockingQueryWakesOnItsPrefix) {
  Do("PUT", "/v1/kv/w/a", "1");
  uint64_t idx = Index(Do("GET", "/v1/kv/w/?recurse"));
  http::ClientResponse got;
  std::thread t([&] { got = Do("GET", "/v1/kv/w/?recurse&index=" + std::to_string(idx) + "&wait=20s"); });
  std::this_thread::sleep_for(150ms);
  Do("PUT", "/v1/kv/x/unrelated", "1");
  auto t0 = std::chrono::steady_clock::now();
  Do("PUT", "/v1/kv/w/b", "2");
  t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_GT(Index(got), idx);
  EXPECT_EQ(json::parse(got.body).size(), 2u);
}

TEST_F(ConsulApiTest, BlockingQueryTimesOutAndIsCapped) {
  Do("PUT", "/v1/kv/q", "1");
  uint64_t idx = Index(Do("GET", "/v1/kv/q"));
  auto t0 = std::chrono::steady_clock::now();
  auto r = Do("GET", "/v1/kv/q?index=" + std::to_string(idx) + "&wait=200ms");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 190ms);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Index(r), idx);
  EXPECT_EQ(Do("GET", "/v1/kv/q?index=" + std::to_string(idx) + "&wait=bogus").status, 400);
  // Two held at once (the cap in this test): a third is refused.
  std::thread a([&] { Do("GET", "/v1/kv/q?index=" + std::to_string(idx) + "&wait=1s"); });
  std::thread b([&] { Do("GET", "/v1/kv/q?index=" + std::to_string(idx) + "&wait=1s"); });
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (api_->blocking_now() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(Do("GET", "/v1/kv/q?index=" + std::to_string(idx) + "&wait=1s").status, 429);
  a.join();
  b.join();
}

// Durations that used to throw out of the parser (and kill berthd) are a 400,
// and the server goes on answering.
TEST_F(ConsulApiTest, BadDurationsAre400) {
  Do("PUT", "/v1/kv/k", "1");
  for (const char* wait : {".s", "1..s", "12345678901234567890", "1.2.3s"}) {
    auto r = Do("GET", std::string("/v1/kv/k?index=1&wait=") + wait);
    EXPECT_EQ(r.status, 400) << wait;
    EXPECT_NE(r.body.find("duration \"" + std::string(wait) + "\""), std::string::npos) << r.body;
  }
  auto reg = Do("PUT", "/v1/agent/service/register",
                R"({"Name":"web","ID":"w1","Port":80,"Check":{"TTL":".s"}})");
  EXPECT_EQ(reg.status, 400);
  EXPECT_NE(reg.body.find("Check.TTL"), std::string::npos) << reg.body;
  EXPECT_EQ(Do("GET", "/v1/kv/k?raw").body, "1");
}

TEST_F(ConsulApiTest, Txn) {
  std::string ok = R"([{"KV":{"Verb":"set","Key":"t/a","Value":"MQ=="}},
                       {"kv":{"verb":"get","key":"t/a"}}])";
  auto r = Do("PUT", "/v1/txn", ok);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["Results"][1]["KV"]["Value"], "MQ==");
  auto bad = Do("PUT", "/v1/txn", R"([{"KV":{"Verb":"set","Key":"t/b","Value":"Mg=="}},
                                      {"KV":{"Verb":"check-not-exists","Key":"t/a"}}])");
  EXPECT_EQ(bad.status, 409);
  EXPECT_EQ(json::parse(bad.body)["Errors"][0]["OpIndex"], 1);
  EXPECT_EQ(Do("GET", "/v1/kv/t/b").status, 404);
  EXPECT_EQ(Do("PUT", "/v1/txn", "{").status, 400);
}

TEST_F(ConsulApiTest, ServicesChecksCatalogHealth) {
  // python-consul's shape: lower-case fields, a TTL check.
  auto reg = Do("PUT", "/v1/agent/service/register",
                R"({"name":"web","id":"web1","address":"10.1.0.2","port":80,"tags":["v1"],
                    "check":{"TTL":"10s"}})");
  ASSERT_EQ(reg.status, 200) << reg.body;
  // GET works as PUT does on agent endpoints.
  ASSERT_EQ(Do("GET", "/v1/agent/service/register",
               R"({"Name":"web","ID":"web2","Port":81,"Meta":{"Zone":"a"}})").status, 200);
  auto svcs = json::parse(Do("GET", "/v1/catalog/services").body);
  EXPECT_EQ(svcs["web"], json({"v1"}));
  auto cat = json::parse(Do("GET", "/v1/catalog/service/web").body);
  ASSERT_EQ(cat.size(), 2u);
  EXPECT_EQ(cat[0]["ServiceAddress"], "10.1.0.2");
  EXPECT_EQ(cat[1]["ServiceMeta"]["Zone"], "a");
  auto healthy = json::parse(Do("GET", "/v1/health/service/web?passing").body);
  ASSERT_EQ(healthy.size(), 1u);  // web1's TTL check starts critical
  EXPECT_EQ(healthy[0]["Service"]["ID"], "web2");

  uint64_t idx = Index(Do("GET", "/v1/health/service/web"));
  http::ClientResponse woke;
  std::thread t([&] {
    woke = Do("GET", "/v1/health/service/web?passing=1&index=" + std::to_string(idx));
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(Do("PUT", "/v1/agent/check/pass/service:web1?note=ok").status, 200);
  t.join();
  EXPECT_EQ(json::parse(woke.body).size(), 2u);
  EXPECT_EQ(Do("PUT", "/v1/agent/check/update/service:web1", R"({"status":"warning"})").status, 200);
  EXPECT_EQ(json::parse(Do("GET", "/v1/health/service/web?passing").body).size(), 1u);
  EXPECT_EQ(Do("PUT", "/v1/agent/check/fail/nope").status, 404);

  EXPECT_EQ(Do("GET", "/v1/catalog/service/web?tag=v1").body.find("web2"), std::string::npos);
  EXPECT_EQ(json::parse(Do("GET", "/v1/agent/services").body).size(), 2u);
  EXPECT_EQ(Do("GET", "/v1/agent/service/deregister/web1").status, 200);
  EXPECT_EQ(Do("PUT", "/v1/agent/service/deregister/web1").status, 404);
  EXPECT_EQ(json::parse(Do("GET", "/v1/catalog/service/web").body).size(), 1u);
  EXPECT_EQ(Do("GET", "/v1/status/leader").body, "\"127.0.0.1:8300\"");
  EXPECT_EQ(Do("PUT", "/v1/agent/service/register", R"({"port":1})").status, 400);
}

TEST_F(ConsulApiTest, ContainerTokensOwnTheirServicesAndKeys) {
  std::string svc = R"({"Name":"api","ID":"api-a","Port":1})";
  EXPECT_EQ(Do("PUT", "/v1/agent/service/register", svc, true).status, 403);  // anonymous
  EXPECT_EQ(Do("PUT", "/v1/agent/service/register", svc, true, "tok-a").status, 200);
  EXPECT_EQ(Do("PUT", "/v1/agent/service/register", svc, true, "tok-b").status, 403);
  EXPECT_EQ(Do("PUT", "/v1/agent/service/deregister/api-a", "", true, "tok-b").status, 403);
  EXPECT_EQ(Do("PUT", "/v1/agent/check/pass/service:api-a", "", true, "tok-b").status, 404);
  EXPECT_EQ(Do("PUT", "/v1/kv/app/a/x", "1", true, "tok-a").status, 200);
  EXPECT_EQ(Do("PUT", "/v1/kv/app/a/x", "1", true, "tok-b").status, 403);
  EXPECT_EQ(Do("DELETE", "/v1/kv/app/a/x", "", true, "tok-b").status, 403);
  EXPECT_EQ(Do("GET", "/v1/kv/app/a/x", "", true).status, 200);  // reads are open
  EXPECT_EQ(Do("PUT", "/v1/kv/app/a/x?token=tok-b", "1", true).status, 403);
  EXPECT_EQ(Do("PUT", "/v1/agent/service/deregister/api-a", "", true, "tok-a").status, 200);
  // The host is privileged.
  EXPECT_EQ(Do("PUT", "/v1/kv/anything", "1").status, 200);
}

}  // namespace
}  // namespace berth::discovery
