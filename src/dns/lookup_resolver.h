// A Resolver over lookup functions: answers A (and an empty AAAA/other
// type, so clients do not go on asking upstream) for the names lookup()
// finds for the asking client, and PTR for the addresses reverse() names.
// The engine builds one over its containers (names, aliases, links).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dns/resolver.h"

namespace berth::dns {

class LookupResolver : public Resolver {
 public:
  // IPv4 addresses (dotted) of name as the client sees it; empty: unknown.
  // name is lower case, without the final dot.
  using Lookup = std::function<std::vector<std::string>(const Client&, const std::string& name)>;
  // The name of an IPv4 address as the client sees it, or nullopt.
  using Reverse = std::function<std::optional<std::string>(const Client&, const std::string& ip)>;

  LookupResolver(Lookup lookup, Reverse reverse, uint32_t ttl = 600)
      : lookup_(std::move(lookup)), reverse_(std::move(reverse)), ttl_(ttl) {}

  std::optional<Answer> Resolve(const Question& q, const Client& who) override;

 private:
  Lookup lookup_;
  Reverse reverse_;
  uint32_t ttl_;
};

}  // namespace berth::dns
