// Docker profile resolution against capabilities, architecture and kernel,
// and the built-in default profile loaded in a forked child.
#include "runtime/seccomp/docker_profile.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "runtime/seccomp/seccomp.h"
#include "runtime/seccomp/test_child.h"

namespace berth::seccomp {
namespace {

// Docker's default capability set.
const std::vector<std::string> kDockerCaps = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

std::vector<std::string> With(std::vector<std::string> caps, const std::string& cap) {
  caps.push_back(cap);
  return caps;
}

const KernelVersion kKernel{6, 1};

oci::Seccomp Resolve(const std::vector<std::string>& caps, std::string_view arch = "amd64",
                     KernelVersion kernel = kKernel) {
  Result<oci::Seccomp> spec = FromDockerProfile(DefaultDockerProfile(), caps, arch, kernel);
  EXPECT_TRUE(spec.ok()) << spec.error().message();
  return spec.ok() ? std::move(spec).value() : oci::Seccomp{};
}

// The rules that name `syscall`.
std::vector<oci::SeccompSyscall> RulesFor(const oci::Seccomp& spec, const std::string& syscall) {
  std::vector<oci::SeccompSyscall> out;
  for (const oci::SeccompSyscall& rule : spec.syscalls) {
    if (std::find(rule.names.begin(), rule.names.end(), syscall) != rule.names.end()) {
      out.push_back(rule);
    }
  }
  return out;
}

bool AllowedUnconditionally(const oci::Seccomp& spec, const std::string& syscall) {
  for (const oci::SeccompSyscall& rule : RulesFor(spec, syscall)) {
    if (rule.action == "SCMP_ACT_ALLOW" && rule.args.empty()) return true;
  }
  return false;
}

TEST(DockerProfile, DefaultProfileIsEmbedded) {
  std::string_view profile = DefaultDockerProfile();
  EXPECT_GT(profile.size(), 10000u);
  EXPECT_EQ(profile.front(), '{');
  EXPECT_NE(profile.find("\"defaultAction\""), std::string_view::npos);
}

TEST(DockerProfile, DefaultCapsDenyMountAndUnshare) {
  oci::Seccomp spec = Resolve(kDockerCaps);
  EXPECT_EQ(spec.default_action, "SCMP_ACT_ERRNO");
  EXPECT_FALSE(spec.default_errno_ret.has_value());  // EPERM
  for (const char* name : {"mount", "unshare", "setns", "bpf", "add_key", "keyctl", "reboot"}) {
    EXPECT_TRUE(RulesFor(spec, name).empty()) << name;
  }
  EXPECT_TRUE(AllowedUnconditionally(spec, "chroot"));  // CAP_SYS_CHROOT is a default cap
  EXPECT_TRUE(AllowedUnconditionally(spec, "read"));
}

TEST(DockerProfile, SysAdminAllowsMountAndUnshare) {
  oci::Seccomp spec = Resolve(With(kDockerCaps, "CAP_SYS_ADMIN"));
  EXPECT_TRUE(AllowedUnconditionally(spec, "mount"));
  EXPECT_TRUE(AllowedUnconditionally(spec, "unshare"));
  EXPECT_TRUE(AllowedUnconditionally(spec, "clone"));
  EXPECT_TRUE(AllowedUnconditionally(spec, "clone3"));
  // Capability names without the prefix count too.
  EXPECT_TRUE(AllowedUnconditionally(Resolve(With(kDockerCaps, "sys_admin")), "mount"));
}

constexpr uint64_t kNamespaceFlags = 0x7E020000;  // CLONE_NEWNS|NEWCGROUP|NEWUTS|...|NEWNET

TEST(DockerProfile, CloneMasksNamespaceFlagsWithoutSysAdmin) {
  oci::Seccomp spec = Resolve(kDockerCaps);
  std::vector<oci::SeccompSyscall> clone = RulesFor(spec, "clone");
  ASSERT_EQ(clone.size(), 1u);
  EXPECT_EQ(clone[0].action, "SCMP_ACT_ALLOW");
  ASSERT_EQ(clone[0].args.size(), 1u);
  EXPECT_EQ(clone[0].args[0].index, 0u);
  EXPECT_EQ(clone[0].args[0].op, "SCMP_CMP_MASKED_EQ");
  EXPECT_EQ(clone[0].args[0].value, kNamespaceFlags);
  EXPECT_EQ(clone[0].args[0].value_two, 0u);

  std::vector<oci::SeccompSyscall> clone3 = RulesFor(spec, "clone3");
  ASSERT_EQ(clone3.size(), 1u);
  EXPECT_EQ(clone3[0].action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(clone3[0].errno_ret, std::optional<uint32_t>(ENOSYS));
}

TEST(DockerProfile, ArchitectureSelectsArchMapAndRules) {
  oci::Seccomp amd64 = Resolve(kDockerCaps, "amd64");
  EXPECT_EQ(amd64.architectures,
            (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  EXPECT_TRUE(AllowedUnconditionally(amd64, "arch_prctl"));
  EXPECT_TRUE(RulesFor(amd64, "set_tls").empty());

  oci::Seccomp arm64 = Resolve(kDockerCaps, "arm64");
  EXPECT_EQ(arm64.architectures, (std::vector<std::string>{"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
  EXPECT_TRUE(RulesFor(arm64, "arch_prctl").empty());
  EXPECT_TRUE(AllowedUnconditionally(arm64, "set_tls"));

  // s390x passes clone's flags in the second argument.
  std::vector<oci::SeccompSyscall> clone = RulesFor(Resolve(kDockerCaps, "s390x"), "clone");
  ASSERT_EQ(clone.size(), 1u);
  ASSERT_EQ(clone[0].args.size(), 1u);
  EXPECT_EQ(clone[0].args[0].index, 1u);
}

TEST(DockerProfile, MinKernel) {
  EXPECT_TRUE(AllowedUnconditionally(Resolve(kDockerCaps, "amd64", {4, 8}), "ptrace"));
  EXPECT_TRUE(AllowedUnconditionally(Resolve(kDockerCaps, "amd64", {5, 10}), "ptrace"));
  EXPECT_FALSE(AllowedUnconditionally(Resolve(kDockerCaps, "amd64", {4, 4}), "ptrace"));
  EXPECT_TRUE(AllowedUnconditionally(Resolve(With(kDockerCaps, "CAP_SYS_PTRACE"), "amd64", {4, 4}),
                                     "ptrace"));
  Result<KernelVersion> running = RunningKernel();
  ASSERT_TRUE(running.ok()) << running.error().message();
  EXPECT_GE(running->major, 3);
}

void ExpectError(std::string_view json, const std::string& message) {
  Result<oci::Seccomp> spec = FromDockerProfile(json, kDockerCaps, "amd64", kKernel);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(spec.error().message(), message);
}

TEST(DockerProfile, Errors) {
  ExpectError("{", "seccomp profile: invalid JSON");
  ExpectError("[]", "seccomp profile: expected an object");
  ExpectError("{}", "seccomp profile: defaultAction: missing");
  ExpectError(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["a"]},
                 {"names":["b"],"includes":{"caps":"CAP_SYS_ADMIN"}}]})",
              "seccomp profile: syscalls[1].includes.caps: expected an array of strings");
  ExpectError(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
                 {"names":["b"],"args":[{"index":-1,"op":"SCMP_CMP_EQ"}]}]})",
              "seccomp profile: syscalls[0].args[0].index: expected a uint32");
  ExpectError(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
                 {"names":["b"],"includes":{"minKernel":"four"}}]})",
              "seccomp profile: syscalls[0].includes.minKernel: invalid kernel version \"four\"");
  ExpectError(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"a","names":["b"]}]})",
              "seccomp profile: syscalls[0]: both name and names are set");
  ExpectError(R"({"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86"],
                 "archMap":[]})",
              "seccomp profile: both architectures and archMap are set");
}

TEST(DockerProfile, LegacyFieldsAndExcludedKernel) {
  Result<oci::Seccomp> spec = FromDockerProfile(
      R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,
          "architectures":["SCMP_ARCH_X86"],"syscalls":[
          {"name":"read","action":"SCMP_ACT_ALLOW","args":null},
          {"names":["write"],"action":"SCMP_ACT_ALLOW","excludes":{"minKernel":"5.0"}}]})",
      kDockerCaps, "amd64", kKernel);
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  EXPECT_EQ(spec->default_errno_ret, std::optional<uint32_t>(38));
  EXPECT_EQ(spec->architectures, std::vector<std::string>{"SCMP_ARCH_X86"});
  ASSERT_EQ(spec->syscalls.size(), 1u);
  EXPECT_EQ(spec->syscalls[0].names, std::vector<std::string>{"read"});
}

using testing::RunFiltered;

int Fails(long rc, int err, int code) { return rc == -1 && errno == err ? 0 : code; }

TEST(DockerProfile, DefaultProfileFilterInAChild) {
  oci::Seccomp spec = Resolve(kDockerCaps);
  Result<Filter> filter = Build(spec);
  ASSERT_TRUE(filter.ok()) << filter.error().message();
  testing::ChildStatus status = RunFiltered(*filter, [] {
    if (int rc = Fails(syscall(SYS_unshare, CLONE_NEWNS), EPERM, 1)) return rc;
    if (int rc = Fails(syscall(SYS_add_key, "user", "berth", "x", 1, 0), EPERM, 2)) return rc;
    if (int rc = Fails(syscall(SYS_keyctl, 0, 0, 0, 0, 0), EPERM, 3)) return rc;
    if (int rc = Fails(syscall(SYS_clone3, nullptr, 0), ENOSYS, 4)) return rc;
    if (int rc = Fails(syscall(SYS_mkdir, "/berth-missing-parent/x", 0755), ENOENT, 5)) return rc;
    if (syscall(SYS_getpid) <= 0) return 6;
    // fork() is a clone without namespace flags: allowed.
    pid_t pid = fork();
    if (pid == 0) _exit(7);
    int child = 0;
    if (pid < 0 || waitpid(pid, &child, 0) != pid || !WIFEXITED(child) || WEXITSTATUS(child) != 7) {
      return 8;
    }
    return 0;
  });
  EXPECT_EQ(status.exit_code, 0) << "signal " << status.signal;
}

TEST(DockerProfile, SysAdminProfileAllowsUnshareInAChild) {
  Result<Filter> filter = Build(Resolve(With(kDockerCaps, "CAP_SYS_ADMIN")));
  ASSERT_TRUE(filter.ok()) << filter.error().message();
  testing::ChildStatus status =
      RunFiltered(*filter, [] { return syscall(SYS_unshare, CLONE_NEWNS) == 0 ? 0 : 1; });
  EXPECT_EQ(status.exit_code, 0);
}

}  // namespace
}  // namespace berth::seccomp
