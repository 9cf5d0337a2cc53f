#include "runtime/cgroups/resources.h"

#include <gtest/gtest.h>

namespace berth::cgroups {
namespace {

// "file=value" of each write's first choice, in order.
std::vector<std::string> Lines(const std::vector<Write>& plan) {
  std::vector<std::string> out;
  for (const auto& w : plan) out.push_back(w.choices.at(0).file + "=" + w.choices.at(0).value);
  return out;
}

oci::DeviceCgroup Dev(bool allow, std::string type, std::optional<int64_t> major,
                      std::optional<int64_t> minor, std::string access) {
  return oci::DeviceCgroup{allow, std::move(type), major, minor, std::move(access)};
}

TEST(Conversions, SharesToWeight) {
  EXPECT_EQ(SharesToWeight(2), 1u);
  EXPECT_EQ(SharesToWeight(1024), 39u);  // docker's default share
  EXPECT_EQ(SharesToWeight(262144), 10000u);
  EXPECT_EQ(SharesToWeight(1), 1u);
  EXPECT_EQ(SharesToWeight(1u << 30), 10000u);
}

TEST(Conversions, BlkioWeight) {
  EXPECT_EQ(BlkioWeightToIoWeight(10), 1u);
  EXPECT_EQ(BlkioWeightToIoWeight(1000), 10000u);
  EXPECT_EQ(BlkioWeightToIoWeight(500), 4950u);
}

TEST(Conversions, SwapMaxV2) {
  EXPECT_EQ(*SwapMaxV2(100, 300).value(), "200");
  EXPECT_EQ(*SwapMaxV2(100, 100).value(), "0");
  EXPECT_EQ(*SwapMaxV2(100, -1).value(), "max");
  EXPECT_EQ(*SwapMaxV2(std::nullopt, -1).value(), "max");
  EXPECT_FALSE(SwapMaxV2(100, 0).value().has_value());
  EXPECT_FALSE(SwapMaxV2(100, std::nullopt).value().has_value());
  EXPECT_FALSE(SwapMaxV2(300, 100).ok());
  EXPECT_FALSE(SwapMaxV2(std::nullopt, 100).ok());
  EXPECT_FALSE(SwapMaxV2(-1, 100).ok());
}

TEST(Devices, RuleLines) {
  auto line = [](const oci::DeviceCgroup& d) { return DeviceRuleLines(*NormalizeDeviceRule(d)); };
  using V = std::vector<std::string>;
  EXPECT_EQ(line(Dev(true, "c", 1, 3, "rwm")), V{"c 1:3 rwm"});
  EXPECT_EQ(line(Dev(true, "c", 136, std::nullopt, "rw")), V{"c 136:* rw"});
  EXPECT_EQ(line(Dev(false, "b", std::nullopt, std::nullopt, "mr")), V{"b *:* rm"});
  EXPECT_EQ(line(Dev(false, "", std::nullopt, std::nullopt, "")), V{"a"});
  EXPECT_EQ(line(Dev(false, "a", -1, -1, "rwm")), V{"a"});
  EXPECT_EQ(line(Dev(true, "a", std::nullopt, std::nullopt, "m")), (V{"c *:* m", "b *:* m"}));
  EXPECT_EQ(line(Dev(true, "a", 5, 1, "rwm")), (V{"c 5:1 rwm", "b 5:1 rwm"}));
  EXPECT_FALSE(NormalizeDeviceRule(Dev(true, "u", 1, 1, "r")).ok());
  EXPECT_FALSE(NormalizeDeviceRule(Dev(true, "c", 1, 1, "rx")).ok());
}

TEST(PlanV1, FullOrder) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = 100 << 20;
  r.memory->swap = 200 << 20;
  r.memory->reservation = 50 << 20;
  r.memory->swappiness = 10;
  r.memory->disable_oom_killer = true;
  r.memory->kernel = 1 << 20;  // ignored
  r.cpu = oci::CpuResources{};
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->cpus = "0";
  r.cpu->mems = "0";
  r.pids = oci::PidsResources{64};
  r.block_io = oci::BlockIoResources{};
  r.block_io->weight = 300;
  r.block_io->throttle_read_bps_device = {{8, 0, 1048576}};
  r.hugepage_limits = {{"2MB", 4 << 20}};
  r.devices = {Dev(false, "a", std::nullopt, std::nullopt, "rwm"), Dev(true, "c", 1, 3, "rwm"),
               Dev(false, "c", 1, 3, "w")};
  auto plan = PlanV1(r);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_EQ(Lines(*plan), (std::vector<std::string>{
                              "memory.limit_in_bytes=104857600",
                              "memory.memsw.limit_in_bytes=209715200",
                              "memory.soft_limit_in_bytes=52428800",
                              "memory.swappiness=10",
                              "memory.oom_control=1",
                              "cpu.shares=512",
                              "cpu.cfs_period_us=100000",
                              "cpu.cfs_quota_us=50000",
                              "cpuset.cpus=0",
                              "cpuset.mems=0",
                              "pids.max=64",
                              "blkio.weight=300",
                              "blkio.throttle.read_bps_device=8:0 1048576",
                              "hugetlb.2MB.limit_in_bytes=4194304",
                              "devices.deny=a",
                              "devices.deny=a",
                              "devices.allow=c 1:3 rwm",
                              "devices.deny=c 1:3 w",
                          }));
  EXPECT_EQ((*plan)[11].choices.size(), 2u);  // blkio.weight or blkio.bfq.weight
  EXPECT_EQ((*plan)[11].choices[1].file, "blkio.bfq.weight");
  EXPECT_EQ((*plan)[1].if_missing, IfMissing::kWarn);   // memsw: swap accounting off
  EXPECT_EQ((*plan)[13].if_missing, IfMissing::kWarn);  // hugetlb on the hybrid's v2
  EXPECT_EQ((*plan)[0].controller, "memory");
  EXPECT_EQ((*plan)[8].controller, "cpuset");
}

TEST(PlanV1, DefaultsAndUnlimited) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = -1;
  r.memory->swappiness = UINT64_MAX;  // "unset" as some callers send it
  r.pids = oci::PidsResources{0};
  r.cpu = oci::CpuResources{};
  r.cpu->quota = -1;
  r.cpu->shares = 0;
  auto plan = PlanV1(r);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(Lines(*plan), (std::vector<std::string>{"memory.limit_in_bytes=-1",
                                                     "memory.memsw.limit_in_bytes=-1",
                                                     "cpu.cfs_quota_us=-1", "pids.max=max"}));
  EXPECT_EQ((*plan)[3].if_missing, IfMissing::kWarn);
  EXPECT_TRUE(PlanV1(oci::Resources{})->empty());
}

TEST(PlanV1, Rejects) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = 200;
  r.memory->swap = 100;
  EXPECT_FALSE(PlanV1(r).ok());
  r.memory->swap = std::nullopt;
  r.memory->swappiness = 101;
  EXPECT_FALSE(PlanV1(r).ok());
  oci::Resources u;
  u.unified = {{"memory.high", "1"}};
  auto plan = PlanV1(u);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().message().find("unified"), std::string::npos);
  oci::Resources h;
  h.hugepage_limits = {{"2M/../x", 1}};
  EXPECT_FALSE(PlanV1(h).ok());
}

TEST(PlanV2, FullOrder) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = 100;
  r.memory->swap = 300;
  r.memory->reservation = 50;
  r.cpu = oci::CpuResources{};
  r.cpu->shares = 1024;
  r.cpu->quota = 50000;
  r.cpu->cpus = "0-1";
  r.pids = oci::PidsResources{-1};
  r.block_io = oci::BlockIoResources{};
  r.block_io->weight = 1000;
  r.block_io->throttle_write_iops_device = {{8, 16, 0}};
  r.block_io->throttle_read_bps_device = {{8, 16, 4096}};
  r.hugepage_limits = {{"1GB", 0}};
  r.unified = {{"memory.high", "90"}, {"cgroup.max.depth", "3"}};
  auto plan = PlanV2(r);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_EQ(Lines(*plan), (std::vector<std::string>{
                              "memory.max=100",
                              "memory.swap.max=200",
                              "memory.low=50",
                              "cpu.weight=39",
                              "cpu.max=50000 100000",
                              "cpuset.cpus=0-1",
                              "pids.max=max",
                              "io.bfq.weight=1000",
                              "io.max=8:16 rbps=4096",
                              "io.max=8:16 wiops=max",
                              "hugetlb.1GB.max=0",
                              "cgroup.max.depth=3",
                              "memory.high=90",
                          }));
  EXPECT_EQ((*plan)[7].choices.at(1).file, "io.weight");
  EXPECT_EQ((*plan)[7].choices.at(1).value, "10000");
  EXPECT_EQ((*plan)[11].controller, "");
  EXPECT_EQ((*plan)[12].controller, "memory");
}

TEST(PlanV2, CpuMaxForms) {
  oci::Resources r;
  r.cpu = oci::CpuResources{};
  r.cpu->period = 50000;
  EXPECT_EQ(Lines(*PlanV2(r)), std::vector<std::string>{"cpu.max=max 50000"});
  r.cpu->quota = -1;
  EXPECT_EQ(Lines(*PlanV2(r)), std::vector<std::string>{"cpu.max=max 50000"});
  r.cpu->period = std::nullopt;
  r.cpu->quota = 20000;
  EXPECT_EQ(Lines(*PlanV2(r)), std::vector<std::string>{"cpu.max=20000 100000"});
  r.cpu->realtime_runtime = 10;
  EXPECT_FALSE(PlanV2(r).ok());
}

TEST(PlanV2, RejectsBadUnifiedKeys) {
  for (const char* key : {"../memory.max", "a/b.c", "memory..max", "nodot", ".hidden", ""}) {
    oci::Resources r;
    r.unified = {{key, "1"}};
    EXPECT_FALSE(PlanV2(r).ok()) << key;
  }
}

}  // namespace
}  // namespace berth::cgroups
