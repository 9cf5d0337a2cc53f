#include "runtime/seccomp/seccomp.h"

#include <fmt/format.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "base/fs.h"
#include "base/log.h"
#include "base/unique_fd.h"
#include "runtime/seccomp/conditions.h"
#include "runtime/seccomp/vocabulary.h"

namespace berth::seccomp {
namespace {

constexpr const char* kField = "linux.seccomp";
// The kernel refuses longer classic-BPF programs.
constexpr size_t kMaxInstructions = BPF_MAXINSNS;

struct CtxRelease {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxRelease>;

Error LibError(const std::string& what, int rc) { return Error::Sys(what, -rc); }

Result<unsigned> ParseFlags(const std::vector<std::string>& names) {
  unsigned flags = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    flags |= BERTH_TRY_CTX(ParseFlag(names[i]), fmt::format("{}.flags[{}]", kField, i));
  }
  return flags;
}

Status AddArchitectures(scmp_filter_ctx ctx, const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    std::string field = fmt::format("{}.architectures[{}]", kField, i);
    uint32_t arch = BERTH_TRY_CTX(ParseArchitecture(names[i]), field);
    int rc = seccomp_arch_add(ctx, arch);
    if (rc == -EDOM) {
      // Other endianness than the native one: no such process can run on
      // this kernel, and libseccomp cannot mix them in one filter.
      log::Debug("{}: {} cannot run on this kernel, skipped", field, names[i]);
      continue;
    }
    if (rc < 0 && rc != -EEXIST) return LibError(field + ": seccomp_arch_add", rc);
  }
  return Ok();
}

Result<Conditions> ParseArgs(const std::vector<oci::SeccompArg>& args, const std::string& field) {
  Conditions out;
  for (size_t i = 0; i < args.size(); ++i) {
    const oci::SeccompArg& arg = args[i];
    std::string arg_field = fmt::format("{}.args[{}]", field, i);
    if (arg.index > 5) {
      return Error::Invalid(fmt::format("{}.index: {} out of range (0-5)", arg_field, arg.index));
    }
    int op = BERTH_TRY_CTX(ParseOperator(arg.op), arg_field + ".op");
    out.push_back(scmp_arg_cmp{.arg = arg.index,
                               .op = static_cast<scmp_compare>(op),
                               .datum_a = arg.value,
                               .datum_b = arg.value_two});
  }
  return out;
}

Status AddSyscallRule(scmp_filter_ctx ctx, uint32_t default_action, const oci::SeccompSyscall& rule,
                      const std::string& field) {
  if (rule.names.empty()) return Error::Invalid(field + ".names: empty");
  uint32_t action = BERTH_TRY_CTX(ParseAction(rule.action, rule.errno_ret), field + ".action");
  Conditions conditions = BERTH_TRY(ParseArgs(rule.args, field));
  if (action == default_action) {
    log::Debug("{}: action is the default action, skipped", field);
    return Ok();
  }
  std::vector<Conditions> rules = BERTH_TRY(ExpandConditions(conditions, field));
  for (const std::string& name : rule.names) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) {
      log::Debug("{}: syscall \"{}\" unknown on this architecture, skipped", field, name);
      continue;
    }
    for (const Conditions& set : rules) {
      int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(set.size()),
                                      set.empty() ? nullptr : set.data());
      if (rc < 0) return LibError(fmt::format("{}: add rule for \"{}\"", field, name), rc);
    }
  }
  return Ok();
}

// Exports the compiled program through a memfd (libseccomp 2.5 only writes
// BPF to a file descriptor).
Result<std::vector<sock_filter>> Export(scmp_filter_ctx ctx) {
  unique_fd fd(memfd_create("berth-seccomp-bpf", MFD_CLOEXEC));
  if (!fd) return Error::Sys("memfd_create");
  int rc = seccomp_export_bpf(ctx, fd.get());
  if (rc < 0) return LibError("seccomp_export_bpf", rc);
  if (lseek(fd.get(), 0, SEEK_SET) < 0) return Error::Sys("lseek");
  std::string bytes = BERTH_TRY(fs::ReadFd(fd.get()));
  if (bytes.empty() || bytes.size() % sizeof(sock_filter) != 0) {
    return Error::Internal(fmt::format("seccomp_export_bpf: odd program size {}", bytes.size()));
  }
  std::vector<sock_filter> program(bytes.size() / sizeof(sock_filter));
  memcpy(program.data(), bytes.data(), bytes.size());
  if (program.size() > kMaxInstructions) {
    return Error::Invalid(fmt::format("filter too large: {} instructions (kernel limit {})",
                                      program.size(), kMaxInstructions));
  }
  return program;
}

}  // namespace

Result<Filter> Build(const oci::Seccomp& spec) {
  uint32_t default_action = BERTH_TRY_CTX(ParseAction(spec.default_action, spec.default_errno_ret),
                                          fmt::format("{}.defaultAction", kField));
  unsigned flags = BERTH_TRY(ParseFlags(spec.flags));
  if (!spec.listener_path.empty()) {
    return Error(
        Code::kNotImplemented,
        fmt::format("{}.listenerPath: seccomp user notification is not supported", kField));
  }

  Ctx ctx(seccomp_init(default_action));
  if (!ctx) return Error::Internal(fmt::format("{}: seccomp_init failed", kField));
  // The caller decides on no_new_privs; we load the program ourselves anyway.
  int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0) return LibError("seccomp_attr_set(SCMP_FLTATR_CTL_NNP)", rc);
  // A binary search over syscall numbers instead of a linear scan; only
  // speed is at stake, so a libseccomp without it is fine.
  (void)seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);

  BERTH_TRY(AddArchitectures(ctx.get(), spec.architectures));
  for (size_t i = 0; i < spec.syscalls.size(); ++i) {
    BERTH_TRY(AddSyscallRule(ctx.get(), default_action, spec.syscalls[i],
                             fmt::format("{}.syscalls[{}]", kField, i)));
  }
  std::vector<sock_filter> program = BERTH_TRY_CTX(Export(ctx.get()), kField);
  return Filter(std::move(program), flags);
}

Status Filter::Load() const {
  sock_fprog prog{.len = static_cast<unsigned short>(program_.size()),
                  .filter = const_cast<sock_filter*>(program_.data())};
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags_, &prog);
  if (rc < 0) {
    int err = errno;
    if (err == EACCES) {
      return Error::Sys("seccomp(SECCOMP_SET_MODE_FILTER) (needs no_new_privs or CAP_SYS_ADMIN)",
                        err);
    }
    return Error::Sys("seccomp(SECCOMP_SET_MODE_FILTER)", err);
  }
  if (rc > 0) {  // SECCOMP_FILTER_FLAG_TSYNC: the thread that could not sync
    return Error::Internal(
        fmt::format("seccomp(SECCOMP_SET_MODE_FILTER): thread {} could not be synchronized", rc));
  }
  return Ok();
}

}  // namespace berth::seccomp
