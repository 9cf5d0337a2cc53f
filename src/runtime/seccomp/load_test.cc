// Filters loaded in forked children: the calls under test fail or kill as the
// profile says while the rest keeps working.
#include <gtest/gtest.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "runtime/seccomp/seccomp.h"
#include "runtime/seccomp/test_child.h"

namespace berth::seccomp {
namespace {

using testing::ChildStatus;
using testing::RunFiltered;

// A path whose parent does not exist: mkdir gives ENOENT when not filtered.
constexpr const char* kMissingParent = "/berth-seccomp-test-missing/dir";

oci::SeccompSyscall Rule(std::vector<std::string> names, std::string action,
                         std::optional<uint32_t> errno_ret = std::nullopt,
                         std::vector<oci::SeccompArg> args = {}) {
  oci::SeccompSyscall rule;
  rule.names = std::move(names);
  rule.action = std::move(action);
  rule.errno_ret = errno_ret;
  rule.args = std::move(args);
  return rule;
}

oci::Seccomp Spec(std::string default_action, std::vector<oci::SeccompSyscall> rules) {
  oci::Seccomp spec;
  spec.default_action = std::move(default_action);
  spec.syscalls = std::move(rules);
  return spec;
}

Filter MustBuild(const oci::Seccomp& spec) {
  Result<Filter> filter = Build(spec);
  EXPECT_TRUE(filter.ok()) << filter.error().message();
  if (!filter.ok()) std::abort();
  return std::move(filter).value();
}

// 0 when syscall result `rc` failed with `err`; otherwise `code`.
int ExpectFails(long rc, int err, int code) { return rc == -1 && errno == err ? 0 : code; }

long Mkdir() { return syscall(SYS_mkdir, kMissingParent, 0755); }

int MkdirFailsWith(int err) {
  if (int rc = ExpectFails(Mkdir(), err, 1)) return rc;
  if (syscall(SYS_getppid) <= 0) return 2;  // other calls still work
  return 0;
}

TEST(SeccompLoad, UnfilteredMkdirGivesEnoent) {
  Filter filter = MustBuild(Spec("SCMP_ACT_ALLOW", {}));
  EXPECT_EQ(RunFiltered(filter, [] { return ExpectFails(Mkdir(), ENOENT, 1); }).exit_code, 0);
}

TEST(SeccompLoad, ErrnoRetIsReturned) {
  Filter filter =
      MustBuild(Spec("SCMP_ACT_ALLOW", {Rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", ENOMEDIUM)}));
  EXPECT_EQ(RunFiltered(filter, [] { return MkdirFailsWith(ENOMEDIUM); }).exit_code, 0);
}

TEST(SeccompLoad, ErrnoDefaultsToEperm) {
  Filter filter = MustBuild(Spec("SCMP_ACT_ALLOW", {Rule({"mkdir"}, "SCMP_ACT_ERRNO")}));
  EXPECT_EQ(RunFiltered(filter, [] { return MkdirFailsWith(EPERM); }).exit_code, 0);
}

TEST(SeccompLoad, UnknownSyscallNamesAreSkipped) {
  Filter filter = MustBuild(
      Spec("SCMP_ACT_ALLOW",
           {Rule({"berth_no_such_syscall", "mkdir", "also_unknown"}, "SCMP_ACT_ERRNO", EXDEV)}));
  EXPECT_EQ(RunFiltered(filter, [] { return MkdirFailsWith(EXDEV); }).exit_code, 0);
}

TEST(SeccompLoad, DoesNotSetNoNewPrivs) {
  if (geteuid() != 0) GTEST_SKIP() << "loading without no_new_privs needs CAP_SYS_ADMIN";
  Filter filter = MustBuild(Spec("SCMP_ACT_ALLOW", {Rule({"mkdir"}, "SCMP_ACT_ERRNO")}));
  EXPECT_EQ(RunFiltered(filter, [] { return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); }).exit_code,
            0);
}

ChildStatus GetppidUnder(const std::string& action) {
  Filter filter = MustBuild(Spec("SCMP_ACT_ALLOW", {Rule({"getppid"}, action)}));
  return RunFiltered(filter, [] {
    syscall(SYS_getppid);
    return 0;
  });
}

TEST(SeccompLoad, KillActionsDeliverSigsys) {
  for (const char* action :
       {"SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP"}) {
    ChildStatus status = GetppidUnder(action);
    EXPECT_EQ(status.signal, SIGSYS) << action << " exit code " << status.exit_code;
  }
}

TEST(SeccompLoad, LogAndTraceLetTheCallThrough) {
  // LOG allows and logs; TRACE without a tracer fails the call with ENOSYS.
  EXPECT_EQ(GetppidUnder("SCMP_ACT_LOG").exit_code, 0);
  Filter trace = MustBuild(Spec("SCMP_ACT_ALLOW", {Rule({"mkdir"}, "SCMP_ACT_TRACE")}));
  EXPECT_EQ(RunFiltered(trace, [] { return MkdirFailsWith(ENOSYS); }).exit_code, 0);
}

oci::SeccompArg Arg(uint32_t index, std::string op, uint64_t value, uint64_t value_two = 0) {
  return oci::SeccompArg{.index = index, .value = value, .value_two = value_two, .op = op};
}

constexpr uint64_t kQueryPersona = 0xffffffff;

TEST(SeccompLoad, AllowListWithArgFilter) {
  Filter filter = MustBuild(
      Spec("SCMP_ACT_ERRNO", {Rule({"exit_group", "exit", "write", "getpid"}, "SCMP_ACT_ALLOW"),
                              Rule({"personality"}, "SCMP_ACT_ALLOW", std::nullopt,
                                   {Arg(0, "SCMP_CMP_EQ", kQueryPersona)})}));
  ChildStatus status = RunFiltered(filter, [] {
    if (syscall(SYS_getpid) <= 0) return 1;
    if (syscall(SYS_personality, kQueryPersona) < 0) return 2;
    if (int rc = ExpectFails(syscall(SYS_personality, PER_LINUX32), EPERM, 3)) return rc;
    if (int rc = ExpectFails(syscall(SYS_getppid), EPERM, 4)) return rc;
    if (int rc = ExpectFails(Mkdir(), EPERM, 5)) return rc;
    if (syscall(SYS_write, 2, "", 0) != 0) return 6;
    return 0;
  });
  EXPECT_EQ(status.exit_code, 0);
}

long Getpriority(int which, id_t who) { return syscall(SYS_getpriority, which, who); }

TEST(SeccompLoad, ArgsOnOneRuleAreAnded) {
  Filter filter = MustBuild(Spec(
      "SCMP_ACT_ALLOW", {Rule({"getpriority"}, "SCMP_ACT_ERRNO", EDOM,
                              {Arg(0, "SCMP_CMP_EQ", PRIO_PROCESS), Arg(1, "SCMP_CMP_EQ", 0)})}));
  ChildStatus status = RunFiltered(filter, [] {
    if (int rc = ExpectFails(Getpriority(PRIO_PROCESS, 0), EDOM, 1)) return rc;
    if (Getpriority(PRIO_PROCESS, static_cast<id_t>(getpid())) < 0) return 2;
    if (Getpriority(PRIO_PGRP, 0) < 0) return 3;
    return 0;
  });
  EXPECT_EQ(status.exit_code, 0);
}

TEST(SeccompLoad, RepeatedEqualArgsAreAlternatives) {
  Filter filter = MustBuild(
      Spec("SCMP_ACT_ALLOW", {Rule({"getpriority"}, "SCMP_ACT_ERRNO", EDOM,
                                   {Arg(0, "SCMP_CMP_EQ", PRIO_PGRP),
                                    Arg(0, "SCMP_CMP_EQ", PRIO_USER), Arg(1, "SCMP_CMP_EQ", 0)})}));
  ChildStatus status = RunFiltered(filter, [] {
    if (int rc = ExpectFails(Getpriority(PRIO_PGRP, 0), EDOM, 1)) return rc;
    if (int rc = ExpectFails(Getpriority(PRIO_USER, 0), EDOM, 2)) return rc;
    if (Getpriority(PRIO_PROCESS, 0) < 0) return 3;
    if (Getpriority(PRIO_USER, getuid()) < 0 && getuid() != 0) return 4;
    return 0;
  });
  EXPECT_EQ(status.exit_code, 0);
}

TEST(SeccompLoad, MaskedEqualUsesValueAsMask) {
  // (which & 2) == 2 matches PRIO_USER (2) but not PRIO_PROCESS (0).
  Filter filter = MustBuild(Spec("SCMP_ACT_ALLOW", {Rule({"getpriority"}, "SCMP_ACT_ERRNO", EDOM,
                                                         {Arg(0, "SCMP_CMP_MASKED_EQ", 2, 2)})}));
  ChildStatus status = RunFiltered(filter, [] {
    if (int rc = ExpectFails(Getpriority(PRIO_USER, 0), EDOM, 1)) return rc;
    if (Getpriority(PRIO_PROCESS, 0) < 0) return 2;
    return 0;
  });
  EXPECT_EQ(status.exit_code, 0);
}

TEST(SeccompLoad, FlagsAndArchitectures) {
  oci::Seccomp spec = Spec("SCMP_ACT_ALLOW", {Rule({"mkdir"}, "SCMP_ACT_ERRNO", EXDEV)});
  spec.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  spec.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  Filter filter = MustBuild(spec);
  EXPECT_EQ(RunFiltered(filter, [] { return MkdirFailsWith(EXDEV); }).exit_code, 0);
}

}  // namespace
}  // namespace berth::seccomp
