// Build(): profile validation and the shape of the compiled filter. Loading
// is tested in load_test.cc.
#include <gtest/gtest.h>
#include <linux/seccomp.h>

#include <algorithm>

#include "runtime/seccomp/conditions.h"
#include "runtime/seccomp/seccomp.h"

namespace berth::seccomp {
namespace {

oci::Seccomp AllowAll() {
  oci::Seccomp spec;
  spec.default_action = "SCMP_ACT_ALLOW";
  return spec;
}

oci::SeccompSyscall Rule(std::vector<std::string> names, std::string action) {
  oci::SeccompSyscall rule;
  rule.names = std::move(names);
  rule.action = std::move(action);
  return rule;
}

void ExpectInvalid(const oci::Seccomp& spec, const std::string& message,
                   Code code = Code::kInvalidArgument) {
  Result<Filter> filter = Build(spec);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.error().code(), code);
  EXPECT_EQ(filter.error().message(), message);
}

TEST(SeccompBuild, AllowAllCompiles) {
  Result<Filter> filter = Build(AllowAll());
  ASSERT_TRUE(filter.ok()) << filter.error().message();
  EXPECT_FALSE(filter->program().empty());
  EXPECT_EQ(filter->flags(), 0u);
}

TEST(SeccompBuild, UnknownDefaultAction) {
  oci::Seccomp spec;
  spec.default_action = "SCMP_ACT_FOO";
  ExpectInvalid(spec, "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"");
}

TEST(SeccompBuild, MissingDefaultAction) {
  ExpectInvalid(oci::Seccomp{}, "linux.seccomp.defaultAction: missing action");
}

TEST(SeccompBuild, UnknownRuleAction) {
  oci::Seccomp spec = AllowAll();
  spec.syscalls.push_back(Rule({"mkdir"}, "SCMP_ACT_ERRNO"));
  spec.syscalls.push_back(Rule({"rmdir"}, "SCMP_ACT_FOO"));
  ExpectInvalid(spec, "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_FOO\"");
}

TEST(SeccompBuild, UnknownOperator) {
  oci::Seccomp spec = AllowAll();
  oci::SeccompSyscall rule = Rule({"personality"}, "SCMP_ACT_ERRNO");
  rule.args.push_back({.index = 0, .value = 1, .op = "SCMP_CMP_EQ"});
  rule.args.push_back({.index = 1, .value = 1, .op = "SCMP_CMP_FOO"});
  spec.syscalls.push_back(rule);
  ExpectInvalid(spec, "linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_FOO\"");
}

TEST(SeccompBuild, ArgIndexOutOfRange) {
  oci::Seccomp spec = AllowAll();
  oci::SeccompSyscall rule = Rule({"personality"}, "SCMP_ACT_ERRNO");
  rule.args.push_back({.index = 6, .value = 1, .op = "SCMP_CMP_EQ"});
  spec.syscalls.push_back(rule);
  ExpectInvalid(spec, "linux.seccomp.syscalls[0].args[0].index: 6 out of range (0-5)");
}

TEST(SeccompBuild, UnknownArchitecture) {
  oci::Seccomp spec = AllowAll();
  spec.architectures = {"SCMP_ARCH_X86", "SCMP_ARCH_FOO"};
  ExpectInvalid(spec, "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_FOO\"");
}

TEST(SeccompBuild, UnknownFlag) {
  oci::Seccomp spec = AllowAll();
  spec.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_NEW_LISTENER"};
  ExpectInvalid(spec,
                "linux.seccomp.flags[1]: unknown or unsupported flag "
                "\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"");
}

TEST(SeccompBuild, FlagsAreCollected) {
  oci::Seccomp spec = AllowAll();
  spec.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  Result<Filter> filter = Build(spec);
  ASSERT_TRUE(filter.ok()) << filter.error().message();
  EXPECT_EQ(filter->flags(), unsigned{SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
                                      SECCOMP_FILTER_FLAG_SPEC_ALLOW});
}

TEST(SeccompBuild, ErrnoRetOnlyWithErrnoOrTrace) {
  oci::Seccomp spec = AllowAll();
  oci::SeccompSyscall rule = Rule({"mkdir"}, "SCMP_ACT_KILL");
  rule.errno_ret = 5;
  spec.syscalls.push_back(rule);
  ExpectInvalid(spec,
                "linux.seccomp.syscalls[0].action: errnoRet is not allowed with action "
                "SCMP_ACT_KILL");

  oci::Seccomp defaults;
  defaults.default_action = "SCMP_ACT_ALLOW";
  defaults.default_errno_ret = 1;
  ExpectInvalid(defaults,
                "linux.seccomp.defaultAction: errnoRet is not allowed with action "
                "SCMP_ACT_ALLOW");

  spec.syscalls[0].action = "SCMP_ACT_TRACE";
  EXPECT_TRUE(Build(spec).ok());
}

TEST(SeccompBuild, ErrnoRetOutOfRange) {
  oci::Seccomp spec = AllowAll();
  oci::SeccompSyscall rule = Rule({"mkdir"}, "SCMP_ACT_ERRNO");
  rule.errno_ret = 70000;
  spec.syscalls.push_back(rule);
  ExpectInvalid(spec, "linux.seccomp.syscalls[0].action: errnoRet 70000 out of range (0-65535)");
}

TEST(SeccompBuild, NotifyIsNotImplemented) {
  oci::Seccomp spec = AllowAll();
  spec.syscalls.push_back(Rule({"mkdir"}, "SCMP_ACT_NOTIFY"));
  ExpectInvalid(spec,
                "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY is not supported "
                "(seccomp user notification)",
                Code::kNotImplemented);

  oci::Seccomp listener = AllowAll();
  listener.listener_path = "/run/agent.sock";
  ExpectInvalid(listener, "linux.seccomp.listenerPath: seccomp user notification is not supported",
                Code::kNotImplemented);
}

TEST(SeccompBuild, EmptyNames) {
  oci::Seccomp spec = AllowAll();
  spec.syscalls.push_back(Rule({}, "SCMP_ACT_ERRNO"));
  ExpectInvalid(spec, "linux.seccomp.syscalls[0].names: empty");
}

TEST(SeccompBuild, UnknownSyscallsAndDefaultActionRulesAreSkipped) {
  oci::Seccomp spec = AllowAll();
  spec.syscalls.push_back(Rule({"berth_no_such_syscall"}, "SCMP_ACT_ERRNO"));
  spec.syscalls.push_back(Rule({"mkdir"}, "SCMP_ACT_ALLOW"));
  Result<Filter> filter = Build(spec);
  ASSERT_TRUE(filter.ok()) << filter.error().message();
  // Nothing but the architecture check and the default action.
  EXPECT_EQ(filter->program().size(), Build(AllowAll())->program().size());
}

TEST(SeccompBuild, EveryKnownArchitectureIsAccepted) {
  for (const std::string& arch : KnownArchitectures()) {
    oci::Seccomp spec = AllowAll();
    spec.architectures = {arch};
    spec.syscalls.push_back(Rule({"mkdir"}, "SCMP_ACT_ERRNO"));
    Result<Filter> filter = Build(spec);
    EXPECT_TRUE(filter.ok()) << arch << ": " << filter.error().message();
  }
}

bool Contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

TEST(SeccompBuild, KnownNames) {
  std::vector<std::string> actions = KnownActions();
  for (const char* name :
       {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"}) {
    EXPECT_TRUE(Contains(actions, name)) << name;
  }
  EXPECT_FALSE(Contains(actions, "SCMP_ACT_NOTIFY"));
  EXPECT_EQ(KnownOperators().size(), 7u);
  EXPECT_TRUE(Contains(KnownOperators(), "SCMP_CMP_MASKED_EQ"));
  EXPECT_TRUE(Contains(KnownArchitectures(), "SCMP_ARCH_X86_64"));
  EXPECT_TRUE(Contains(KnownArchitectures(), "SCMP_ARCH_AARCH64"));
  EXPECT_EQ(KnownFlags(),
            (std::vector<std::string>{"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                      "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}));
}

scmp_arg_cmp Cmp(unsigned arg, scmp_compare op, uint64_t value) {
  return scmp_arg_cmp{.arg = arg, .op = op, .datum_a = value, .datum_b = 0};
}

// Renders condition sets as "a0==1 a1>2 | a0==3" for compact expectations.
std::string Render(const std::vector<Conditions>& sets) {
  std::string out;
  for (const Conditions& set : sets) {
    if (!out.empty()) out += " | ";
    std::string one;
    for (const scmp_arg_cmp& c : set) {
      if (!one.empty()) one += " ";
      one += "a" + std::to_string(c.arg) + (c.op == SCMP_CMP_EQ ? "==" : "op") +
             std::to_string(c.datum_a);
    }
    out += one.empty() ? "-" : one;
  }
  return out;
}

TEST(SeccompConditions, NoneOrDistinctArgsMakeOneRule) {
  EXPECT_EQ(Render(*ExpandConditions({}, "f")), "-");
  EXPECT_EQ(Render(*ExpandConditions({Cmp(1, SCMP_CMP_EQ, 2), Cmp(0, SCMP_CMP_EQ, 1)}, "f")),
            "a1==2 a0==1");
}

TEST(SeccompConditions, RepeatedEqualsAreAlternatives) {
  Conditions in = {Cmp(0, SCMP_CMP_EQ, 1), Cmp(1, SCMP_CMP_EQ, 7), Cmp(0, SCMP_CMP_EQ, 2),
                   Cmp(2, SCMP_CMP_EQ, 3), Cmp(2, SCMP_CMP_EQ, 4)};
  EXPECT_EQ(Render(*ExpandConditions(in, "f")),
            "a0==1 a1==7 a2==3 | a0==1 a1==7 a2==4 | a0==2 a1==7 a2==3 | a0==2 a1==7 a2==4");
}

TEST(SeccompConditions, RepeatedOtherOperatorsBecomeSeparateRules) {
  Conditions in = {Cmp(0, SCMP_CMP_GE, 1), Cmp(0, SCMP_CMP_LE, 5), Cmp(1, SCMP_CMP_EQ, 9)};
  EXPECT_EQ(Render(*ExpandConditions(in, "f")), "a0op1 | a0op5 | a1==9");
}

TEST(SeccompConditions, ExpansionIsBounded) {
  Conditions in;
  for (unsigned arg = 0; arg < 6; ++arg) {
    for (uint64_t v = 0; v < 3; ++v) in.push_back(Cmp(arg, SCMP_CMP_EQ, v));
  }
  Result<std::vector<Conditions>> out = ExpandConditions(in, "linux.seccomp.syscalls[0]");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().message(), "linux.seccomp.syscalls[0]: args expand to more than 256 rules");
}

}  // namespace
}  // namespace berth::seccomp
