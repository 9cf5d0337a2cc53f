#include <gtest/gtest.h>

#include <functional>

#include "oci/runtime_spec_codec.h"

namespace berth::oci {
namespace {

// A minimal valid spec that each case then breaks in one way.
Spec Valid() {
  Spec s;
  s.root.path = "rootfs";
  s.has_process = true;
  s.process.args = {"sh"};
  s.process.rlimits = {{"RLIMIT_NOFILE", 1024, 1024}};
  s.mounts = {{"/proc", "proc", "proc", {}}};
  s.linux.namespaces = {{"pid", ""}, {"mount", ""}};
  return s;
}

TEST(Validate, AcceptsValidAndDefaultSpecs) {
  EXPECT_TRUE(Validate(Valid()).ok());
  Status st = Validate(DefaultSpec(false));
  EXPECT_TRUE(st.ok()) << st.error().message();
  st = Validate(DefaultSpec(true));
  EXPECT_TRUE(st.ok()) << st.error().message();
}

struct Case {
  const char* name;
  std::function<void(Spec&)> mutate;
  const char* message;
};

class ValidateError : public testing::TestWithParam<Case> {};

TEST_P(ValidateError, Rejects) {
  Spec s = Valid();
  GetParam().mutate(s);
  Status st = Validate(s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(st.error().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValidateError,
    testing::Values(Case{"EmptyRoot", [](Spec& s) { s.root.path.clear(); },
                         "root.path: must not be empty"},
                    Case{"NoProcess", [](Spec& s) { s.has_process = false; }, "process: missing"},
                    Case{"EmptyArgs", [](Spec& s) { s.process.args.clear(); },
                         "process.args: must not be empty"},
                    Case{"RelativeCwd", [](Spec& s) { s.process.cwd = "work"; },
                         "process.cwd: must be an absolute path, got \"work\""},
                    Case{"UnknownRlimit",
                         [](Spec& s) {
                           s.process.rlimits.push_back({"RLIMIT_FOO", 1, 1});
                         },
                         "process.rlimits[1].type: unknown rlimit type \"RLIMIT_FOO\""},
                    Case{"DuplicateRlimit",
                         [](Spec& s) {
                           s.process.rlimits.push_back({"RLIMIT_NOFILE", 1, 1});
                         },
                         "process.rlimits[1].type: duplicate rlimit type \"RLIMIT_NOFILE\""},
                    Case{"RelativeMount",
                         [](Spec& s) {
                           s.mounts.push_back({"dev/shm", "tmpfs", "shm", {}});
                         },
                         "mounts[1].destination: must be an absolute path, got \"dev/shm\""},
                    Case{"UnknownNamespace",
                         [](Spec& s) {
                           s.linux.namespaces.push_back({"uts", ""});
                           s.linux.namespaces.push_back({"foo", ""});
                         },
                         "linux.namespaces[3].type: unknown namespace type \"foo\""},
                    Case{"DuplicateNamespace",
                         [](Spec& s) {
                           s.linux.namespaces.push_back({"pid", ""});
                         },
                         "linux.namespaces[2].type: duplicate namespace type \"pid\""},
                    Case{"RelativeNamespacePath",
                         [](Spec& s) {
                           s.linux.namespaces.push_back({"network", "netns/x"});
                         },
                         "linux.namespaces[2].path: must be an absolute path, got \"netns/x\""},
                    Case{"UserNsWithoutUidMappings",
                         [](Spec& s) {
                           s.linux.namespaces.push_back({"user", ""});
                           s.linux.gid_mappings = {{0, 1000, 1}};
                         },
                         "linux.uidMappings: a new user namespace needs uid mappings"},
                    Case{"UserNsWithoutGidMappings",
                         [](Spec& s) {
                           s.linux.namespaces.push_back({"user", ""});
                           s.linux.uid_mappings = {{0, 1000, 1}};
                         },
                         "linux.gidMappings: a new user namespace needs gid mappings"},
                    Case{"MappingsWithoutUserNs",
                         [](Spec& s) {
                           s.linux.uid_mappings = {{0, 1000, 1}};
                         },
                         "linux.uidMappings: mappings need a user namespace"},
                    Case{"RelativeHookPath",
                         [](Spec& s) {
                           s.hooks.create_runtime.push_back({"hook", {}, {}, {}});
                         },
                         "hooks.createRuntime[0].path: must be an absolute path, got \"hook\""},
                    Case{"NonPositiveHookTimeout",
                         [](Spec& s) {
                           s.hooks.poststop.push_back({"/bin/h", {}, {}, 0});
                         },
                         "hooks.poststop[0].timeout: must be positive, got 0"}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(Validate, JoinedUserNamespaceNeedsNoMappings) {
  Spec s = Valid();
  s.linux.namespaces.push_back({"user", "/proc/42/ns/user"});
  EXPECT_TRUE(Validate(s).ok());
}

TEST(Validate, SeccompActionsAreNotCheckedHere) {
  Spec s = Valid();
  s.linux.seccomp = Seccomp{.default_action = "SCMP_ACT_BOGUS"};
  EXPECT_TRUE(Validate(s).ok());
}

}  // namespace
}  // namespace berth::oci
