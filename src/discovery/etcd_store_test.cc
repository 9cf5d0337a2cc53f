// The etcd implementation for the conformance suite, and etcd-only tests.
#include "discovery/etcd_store.h"

#include <gtest/gtest.h>

#include <atomic>

#include "discovery/codec.h"
#include "discovery/etcd_fixture.h"

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

}  // namespace
}  // namespace berth::discovery
