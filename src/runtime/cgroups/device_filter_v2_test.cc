#include "runtime/cgroups/device_filter_v2.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace berth::cgroups {
namespace {

// Runs the instruction subset BuildDeviceProgram emits, as the kernel would
// on bpf_cgroup_dev_ctx. Fails the test on anything else.
int Eval(const std::vector<bpf_insn>& p, uint32_t type, uint32_t access, uint32_t major,
        uint32_t minor) {
  uint32_t ctx[3] = {(access << 16) | type, major, minor};
  uint64_t reg[11] = {};
  for (size_t pc = 0; pc < p.size(); ++pc) {
    const bpf_insn& i = p[pc];
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W:
        EXPECT_EQ(i.src_reg, BPF_REG_1);
        reg[i.dst_reg] = ctx[i.off / 4];
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg] & static_cast<uint32_t>(i.imm));
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg]) >> i.imm;
        break;
      case BPF_ALU | BPF_MOV | BPF_X:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.src_reg]);
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        reg[i.dst_reg] = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (reg[i.dst_reg] != static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        if (reg[i.dst_reg] == static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return static_cast<int>(reg[0]);
      default:
        ADD_FAILURE() << "unexpected opcode " << int(i.code);
        return -1;
    }
  }
  ADD_FAILURE() << "fell off the end of the program";
  return -1;
}

constexpr uint32_t kC = BPF_DEVCG_DEV_CHAR, kB = BPF_DEVCG_DEV_BLOCK;
constexpr uint32_t kR = BPF_DEVCG_ACC_READ, kW = BPF_DEVCG_ACC_WRITE, kM = BPF_DEVCG_ACC_MKNOD;

DeviceRule Rule(bool allow, char type, int64_t major, int64_t minor, std::string access) {
  return DeviceRule{allow, type, major, minor, std::move(access)};
}

TEST(DeviceProgram, EmptyDeniesAll) {
  auto p = BuildDeviceProgram({});
  EXPECT_EQ(Eval(p, kC, kR, 1, 3), 0);
  EXPECT_EQ(Eval(p, kB, kW, 8, 0), 0);
}

TEST(DeviceProgram, DockerLikeList) {
  auto p = BuildDeviceProgram({
      Rule(false, 'a', -1, -1, "rwm"),
      Rule(true, 'c', 1, 3, "rwm"),    // /dev/null
      Rule(true, 'c', 136, -1, "rw"),  // /dev/pts/*
      Rule(true, 'a', -1, -1, "m"),    // mknod anything
      Rule(false, 'c', 1, 3, "w"),     // ...but no writes to /dev/null
  });
  EXPECT_EQ(Eval(p, kC, kR, 1, 3), 1);
  EXPECT_EQ(Eval(p, kC, kW, 1, 3), 0);  // last matching rule wins
  EXPECT_EQ(Eval(p, kC, kR | kW, 1, 3), 0);  // any denied bit refuses the request
  EXPECT_EQ(Eval(p, kC, kM, 1, 3), 1);
  EXPECT_EQ(Eval(p, kC, kR, 1, 5), 0);  // /dev/zero
  EXPECT_EQ(Eval(p, kC, kR | kW, 136, 7), 1);
  EXPECT_EQ(Eval(p, kC, kM | kR, 136, 7), 0);  // m is not in "rw", r not in "m"
  EXPECT_EQ(Eval(p, kB, kM, 8, 0), 1);
  EXPECT_EQ(Eval(p, kB, kR, 8, 0), 0);
}

TEST(DeviceProgram, AllowAllShortCircuits) {
  auto all = BuildDeviceProgram({Rule(false, 'c', 1, 3, "rwm"), Rule(true, 'a', -1, -1, "rwm")});
  EXPECT_EQ(Eval(all, kC, kR, 1, 3), 1);
  EXPECT_EQ(all.size(), 6u + 2u);  // prologue + one "return 1" block, no default
  auto deny_last = BuildDeviceProgram({Rule(true, 'a', -1, -1, "rwm"), Rule(false, 'c', 1, 3, "rwm")});
  EXPECT_EQ(Eval(deny_last, kC, kR, 1, 3), 0);
  EXPECT_EQ(Eval(deny_last, kB, kR, 1, 3), 1);
}

}  // namespace
}  // namespace berth::cgroups
