// The etcd implementation for the conformance suite, and etcd-only tests.
#include "discovery/etcd_store.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include "discovery/codec.h"
#include "discovery/etcd_client.h"
#include "discovery/etcd_fixture.h"
#include "http/server.h"

namespace berth::discovery {

bool EtcdImpl::Available() const { return EtcdServer::Get() != nullptr; }

Result<std::unique_ptr<Store>> EtcdImpl::Make() {
  static std::atomic<int> n{0};
  EtcdStore::Options o;
  o.url = EtcdServer::Get()->url();
  o.prefix = "test" + std::to_string(::getpid()) + "-" + std::to_string(n++) + "/";
  o.node = "node-a";
  o.lease_ttl_s = 3;
  auto s = BERTH_TRY(EtcdStore::Open(o));
  return std::unique_ptr<Store>(std::move(s));
}

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

TEST(EtcdStore, HostsShareTheCatalogAndADeadHostsServicesExpire) {
  if (!EtcdServer::Get()) GTEST_SKIP() << "no etcd";
  EtcdStore::Options a;
  a.url = EtcdServer::Get()->url();
  a.prefix = "multi" + std::to_string(::getpid()) + "/";
  a.node = "host-a";
  a.lease_ttl_s = 2;
  EtcdStore::Options b = a;
  b.node = "host-b";
  auto sa = EtcdStore::Open(a);
  auto sb = EtcdStore::Open(b);
  ASSERT_TRUE(sa.ok() && sb.ok());
  Service web;
  web.name = "web";
  web.id = "web-a";
  ASSERT_TRUE((*sa)->Register(web).ok());
  web.id = "web-b";
  ASSERT_TRUE((*sb)->Register(web).ok());
  EXPECT_EQ((*sa)->Services("web")->services.size(), 2u);
  EXPECT_EQ((*sb)->GetService("web-a")->node, "host-a");
  // Host b may not touch host a's instance.
  EXPECT_FALSE(*(*sb)->Deregister("web-a"));
  // Host a dies without deregistering (its keepalives stop).
  sa->reset();
  auto deadline = Store::Clock::now() + 15s;
  while ((*sb)->Services("web")->services.size() > 1 && Store::Clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  auto left = (*sb)->Services("web");
  ASSERT_EQ(left->services.size(), 1u);
  EXPECT_EQ(left->services[0].id, "web-b");
}

TEST(EtcdStore, ValuesAreRawInEtcd) {
  if (!EtcdServer::Get()) GTEST_SKIP() << "no etcd";
  EtcdStore::Options o;
  o.url = EtcdServer::Get()->url();
  o.prefix = "raw" + std::to_string(::getpid()) + "/";
  auto s = EtcdStore::Open(o);
  ASSERT_TRUE(s.ok()) << s.error().message();
  ASSERT_TRUE(*(*s)->KvPut({"app/x", "hello", 3}));
  auto etcd = EtcdClient::Open(o.url);
  auto r = (*etcd)->Call("kv/range", {{"key", Base64Encode(o.prefix + "kv/app/x")}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*Base64Decode((*r)["kvs"][0]["value"].get<std::string>()), "hello");
  EXPECT_EQ((*s)->KvGet("app/x", false)->entries.at(0).flags, 3u);
}

// A cluster member that refuses every request (503), ahead of the live one:
// calls and watches move on to the live member, and once it answered, the
// watch starts there instead of dialling the refusing member again.
TEST(EtcdClient, WatchFailsOverAndStartsAtThePreferredEndpoint) {
  if (!EtcdServer::Get()) GTEST_SKIP() << "no etcd";
  std::atomic<int> refused{0};
  http::Server down([&](http::Request&, http::ResponseWriter& w) -> Status {
    ++refused;
    return w.Send(503, "{\"message\":\"member down\"}", "application/json");
  });
  uint16_t down_port = *down.ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(down.Start().ok());
  auto etcd = EtcdClient::Open("etcd://127.0.0.1:" + std::to_string(down_port) + "," +
                               EtcdServer::Get()->url().substr(7));
  ASSERT_TRUE(etcd.ok());
  std::string key = "failover" + std::to_string(::getpid());
  auto put = (*etcd)->Call("kv/put", {{"key", Base64Encode(key)}, {"value", Base64Encode("v")}});
  ASSERT_TRUE(put.ok()) << put.error().message();
  EXPECT_EQ(refused.load(), 1);
  int64_t rev = JsonInt(put->value("header", json::object()), "revision");
  auto events = (*etcd)->WatchOnce(key, PrefixEnd(key), rev, std::chrono::steady_clock::now() + 5s, false);
  ASSERT_TRUE(events.ok()) << events.error().message();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(refused.load(), 1) << "the watch dialled the member that had failed";
  down.Stop();
}

// A write to a cluster whose first member is gone goes to the next one, and
// the next call starts there.
TEST(EtcdClient, WritesFailOverFromADeadMember) {
  if (!EtcdServer::Get()) GTEST_SKIP() << "no etcd";
  auto etcd = EtcdClient::Open("etcd://127.0.0.1:" + std::to_string(EtcdServer::FreePort()) + "," +
                               EtcdServer::Get()->url().substr(7));
  ASSERT_TRUE(etcd.ok());
  std::string key = "deadmember" + std::to_string(::getpid());
  for (const char* v : {"1", "2"}) {
    auto put = (*etcd)->Call("kv/put", {{"key", Base64Encode(key)}, {"value", Base64Encode(v)}});
    ASSERT_TRUE(put.ok()) << put.error().message();
  }
  auto del = (*etcd)->Call("kv/deleterange", {{"key", Base64Encode(key)}});
  ASSERT_TRUE(del.ok()) << del.error().message();
  EXPECT_EQ(JsonInt(*del, "deleted"), 1);
}

// etcd's own refusal (400) is not retried elsewhere and says who refused what.
TEST(EtcdClient, CallErrorsNameEndpointKeyAndStatus) {
  if (!EtcdServer::Get()) GTEST_SKIP() << "no etcd";
  auto etcd = EtcdClient::Open(EtcdServer::Get()->url());
  ASSERT_TRUE(etcd.ok());
  // A lease that does not exist: etcd answers 404 (gRPC NotFound).
  auto put = (*etcd)->Call("kv/put", {{"key", Base64Encode("app/x")}, {"value", Base64Encode("v")},
                                      {"lease", "12345"}});
  ASSERT_FALSE(put.ok());
  const std::string& m = put.error().message();
  EXPECT_NE(m.find("127.0.0.1:" + std::to_string(EtcdServer::Get()->port())), std::string::npos) << m;
  EXPECT_NE(m.find("/v3/kv/put key \"app/x\""), std::string::npos) << m;
  EXPECT_NE(m.find("HTTP 404"), std::string::npos) << m;
  EXPECT_NE(m.find("lease not found"), std::string::npos) << m;
}

// Every member down: one error listing each endpoint's failure.
TEST(EtcdClient, NoMemberAnsweredListsEveryEndpoint) {
  http::Server down([&](http::Request&, http::ResponseWriter& w) -> Status {
    return w.Send(503, "{\"message\":\"no leader\"}", "application/json");
  });
  uint16_t down_port = *down.ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(down.Start().ok());
  uint16_t dead = EtcdServer::FreePort();
  auto etcd = EtcdClient::Open("etcd://127.0.0.1:" + std::to_string(dead) + ",127.0.0.1:" +
                               std::to_string(down_port));
  ASSERT_TRUE(etcd.ok());
  auto put = (*etcd)->Call("kv/put", {{"key", Base64Encode("k1")}, {"value", Base64Encode("v")}});
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code(), Code::kUnavailable);
  const std::string& m = put.error().message();
  EXPECT_NE(m.find("/v3/kv/put key \"k1\""), std::string::npos) << m;
  EXPECT_NE(m.find("127.0.0.1:" + std::to_string(dead) + ": "), std::string::npos) << m;
  EXPECT_NE(m.find("127.0.0.1:" + std::to_string(down_port) + ": HTTP 503: "), std::string::npos) << m;
  EXPECT_NE(m.find("no leader"), std::string::npos) << m;
  down.Stop();
}

// Only the refusing member: the error names the endpoint and the key.
TEST(EtcdClient, WatchErrorsNameEndpointAndKey) {
  http::Server down([&](http::Request&, http::ResponseWriter& w) -> Status {
    return w.Send(503, "{}", "application/json");
  });
  uint16_t port = *down.ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(down.Start().ok());
  auto etcd = EtcdClient::Open("etcd://127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(etcd.ok());
  auto events = (*etcd)->WatchOnce("some/key", "", 1, std::chrono::steady_clock::now() + 5s, false);
  ASSERT_FALSE(events.ok());
  EXPECT_NE(events.error().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << events.error().message();
  EXPECT_NE(events.error().message().find("some/key"), std::string::npos) << events.error().message();
  down.Stop();
}

}  // namespace
TEST(EtcdClient, UrlCredentialsAreParsedAndRedacted) {
  EXPECT_EQ(RedactUrl("etcd://a:s3cr@t@127.0.0.1:2379,127.0.0.1:2380"),
            "etcd://a:***@127.0.0.1:2379,127.0.0.1:2380");
  EXPECT_EQ(RedactUrl("etcd://127.0.0.1:2379"), "etcd://127.0.0.1:2379");
  EXPECT_TRUE(EtcdClient::Open("etcd://a:p@w,d@127.0.0.1:2379,127.0.0.1:2380").ok());
  auto empty_user = EtcdClient::Open("etcd://:pw@127.0.0.1:2379");
  ASSERT_FALSE(empty_user.ok());
  EXPECT_EQ(empty_user.error().message().find("pw@"), std::string::npos)
      << empty_user.error().message();
  auto no_host = EtcdClient::Open("etcd://u:secret@");
  ASSERT_FALSE(no_host.ok());
  EXPECT_EQ(no_host.error().message().find("secret"), std::string::npos)
      << no_host.error().message();
}

}  // namespace berth::discovery
