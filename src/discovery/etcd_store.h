// EtcdStore: the Store on an etcd v3 cluster (etcd_client.h), for several
// hosts that share one catalog. Layout under the prefix (default "berth/"):
//
//   berth/kv/<key>                   the value, raw (etcdctl shows it as is)
//   berth/kvflags/<key>              the flags, in decimal, when not 0
//   berth/services/<node>/<id>       a service instance (store JSON, codec.h),
//                                    attached to <node>'s lease
//
// Indexes are etcd revisions: create/modify indexes are create_revision and
// mod_revision; a read's watch index is the revision it read at. Blocking
// waits are etcd watches on the target's key range from index+1, so writes
// elsewhere wake nobody. Each berthd holds one lease (lease_ttl, about 10 s)
// kept alive every third of it; its service instances hang on that lease,
// so a dead host's services vanish by themselves. A host changes only its
// own instances (Consul's agent endpoints are local too); reads merge every
// host. TTL checks of a host's instances are timed by that host.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "discovery/etcd_client.h"
#include "discovery/store.h"

namespace berth::discovery {

class EtcdStore : public Store {
 public:
  struct Options {
    std::string url;  // etcd://host:port[,host:port...]
    std::string prefix = "berth/";
    std::string node = "berth";
    int lease_ttl_s = 10;
  };

  static Result<std::unique_ptr<EtcdStore>> Open(const Options& options);
  ~EtcdStore() override;

  std::string Name() const override { return "etcd"; }
  Result<KvRead> KvGet(std::string_view key, bool prefix) override;
  Result<bool> KvPut(const KvEntry& e, std::optional<uint64_t> cas = std::nullopt) override;
  Result<bool> KvDelete(std::string_view key, bool prefix,
                        std::optional<uint64_t> cas = std::nullopt) override;
  Result<TxnResult> Txn(const std::vector<TxnOp>& ops) override;
  Status Register(const Service& s) override;
  Result<bool> Deregister(std::string_view id) override;
  Status UpdateCheck(std::string_view check_id, std::string_view status,
                     std::string_view output) override;
  Result<ServiceRead> Services(std::string_view name) override;
  Result<Service> GetService(std::string_view id) override;
  Result<uint64_t> Index(const WatchTarget& target) override;
  Result<uint64_t> Wait(const WatchTarget& target, uint64_t after,
                        Clock::time_point deadline) override;
  uint64_t Wakeups() const override { return 0; }

 private:
  explicit EtcdStore(Options o) : options_(std::move(o)) {}
  std::string KvKey(std::string_view k) const { return options_.prefix + "kv/" + std::string(k); }
  std::string FlagsKey(std::string_view k) const {
    return options_.prefix + "kvflags/" + std::string(k);
  }
  std::string ServicesPrefix() const { return options_.prefix + "services/"; }
  std::string ServiceKey(const std::string& id) const {
    return ServicesPrefix() + options_.node + "/" + id;
  }
  Result<nlohmann::json> Range(const std::string& key, bool prefix);
  Status GrantLease();
  Status PutServiceLocked(const Service& s);
  void KeepAliveLoop();
  void TtlLoop();

  Options options_;
  std::unique_ptr<EtcdClient> etcd_;
  std::mutex mu_;  // guards own_, lease_, stopping_
  std::map<std::string, Service> own_;  // this node's instances, by ID
  int64_t lease_ = 0;
  bool stopping_ = false;
  std::condition_variable cv_;  // with mu_: stop, TTL deadlines moved
  std::thread keepalive_, ttl_;
};

}  // namespace berth::discovery
