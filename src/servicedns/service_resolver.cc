#include "servicedns/service_resolver.h"

#include <arpa/inet.h>

#include <cstring>

#include "base/strings.h"

namespace berth::servicedns {
namespace {

constexpr std::string_view kServiceSuffix = ".service.berth";
constexpr std::string_view kAddrSuffix = ".addr.berth";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::optional<in_addr> Ipv4(const std::string& text) {
  in_addr a{};
  if (::inet_pton(AF_INET, text.c_str(), &a) != 1) return std::nullopt;
  return a;
}

dns::Record ARecord(const std::string& name, in_addr a) {
  uint8_t ip[4];
  std::memcpy(ip, &a, 4);
  return dns::Record::A(name, ip, 0);
}

std::string AddrName(const std::string& ip) {
  std::string s = ip;
  for (char& ch : s)
    if (ch == '.') ch = '-';
  return s + std::string(kAddrSuffix);
}

}  // namespace

std::optional<dns::Answer> AnswerFromCatalog(const std::vector<discovery::Service>& catalog,
                                             const dns::Question& q) {
  std::string name = dns::NormalizeName(q.name);
  dns::Answer out;
  if (EndsWith(name, kAddrSuffix)) {
    std::string ip = name.substr(0, name.size() - kAddrSuffix.size());
    for (char& ch : ip)
      if (ch == '-') ch = '.';
    auto a = Ipv4(ip);
    if (!a) {
      out.rcode = dns::Rcode::kNxDomain;
      return out;
    }
    if (q.type == dns::kA || q.type == dns::kANY) out.answers.push_back(ARecord(q.name, *a));
    return out;
  }
  if (!EndsWith(name, kServiceSuffix)) return std::nullopt;
  std::string labels = name.substr(0, name.size() - kServiceSuffix.size());
  std::string service = labels, tag;
  if (size_t dot = labels.rfind('.'); dot != std::string::npos) {
    tag = labels.substr(0, dot);
    service = labels.substr(dot + 1);
  }
  bool any = false;
  for (const discovery::Service& s : catalog) {
    if (str::ToLower(s.name) != service || !s.Passing()) continue;
    if (!tag.empty()) {
      bool has = false;
      for (const std::string& t : s.tags) has = has || str::ToLower(t) == tag;
      if (!has) continue;
    }
    auto a = Ipv4(s.address);
    if (!a) continue;
    any = true;
    if (q.type == dns::kA || q.type == dns::kANY) out.answers.push_back(ARecord(q.name, *a));
    if (q.type == dns::kSRV || q.type == dns::kANY) {
      out.answers.push_back(dns::Record::Srv(q.name, 1, 1, static_cast<uint16_t>(s.port),
                                             AddrName(s.address), 0));
      out.additional.push_back(ARecord(AddrName(s.address), *a));
    }
  }
  if (!any) out.rcode = dns::Rcode::kNxDomain;
  return out;
}

ServiceResolver::ServiceResolver(discovery::Store* store) : store_(store) {
  Refresh();
  watcher_ = std::thread([this] { Watch(); });
}

ServiceResolver::~ServiceResolver() { Stop(); }

void ServiceResolver::Stop() {
  std::lock_guard<std::mutex> l(stop_mu_);
  stop_ = true;
  if (watcher_.joinable()) watcher_.join();
}

void ServiceResolver::Refresh() {
  auto r = store_->Services("");
  if (!r.ok()) return;  // keep the last copy
  auto copy = std::make_shared<const std::vector<discovery::Service>>(std::move(r->services));
  std::lock_guard<std::mutex> l(mu_);
  catalog_ = std::move(copy);
}

void ServiceResolver::Watch() {
  discovery::WatchTarget all;
  all.kind = discovery::WatchTarget::Kind::kCatalog;
  uint64_t index = 0;
  while (!stop_) {
    auto deadline = discovery::Store::Clock::now() + std::chrono::seconds(1);
    auto r = store_->Wait(all, index, deadline);
    if (stop_) return;
    if (!r.ok() || *r == index) {
      // Unreachable, or nothing changed (a store that answers at once must
      // not make this loop spin): try again at the deadline.
      std::this_thread::sleep_until(deadline);
      if (r.ok()) continue;
    } else {
      index = *r;
    }
    Refresh();
  }
}

std::optional<dns::Answer> ServiceResolver::Resolve(const dns::Question& q, const dns::Client&) {
  std::shared_ptr<const std::vector<discovery::Service>> c;
  {
    std::lock_guard<std::mutex> l(mu_);
    c = catalog_;
  }
  static const std::vector<discovery::Service> kEmpty;
  return AnswerFromCatalog(c ? *c : kEmpty, q);
}

}  // namespace berth::servicedns
