// ServiceResolver: the discovery catalog in the embedded DNS (dns/resolver.h):
//
//   <name>.service.berth          A: the address of every healthy instance;
//                                 SRV: priority 1, weight 1, its port, target
//                                 <a-b-c-d>.addr.berth (its A in additional)
//   <tag>.<name>.service.berth    the same, only instances with that tag
//   <a-b-c-d>.addr.berth          A a.b.c.d (SRV targets)
//
// Healthy: every check passes (what /v1/health/service/<name>?passing
// returns). A name with no healthy instance is NXDOMAIN; other types (AAAA,
// TXT) of a name that exists get an empty NOERROR. TTL 0: answers follow the
// catalog at once. Names match case-insensitively.
//
// Resolvers must not block (the DNS server has one thread), and the store
// may be etcd over the network: a watcher thread keeps a copy of the
// catalog, refreshed whenever a blocking Wait (one second at a time) finds
// the catalog's watch index moved (a TTL check that expires moves it in
// both stores), and Resolve reads the copy under a short lock.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "discovery/store.h"
#include "dns/resolver.h"

namespace berth::servicedns {

// The answer to q from a catalog (nullopt: not a service.berth/addr.berth name).
std::optional<dns::Answer> AnswerFromCatalog(const std::vector<discovery::Service>& catalog,
                                             const dns::Question& q);

class ServiceResolver : public dns::Resolver {
 public:
  explicit ServiceResolver(discovery::Store* store);
  ~ServiceResolver() override;  // stops the watcher

  std::optional<dns::Answer> Resolve(const dns::Question& q, const dns::Client& who) override;
  // Reads the catalog now (tests; the watcher does it by itself).
  void Refresh();
  // Ends the watcher (joins it: at most a second); later answers come from
  // the last copy. The store may go after this.
  void Stop();

 private:
  void Watch();

  discovery::Store* store_;
  std::mutex mu_;  // guards catalog_
  std::shared_ptr<const std::vector<discovery::Service>> catalog_;
  std::atomic<bool> stop_{false};
  std::mutex stop_mu_;  // serializes Stop()
  std::thread watcher_;
};

}  // namespace berth::servicedns
