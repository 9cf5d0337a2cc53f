// The Store conformance suite, run against every implementation: the
// embedded store in memory and on disk, and etcd when an etcd binary is
// installed (etcd_fixture.h starts a private one).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "discovery/store_test_impls.h"

namespace berth::discovery {
namespace {

using namespace std::chrono_literals;

template <typename Impl>
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    impl_ = std::make_unique<Impl>();
    if (!impl_->Available()) GTEST_SKIP() << impl_->SkipReason();
    auto s = impl_->Make();
    ASSERT_TRUE(s.ok()) << s.error().message();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    impl_.reset();
  }
  KvEntry Put(const std::string& k, const std::string& v, uint64_t flags = 0) {
    KvEntry e;
    e.key = k;
    e.value = v;
    e.flags = flags;
    auto r = store_->KvPut(e);
    EXPECT_TRUE(r.ok() && *r);
    auto g = store_->KvGet(k, false);
    EXPECT_TRUE(g.ok() && g->entries.size() == 1);
    return g.ok() && !g->entries.empty() ? g->entries[0] : KvEntry{};
  }
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE(StoreTest, StoreImpls);

TYPED_TEST(StoreTest, PutGetKeepsValueFlagsAndIndexes) {
  KvEntry a = this->Put("app/a", std::string("v\0x", 3), 42);
  EXPECT_EQ(a.value, std::string("v\0x", 3));
  EXPECT_EQ(a.flags, 42u);
  EXPECT_GT(a.modify_index, 0u);
  EXPECT_EQ(a.create_index, a.modify_index);
  KvEntry b = this->Put("app/a", "w");
  EXPECT_GT(b.modify_index, a.modify_index);
  EXPECT_EQ(b.create_index, a.create_index);
  EXPECT_EQ(b.flags, 0u);
}

TYPED_TEST(StoreTest, MissingKeyReadsEmpty) {
  auto g = this->store_->KvGet("nope", false);
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->entries.empty());
  EXPECT_GE(g->index, 1u);
}

TYPED_TEST(StoreTest, PrefixListIsSortedAndBounded) {
  this->Put("p/b", "2");
  this->Put("p/a", "1");
  this->Put("p/c/d", "3");
  this->Put("q", "x");
  this->Put("p", "self");
  auto g = this->store_->KvGet("p/", true);
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->entries.size(), 3u);
  EXPECT_EQ(g->entries[0].key, "p/a");
  EXPECT_EQ(g->entries[1].key, "p/b");
  EXPECT_EQ(g->entries[2].key, "p/c/d");
}

TYPED_TEST(StoreTest, CheckAndSet) {
  KvEntry e{"c", "1"};
  ASSERT_TRUE(*this->store_->KvPut(e, 0));   // create only
  EXPECT_FALSE(*this->store_->KvPut(e, 0));  // exists now
  KvEntry cur = this->store_->KvGet("c", false)->entries.at(0);
  e.value = "2";
  EXPECT_FALSE(*this->store_->KvPut(e, cur.modify_index + 1000));
  EXPECT_TRUE(*this->store_->KvPut(e, cur.modify_index));
  EXPECT_EQ(this->store_->KvGet("c", false)->entries.at(0).value, "2");
}

TYPED_TEST(StoreTest, DeleteKeyCasAndTree) {
  KvEntry x = this->Put("d/x", "1");
  this->Put("d/y/z", "2");
  this->Put("dz", "3");
  EXPECT_FALSE(*this->store_->KvDelete("d/x", false, x.modify_index + 1000));
  EXPECT_TRUE(*this->store_->KvDelete("d/x", false, x.modify_index));
  EXPECT_TRUE(this->store_->KvGet("d/x", false)->entries.empty());
  EXPECT_TRUE(*this->store_->KvDelete("d/", true));
  EXPECT_TRUE(this->store_->KvGet("d/", true)->entries.empty());
  EXPECT_EQ(this->store_->KvGet("dz", false)->entries.size(), 1u);
  EXPECT_TRUE(*this->store_->KvDelete("missing", false));
}

TYPED_TEST(StoreTest, TxnIsAllOrNothing) {
  KvEntry a = this->Put("t/a", "1");
  std::vector<TxnOp> bad = {{TxnVerb::kSet, "t/b", "2"},
                            {TxnVerb::kCas, "t/a", "9", 0, a.modify_index + 1000}};
  auto r = this->store_->Txn(bad);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->committed);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].first, 1u);
  EXPECT_TRUE(this->store_->KvGet("t/b", false)->entries.empty());

  std::vector<TxnOp> good = {{TxnVerb::kSet, "t/b", "2"},
                             {TxnVerb::kCas, "t/a", "9", 0, a.modify_index},
                             {TxnVerb::kCheckNotExists, "t/c"},
                             {TxnVerb::kGet, "t/a"}};
  r = this->store_->Txn(good);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->committed);
  EXPECT_EQ(this->store_->KvGet("t/a", false)->entries.at(0).value, "9");
  EXPECT_EQ(this->store_->KvGet("t/b", false)->entries.at(0).value, "2");
  ASSERT_EQ(r->results.size(), 3u);
  EXPECT_EQ(r->results[2].value, "9");
}

TYPED_TEST(StoreTest, PrefixIndexMovesOnlyForItsPrefix) {
  this->Put("w/a", "1");
  uint64_t i0 = *this->store_->Index({WatchTarget::Kind::kPrefix, "w/"});
  this->Put("other", "x");
  // etcd's index is its global revision: it may move, but Wait ignores it.
  if (this->store_->Name() != "etcd") {
    EXPECT_EQ(*this->store_->Index({WatchTarget::Kind::kPrefix, "w/"}), i0);
  }
  this->Put("w/b", "2");
  uint64_t i1 = *this->store_->Index({WatchTarget::Kind::kPrefix, "w/"});
  EXPECT_GT(i1, i0);
  ASSERT_TRUE(*this->store_->KvDelete("w/a", false));
  EXPECT_GT(*this->store_->Index({WatchTarget::Kind::kPrefix, "w/"}), i1);
}

TYPED_TEST(StoreTest, WaitWakesOnItsPrefixOnly) {
  this->Put("watch/a", "1");
  uint64_t idx = *this->store_->Index({WatchTarget::Kind::kPrefix, "watch/"});
  uint64_t wakes0 = this->store_->Wakeups();
  std::atomic<uint64_t> got{0};
  std::thread waiter([&] {
    auto r = this->store_->Wait({WatchTarget::Kind::kPrefix, "watch/"}, idx,
                                Store::Clock::now() + 10s);
    got = r.ok() ? *r : 0;
  });
  std::this_thread::sleep_for(100ms);  // let the waiter block (not synchronization of results)
  this->Put("unrelated/x", "1");
  this->Put("watchers", "1");  // shares characters, not the prefix
  EXPECT_EQ(got.load(), 0u);
  auto t0 = Store::Clock::now();
  this->Put("watch/b", "2");
  waiter.join();
  EXPECT_GT(got.load(), idx);
  EXPECT_LT(Store::Clock::now() - t0, 2s);
  if (this->store_->Name() == "embedded") {
    EXPECT_EQ(this->store_->Wakeups(), wakes0 + 1);
  }
}

TYPED_TEST(StoreTest, WaitTimesOutWithSameIndex) {
  this->Put("quiet/a", "1");
  uint64_t idx = *this->store_->Index({WatchTarget::Kind::kPrefix, "quiet/"});
  auto t0 = Store::Clock::now();
  auto r = this->store_->Wait({WatchTarget::Kind::kPrefix, "quiet/"}, idx,
                              Store::Clock::now() + 300ms);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, idx);
  EXPECT_GE(Store::Clock::now() - t0, 250ms);
}

// A store nothing was written to still blocks a waiter holding its index
// (the embedded store answered at once, so the service DNS spun a core).
TYPED_TEST(StoreTest, WaitBlocksOnAFreshStore) {
  for (WatchTarget t : {WatchTarget{WatchTarget::Kind::kCatalog, ""},
                        WatchTarget{WatchTarget::Kind::kPrefix, "fresh/"}}) {
    uint64_t idx = *this->store_->Index(t);
    auto t0 = Store::Clock::now();
    auto r = this->store_->Wait(t, idx, Store::Clock::now() + 300ms);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, idx);
    EXPECT_GE(Store::Clock::now() - t0, 250ms);
  }
}

TYPED_TEST(StoreTest, RegisterListDeregister) {
  Service s;
  s.name = "web";
  s.id = "web-1";
  s.address = "10.0.0.2";
  s.port = 80;
  s.tags = {"v1", "primary"};
  s.meta = {{"version", "1"}};
  s.checks.push_back(Check{});
  ASSERT_TRUE(this->store_->Register(s).ok());
  s.id = "web-2";
  s.checks.clear();
  ASSERT_TRUE(this->store_->Register(s).ok());
  Service db;
  db.name = "db";
  ASSERT_TRUE(this->store_->Register(db).ok());

  auto web = this->store_->Services("web");
  ASSERT_TRUE(web.ok());
  ASSERT_EQ(web->services.size(), 2u);
  EXPECT_EQ(web->services[0].id, "web-1");
  EXPECT_EQ(web->services[0].tags, (std::vector<std::string>{"v1", "primary"}));
  EXPECT_EQ(web->services[0].meta.at("version"), "1");
  ASSERT_EQ(web->services[0].checks.size(), 1u);
  EXPECT_EQ(web->services[0].checks[0].id, "service:web-1");
  EXPECT_FALSE(web->services[0].Passing());  // checks start critical
  EXPECT_TRUE(web->services[1].Passing());
  EXPECT_EQ(this->store_->Services("")->services.size(), 3u);
  EXPECT_EQ(this->store_->GetService("db")->name, "db");

  ASSERT_TRUE(this->store_->UpdateCheck("service:web-1", kPassing, "ok").ok());
  EXPECT_TRUE(this->store_->GetService("web-1")->Passing());
  EXPECT_EQ(this->store_->UpdateCheck("nope", kPassing, "").error().code(), Code::kNotFound);

  EXPECT_TRUE(*this->store_->Deregister("web-1"));
  EXPECT_FALSE(*this->store_->Deregister("web-1"));
  EXPECT_EQ(this->store_->Services("web")->services.size(), 1u);
}

TYPED_TEST(StoreTest, ServiceIndexIsPerService) {
  Service a;
  a.name = "alpha";
  ASSERT_TRUE(this->store_->Register(a).ok());
  uint64_t ia = *this->store_->Index({WatchTarget::Kind::kService, "alpha"});
  Service b;
  b.name = "beta";
  ASSERT_TRUE(this->store_->Register(b).ok());
  if (this->store_->Name() != "etcd") {
    EXPECT_EQ(*this->store_->Index({WatchTarget::Kind::kService, "alpha"}), ia);
  }
  std::atomic<uint64_t> got{0};
  std::thread waiter([&] {
    auto r = this->store_->Wait({WatchTarget::Kind::kService, "alpha"}, ia,
                                Store::Clock::now() + 10s);
    got = r.ok() ? *r : 0;
  });
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(*this->store_->Deregister("beta"));
  EXPECT_EQ(got.load(), 0u);
  ASSERT_TRUE(*this->store_->Deregister("alpha"));
  waiter.join();
  EXPECT_GT(got.load(), ia);
}

TYPED_TEST(StoreTest, TtlCheckTurnsCriticalWithoutPasses) {
  Service s;
  s.name = "ttl";
  Check c;
  c.ttl_ms = 300;
  c.status = std::string(kPassing);
  s.checks.push_back(c);
  ASSERT_TRUE(this->store_->Register(s).ok());
  EXPECT_TRUE(this->store_->GetService("ttl")->Passing());
  auto deadline = Store::Clock::now() + 10s;
  while (this->store_->GetService("ttl")->Passing() && Store::Clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  auto svc = this->store_->GetService("ttl");
  EXPECT_EQ(svc->checks.at(0).status, kCritical);
  ASSERT_TRUE(this->store_->UpdateCheck("service:ttl", kPassing, "").ok());
  EXPECT_TRUE(this->store_->GetService("ttl")->Passing());
}

}  // namespace
}  // namespace berth::discovery
