#include "runtime/cgroups/device_filter_v2.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "base/fs.h"
#include "base/unique_fd.h"

namespace berth::cgroups {
namespace {

bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i;
  std::memset(&i, 0, sizeof i);
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

// Registers after the prologue.
constexpr uint8_t kType = BPF_REG_2, kAccess = BPF_REG_3, kMajor = BPF_REG_4,
                  kMinor = BPF_REG_5, kScratch = BPF_REG_1;

int32_t AccessBits(const std::string& access) {
  int32_t bits = 0;
  for (char c : access) {
    if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
    if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
    if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
  }
  return bits;
}

bool MatchesEverything(const DeviceRule& r) {
  return r.type == 'a' && r.major < 0 && r.minor < 0 && r.access == "rwm";
}

// One rule: jumps past itself on a mismatch, returns its verdict otherwise.
std::vector<bpf_insn> RuleBlock(const DeviceRule& r) {
  // Conditional jumps all go to the end of the block; their offsets are
  // filled in once its length is known.
  std::vector<bpf_insn> b;
  if (r.type != 'a')
    b.push_back(Insn(BPF_JMP | BPF_JNE | BPF_K, kType, 0, 0,
                     r.type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK));
  if (r.access != "rwm") {
    // allow: every requested bit is in the rule (request & ~access == 0);
    // deny: any requested bit is (request & access != 0), as v1 behaves.
    b.push_back(Insn(BPF_ALU | BPF_MOV | BPF_X, kScratch, kAccess, 0, 0));
    int32_t bits = AccessBits(r.access);
    b.push_back(Insn(BPF_ALU | BPF_AND | BPF_K, kScratch, 0, 0, r.allow ? ~bits & 0x7 : bits));
    b.push_back(Insn(BPF_JMP | (r.allow ? BPF_JNE : BPF_JEQ) | BPF_K, kScratch, 0, 0, 0));
  }
  if (r.major >= 0)
    b.push_back(Insn(BPF_JMP | BPF_JNE | BPF_K, kMajor, 0, 0, static_cast<int32_t>(r.major)));
  if (r.minor >= 0)
    b.push_back(Insn(BPF_JMP | BPF_JNE | BPF_K, kMinor, 0, 0, static_cast<int32_t>(r.minor)));
  b.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r.allow ? 1 : 0));
  b.push_back(Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  for (size_t i = 0; i < b.size(); ++i)
    if (b[i].code == (BPF_JMP | BPF_JNE | BPF_K) || b[i].code == (BPF_JMP | BPF_JEQ | BPF_K))
      b[i].off = static_cast<int16_t>(b.size() - i - 1);
  return b;
}

long Bpf(int cmd, bpf_attr* attr) { return ::syscall(SYS_bpf, cmd, attr, sizeof *attr); }

Result<unique_fd> LoadProgram(const std::vector<bpf_insn>& insns) {
  static const char kLicense[] = "Apache";
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uint64_t>(insns.data());
  attr.insn_cnt = static_cast<uint32_t>(insns.size());
  attr.license = reinterpret_cast<uint64_t>(kLicense);
  long fd = Bpf(BPF_PROG_LOAD, &attr);
  if (fd >= 0) return unique_fd(static_cast<int>(fd));
  int err = errno;
  // Load again with the verifier log, to say why.
  std::string log(64 * 1024, '\0');
  attr.log_buf = reinterpret_cast<uint64_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_level = 1;
  fd = Bpf(BPF_PROG_LOAD, &attr);
  if (fd >= 0) return unique_fd(static_cast<int>(fd));
  log.resize(std::strlen(log.c_str()));
  Error e = Error::Sys("bpf(BPF_PROG_LOAD) device filter", err);
  if (!log.empty()) e.Context("verifier: " + log);
  return e;
}

Result<std::vector<uint32_t>> AttachedPrograms(int cgroup_fd) {
  std::vector<uint32_t> ids(64);
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uint64_t>(ids.data());
  attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
  if (Bpf(BPF_PROG_QUERY, &attr) < 0) return Error::Sys("bpf(BPF_PROG_QUERY)");
  ids.resize(attr.query.prog_cnt);
  return ids;
}

}  // namespace

std::vector<bpf_insn> BuildDeviceProgram(const std::vector<DeviceRule>& rules) {
  std::vector<bpf_insn> p = {
      Insn(BPF_LDX | BPF_MEM | BPF_W, kType, BPF_REG_1, 0, 0),
      Insn(BPF_ALU | BPF_AND | BPF_K, kType, 0, 0, 0xffff),
      Insn(BPF_LDX | BPF_MEM | BPF_W, kAccess, BPF_REG_1, 0, 0),
      Insn(BPF_ALU | BPF_RSH | BPF_K, kAccess, 0, 0, 16),
      Insn(BPF_LDX | BPF_MEM | BPF_W, kMajor, BPF_REG_1, 4, 0),
      Insn(BPF_LDX | BPF_MEM | BPF_W, kMinor, BPF_REG_1, 8, 0),
  };
  bool decided = false;
  for (auto it = rules.rbegin(); it != rules.rend() && !decided; ++it) {
    auto block = RuleBlock(*it);
    p.insert(p.end(), block.begin(), block.end());
    decided = MatchesEverything(*it);  // earlier rules are unreachable
  }
  if (!decided) {
    p.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));
    p.push_back(Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  }
  return p;
}

Status AttachDeviceFilter(const std::string& cgroup_dir, const std::vector<DeviceRule>& rules) {
  std::string what = "attach device filter to " + cgroup_dir;
  unique_fd cg = BERTH_TRY_CTX(fs::Open(cgroup_dir, O_RDONLY | O_DIRECTORY), what);
  auto old = BERTH_TRY_CTX(AttachedPrograms(cg.get()), what);
  unique_fd prog = BERTH_TRY_CTX(LoadProgram(BuildDeviceProgram(rules)), what);
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(cg.get());
  attr.attach_bpf_fd = static_cast<uint32_t>(prog.get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (Bpf(BPF_PROG_ATTACH, &attr) < 0) return Error::Sys("bpf(BPF_PROG_ATTACH)").Context(what);
  // The new program is in force; drop the ones it replaces.
  for (uint32_t id : old) {
    std::memset(&attr, 0, sizeof attr);
    attr.prog_id = id;
    long fd = Bpf(BPF_PROG_GET_FD_BY_ID, &attr);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      return Error::Sys("bpf(BPF_PROG_GET_FD_BY_ID " + std::to_string(id) + ")").Context(what);
    }
    unique_fd old_fd(static_cast<int>(fd));
    std::memset(&attr, 0, sizeof attr);
    attr.target_fd = static_cast<uint32_t>(cg.get());
    attr.attach_bpf_fd = static_cast<uint32_t>(old_fd.get());
    attr.attach_type = BPF_CGROUP_DEVICE;
    if (Bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
      return Error::Sys("bpf(BPF_PROG_DETACH " + std::to_string(id) + ")").Context(what);
  }
  return Ok();
}

}  // namespace berth::cgroups
