#include "dns/lookup_resolver.h"

#include <arpa/inet.h>

namespace berth::dns {

std::optional<Answer> LookupResolver::Resolve(const Question& q, const Client& who) {
  if (q.klass != kClassIN) return std::nullopt;
  if (q.type == kPTR) {
    if (!reverse_) return std::nullopt;
    auto ip = ReverseIpv4(q.name);
    if (!ip) return std::nullopt;
    auto name = reverse_(who, *ip);
    if (!name) return std::nullopt;
    Answer a;
    a.answers.push_back(Record::Ptr(q.name, *name, ttl_));
    return a;
  }
  std::string name = NormalizeName(q.name);
  if (name.empty() || !lookup_) return std::nullopt;
  std::vector<std::string> ips = lookup_(who, name);
  if (ips.empty()) return std::nullopt;
  Answer a;  // the name exists: other types get an empty NOERROR
  if (q.type != kA && q.type != kANY) return a;
  for (const std::string& ip : ips) {
    uint8_t b[4];
    if (::inet_pton(AF_INET, ip.c_str(), b) == 1) a.answers.push_back(Record::A(q.name, b, ttl_));
  }
  return a;
}

}  // namespace berth::dns
