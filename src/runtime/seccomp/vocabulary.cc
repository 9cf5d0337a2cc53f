#include "runtime/seccomp/vocabulary.h"

#include <fmt/format.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <cerrno>

#include "runtime/seccomp/seccomp.h"

namespace berth::seccomp {
namespace {

template <typename V>
struct Named {
  const char* name;
  V value;
};

// Actions whose value does not carry an errno.
constexpr Named<uint32_t> kPlainActions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
};
constexpr const char* kErrnoAction = "SCMP_ACT_ERRNO";
constexpr const char* kTraceAction = "SCMP_ACT_TRACE";
constexpr const char* kNotifyAction = "SCMP_ACT_NOTIFY";

constexpr Named<int> kOperators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

constexpr Named<uint32_t> kArchitectures[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
};

constexpr Named<unsigned> kFlags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
};

template <typename V, size_t N>
std::optional<V> Find(const Named<V> (&table)[N], std::string_view name) {
  for (const auto& entry : table) {
    if (name == entry.name) return entry.value;
  }
  return std::nullopt;
}

template <typename V, size_t N>
std::vector<std::string> Names(const Named<V> (&table)[N]) {
  std::vector<std::string> out;
  for (const auto& entry : table) out.emplace_back(entry.name);
  return out;
}

// The kernel takes the low 16 bits of the action as the errno (and caps it
// at MAX_ERRNO); anything wider would corrupt the action itself.
constexpr uint32_t kMaxActionData = 0xffff;

}  // namespace

Result<uint32_t> ParseAction(std::string_view name, std::optional<uint32_t> errno_ret) {
  if (name.empty()) return Error::Invalid("missing action");
  if (name == kErrnoAction || name == kTraceAction) {
    uint32_t data = errno_ret.value_or(EPERM);
    if (data > kMaxActionData) {
      return Error::Invalid(fmt::format("errnoRet {} out of range (0-{})", data, kMaxActionData));
    }
    return name == kErrnoAction ? SCMP_ACT_ERRNO(data) : SCMP_ACT_TRACE(data);
  }
  if (name == kNotifyAction) {
    return Error(Code::kNotImplemented,
                 "SCMP_ACT_NOTIFY is not supported (seccomp user notification)");
  }
  std::optional<uint32_t> action = Find(kPlainActions, name);
  if (!action) return Error::Invalid(fmt::format("unknown action \"{}\"", name));
  if (errno_ret) {
    return Error::Invalid(fmt::format("errnoRet is not allowed with action {}", name));
  }
  return *action;
}

Result<int> ParseOperator(std::string_view name) {
  std::optional<int> op = Find(kOperators, name);
  if (!op) return Error::Invalid(fmt::format("unknown operator \"{}\"", name));
  return *op;
}

Result<uint32_t> ParseArchitecture(std::string_view name) {
  std::optional<uint32_t> arch = Find(kArchitectures, name);
  if (!arch) return Error::Invalid(fmt::format("unknown architecture \"{}\"", name));
  return *arch;
}

Result<unsigned> ParseFlag(std::string_view name) {
  std::optional<unsigned> flag = Find(kFlags, name);
  if (!flag) return Error::Invalid(fmt::format("unknown or unsupported flag \"{}\"", name));
  return *flag;
}

std::vector<std::string> KnownActions() {
  std::vector<std::string> out = Names(kPlainActions);
  out.emplace_back(kErrnoAction);
  out.emplace_back(kTraceAction);
  return out;
}

std::vector<std::string> KnownOperators() { return Names(kOperators); }
std::vector<std::string> KnownArchitectures() { return Names(kArchitectures); }
std::vector<std::string> KnownFlags() { return Names(kFlags); }

}  // namespace berth::seccomp
