// PlanV2 and the v1 -> v2 value conversions.
#include <limits>

#include "base/log.h"
#include "runtime/cgroups/resources.h"

namespace berth::cgroups {
namespace {

Write One(std::string controller, std::string file, std::string value, std::string resource,
          IfMissing if_missing = IfMissing::kError) {
  return Write{std::move(controller), {{std::move(file), std::move(value)}}, std::move(resource),
               if_missing};
}

std::string MajMin(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

Status PlanMemoryV2(const oci::MemoryResources& m, std::vector<Write>& out) {
  if (m.limit && *m.limit != 0)
    out.push_back(One("memory", "memory.max", *m.limit > 0 ? std::to_string(*m.limit) : "max",
                      "memory.limit"));
  auto swap = BERTH_TRY(SwapMaxV2(m.limit, m.swap));
  if (swap) out.push_back(One("memory", "memory.swap.max", *swap, "memory.swap", IfMissing::kWarn));
  if (m.reservation && *m.reservation != 0)
    out.push_back(One("memory", "memory.low",
                      *m.reservation > 0 ? std::to_string(*m.reservation) : "max",
                      "memory.reservation"));
  if (m.swappiness && *m.swappiness != std::numeric_limits<uint64_t>::max())
    log::Warn("cgroups: memory.swappiness is not supported on cgroup v2, ignored");
  if (m.disable_oom_killer && *m.disable_oom_killer)
    log::Warn("cgroups: memory.disableOOMKiller is not supported on cgroup v2, ignored");
  if ((m.kernel && *m.kernel != 0) || (m.kernel_tcp && *m.kernel_tcp != 0))
    log::Warn("cgroups: memory.kernel and memory.kernelTCP are deprecated and ignored");
  return Ok();
}

Status PlanCpuV2(const oci::CpuResources& c, std::vector<Write>& out) {
  if ((c.realtime_period && *c.realtime_period != 0) ||
      (c.realtime_runtime && *c.realtime_runtime != 0))
    return Error(Code::kNotImplemented,
                 "cpu.realtimePeriod/realtimeRuntime: not supported on cgroup v2");
  if (c.shares && *c.shares != 0)
    out.push_back(One("cpu", "cpu.weight", std::to_string(SharesToWeight(*c.shares)),
                      "cpu.shares"));
  bool quota = c.quota && *c.quota != 0;
  bool period = c.period && *c.period != 0;
  if (quota || period) {
    std::string q = quota && *c.quota > 0 ? std::to_string(*c.quota) : "max";
    std::string p = period ? std::to_string(*c.period) : "100000";
    out.push_back(One("cpu", "cpu.max", q + " " + p, "cpu.quota"));
  }
  if (!c.cpus.empty()) out.push_back(One("cpuset", "cpuset.cpus", c.cpus, "cpu.cpus"));
  if (!c.mems.empty()) out.push_back(One("cpuset", "cpuset.mems", c.mems, "cpu.mems"));
  return Ok();
}

void PlanIoV2(const oci::BlockIoResources& b, std::vector<Write>& out) {
  // io.bfq.weight takes blkio's 1..1000 range; io.weight its own 1..10000.
  if (b.weight && *b.weight != 0)
    out.push_back(Write{"io",
                        {{"io.bfq.weight", std::to_string(*b.weight)},
                         {"io.weight", std::to_string(BlkioWeightToIoWeight(*b.weight))}},
                        "blockIO.weight"});
  if (b.leaf_weight && *b.leaf_weight != 0)
    log::Warn("cgroups: blockIO.leafWeight is not supported on cgroup v2, ignored");
  for (const auto& d : b.weight_device) {
    if (!d.weight) continue;
    std::string dev = MajMin(d.major, d.minor) + " ";
    out.push_back(Write{"io",
                        {{"io.bfq.weight", dev + std::to_string(*d.weight)},
                         {"io.weight", dev + std::to_string(BlkioWeightToIoWeight(*d.weight))}},
                        "blockIO.weightDevice"});
  }
  auto throttle = [&](const std::vector<oci::ThrottleDevice>& list, const char* key,
                      const char* resource) {
    for (const auto& t : list)
      out.push_back(One("io", "io.max",
                        MajMin(t.major, t.minor) + " " + key + "=" +
                            (t.rate == 0 ? std::string("max") : std::to_string(t.rate)),
                        resource));
  };
  throttle(b.throttle_read_bps_device, "rbps", "blockIO.throttleReadBpsDevice");
  throttle(b.throttle_write_bps_device, "wbps", "blockIO.throttleWriteBpsDevice");
  throttle(b.throttle_read_iops_device, "riops", "blockIO.throttleReadIOPSDevice");
  throttle(b.throttle_write_iops_device, "wiops", "blockIO.throttleWriteIOPSDevice");
}

}  // namespace

uint64_t SharesToWeight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t BlkioWeightToIoWeight(uint64_t weight) {
  if (weight == 0) return 0;
  if (weight < 10) weight = 10;
  if (weight > 1000) weight = 1000;
  return 1 + ((weight - 10) * 9999) / 990;
}

Result<std::optional<std::string>> SwapMaxV2(std::optional<int64_t> limit,
                                             std::optional<int64_t> swap) {
  if (!swap || *swap == 0) return std::optional<std::string>();
  if (*swap < 0) return std::optional<std::string>("max");
  if (!limit || *limit <= 0)
    return Error::Invalid("memory.swap: cannot be set without a memory.limit on cgroup v2");
  if (*swap < *limit)
    return Error::Invalid("memory.swap (" + std::to_string(*swap) +
                          ") must be >= memory.limit (" + std::to_string(*limit) + ")");
  return std::optional<std::string>(std::to_string(*swap - *limit));
}

Status ValidateUnifiedKey(const std::string& key) {
  if (key.empty() || key.find('/') != std::string::npos || key.find("..") != std::string::npos ||
      key.find('.') == std::string::npos || key.front() == '.')
    return Error::Invalid("unified: invalid key \"" + key + "\" (want a cgroup file name)");
  return Ok();
}

Result<std::vector<Write>> PlanV2(const oci::Resources& r) {
  std::vector<Write> out;
  if (r.memory) BERTH_TRY(PlanMemoryV2(*r.memory, out));
  if (r.cpu) BERTH_TRY(PlanCpuV2(*r.cpu, out));
  if (r.pids)
    out.push_back(One("pids", "pids.max",
                      r.pids->limit > 0 ? std::to_string(r.pids->limit) : "max", "pids.limit",
                      r.pids->limit > 0 ? IfMissing::kError : IfMissing::kWarn));
  if (r.block_io) PlanIoV2(*r.block_io, out);
  for (const auto& h : r.hugepage_limits) {
    BERTH_TRY(ValidatePageSize(h.page_size));
    out.push_back(One("hugetlb", "hugetlb." + h.page_size + ".max", std::to_string(h.limit),
                      "hugepageLimits"));
  }
  for (const auto& [key, value] : r.unified) {
    BERTH_TRY(ValidateUnifiedKey(key));
    std::string controller = key.substr(0, key.find('.'));
    if (controller == "cgroup") controller.clear();
    out.push_back(One(controller, key, value, "unified." + key));
  }
  return out;
}

}  // namespace berth::cgroups
