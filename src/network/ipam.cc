#include "network/ipam.h"

#include <fmt/format.h>

namespace berth::network {

using nlohmann::json;

Ipam::Ipam(Subnet subnet, Ipv4 gateway, std::optional<Subnet> range)
    : subnet_(subnet), gateway_(gateway), range_(range), last_(gateway.v) {}

bool Ipam::Usable(uint32_t a) const {
  if (!subnet_.Contains(Ipv4{a}) || a == gateway_.v) return false;
  if (subnet_.prefix < 31 && (a == subnet_.base.v || a == subnet_.Broadcast().v)) return false;
  if (range_ && !range_->Contains(Ipv4{a})) return false;
  if (range_ && range_->prefix < 31 && (a == range_->base.v || a == range_->Broadcast().v))
    return false;
  return true;
}

Result<Ipv4> Ipam::Allocate(const std::string& owner, std::optional<Ipv4> want) {
  if (want) {
    if (!subnet_.Contains(*want))
      return Error::Invalid(fmt::format("no configured subnet contains IP address {}",
                                        ToString(*want)));
    auto it = by_ip_.find(want->v);
    if (it != by_ip_.end() && it->second != owner)
      return Error(Code::kConflict, "Address already in use");
    if (want->v == gateway_.v) return Error(Code::kConflict, "Address already in use");
    if (auto mine = Of(owner); mine && mine->v != want->v) Release(owner);
    by_ip_[want->v] = owner;
    return *want;
  }
  if (auto mine = Of(owner)) return *mine;
  uint64_t size = uint64_t{1} << (32 - subnet_.prefix);
  uint32_t a = last_;
  for (uint64_t n = 0; n < size; ++n) {
    a = subnet_.base.v + static_cast<uint32_t>(((a - subnet_.base.v) + 1) % size);
    if (!Usable(a) || by_ip_.count(a)) continue;
    by_ip_[a] = owner;
    last_ = a;
    return Ipv4{a};
  }
  return Error(Code::kUnavailable,
               fmt::format("no available IPv4 addresses on this network's address pools ({})",
                           ToString(subnet_)));
}

void Ipam::Release(const std::string& owner) {
  for (auto it = by_ip_.begin(); it != by_ip_.end();)
    it = it->second == owner ? by_ip_.erase(it) : std::next(it);
}

std::optional<Ipv4> Ipam::Of(const std::string& owner) const {
  for (const auto& [ip, o] : by_ip_)
    if (o == owner) return Ipv4{ip};
  return std::nullopt;
}

json Ipam::ToJson() const {
  json alloc = json::object();
  for (const auto& [ip, o] : by_ip_) alloc[ToString(Ipv4{ip})] = o;
  json j = {{"Subnet", ToString(subnet_)},
            {"Gateway", ToString(gateway_)},
            {"Last", ToString(Ipv4{last_})},
            {"Allocated", alloc}};
  if (range_) j["IPRange"] = ToString(*range_);
  return j;
}

Result<Ipam> Ipam::FromJson(const json& j) {
  if (!j.is_object()) return Error::Invalid("ipam: not an object");
  Subnet s = BERTH_TRY(ParseSubnet(j.value("Subnet", "")));
  Ipv4 gw = BERTH_TRY(ParseIpv4(j.value("Gateway", "")));
  std::optional<Subnet> range;
  if (j.contains("IPRange")) range = BERTH_TRY(ParseSubnet(j.value("IPRange", "")));
  Ipam m(s, gw, range);
  if (auto last = ParseIpv4(j.value("Last", "")); last.ok() && s.Contains(*last)) m.last_ = last->v;
  json alloc = j.contains("Allocated") ? j["Allocated"] : json::object();
  for (const auto& [ip, o] : alloc.items()) {
    Ipv4 a = BERTH_TRY(ParseIpv4(ip));
    if (o.is_string()) m.by_ip_[a.v] = o.get<std::string>();
  }
  return m;
}

}  // namespace berth::network
