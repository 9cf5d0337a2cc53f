// BuildCached(): hits give the compiled program back, bad entries are
// rebuilt, a broken cache only costs the compile.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstring>

#include "base/fs.h"
#include "runtime/seccomp/docker_profile.h"
#include "runtime/seccomp/seccomp.h"

namespace berth::seccomp {
namespace {

class SeccompCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-seccomp-cache.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = std::string(tmpl) + "/cache";
  }
  void TearDown() override { (void)fs::RemoveAll(fs::Dirname(dir_)); }

  static oci::Seccomp Sample() {
    oci::Seccomp spec;
    spec.default_action = "SCMP_ACT_ALLOW";
    spec.flags = {"SECCOMP_FILTER_FLAG_LOG"};
    oci::SeccompSyscall rule;
    rule.names = {"mkdir", "rmdir"};
    rule.action = "SCMP_ACT_ERRNO";
    spec.syscalls.push_back(rule);
    return spec;
  }

  std::vector<std::string> Entries() {
    auto names = fs::ListDir(dir_);
    return names.ok() ? *names : std::vector<std::string>{};
  }

  static bool Same(const Filter& a, const Filter& b) {
    return a.flags() == b.flags() && a.program().size() == b.program().size() &&
           memcmp(a.program().data(), b.program().data(),
                  a.program().size() * sizeof(sock_filter)) == 0;
  }

  std::string dir_;
};

TEST_F(SeccompCacheTest, MissThenHit) {
  auto built = Build(Sample());
  ASSERT_TRUE(built.ok()) << built.error().message();
  auto first = BuildCached(Sample(), dir_);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_TRUE(Same(*first, *built));
  ASSERT_EQ(Entries().size(), 1u);
  std::string entry = Entries()[0];
  EXPECT_EQ(entry.size(), 64u + 4u);  // <sha256 hex>.bpf
  auto second = BuildCached(Sample(), dir_);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(Same(*second, *built));
  EXPECT_NE(second->flags(), 0u);  // flags come back without the program
}

TEST_F(SeccompCacheTest, DifferentSpecsDifferentEntries) {
  ASSERT_TRUE(BuildCached(Sample(), dir_).ok());
  oci::Seccomp other = Sample();
  other.syscalls[0].names.push_back("chmod");
  ASSERT_TRUE(BuildCached(other, dir_).ok());
  EXPECT_EQ(Entries().size(), 2u);
}

TEST_F(SeccompCacheTest, BadEntriesAreRebuilt) {
  auto built = Build(Sample());
  ASSERT_TRUE(built.ok());
  ASSERT_TRUE(BuildCached(Sample(), dir_).ok());
  std::string path = fs::Join(dir_, Entries()[0]);
  for (std::string junk : {std::string("odd"), std::string(), std::string(8, '\0')}) {
    ASSERT_TRUE(fs::AtomicWrite(path, junk, 0600, false).ok());
    auto again = BuildCached(Sample(), dir_);
    ASSERT_TRUE(again.ok()) << again.error().message();
    EXPECT_TRUE(Same(*again, *built)) << "junk of " << junk.size() << " bytes";
    auto bytes = fs::ReadFile(path);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(bytes->size(), built->program().size() * sizeof(sock_filter)) << "replaced";
  }
}

TEST_F(SeccompCacheTest, ErrorsAreNotCached) {
  oci::Seccomp bad = Sample();
  bad.syscalls[0].action = "SCMP_ACT_FOO";
  auto got = BuildCached(bad, dir_);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message(), Build(bad).error().message());
  EXPECT_TRUE(Entries().empty());
}

TEST_F(SeccompCacheTest, UnusableCacheOnlyCostsTheCompile) {
  // The cache "directory" is a file: nothing can be stored, Build still works.
  ASSERT_TRUE(fs::MkdirAll(fs::Dirname(dir_)).ok());
  ASSERT_TRUE(fs::AtomicWrite(dir_, "not a dir", 0600, false).ok());
  auto got = BuildCached(Sample(), dir_);
  ASSERT_TRUE(got.ok()) << got.error().message();
  auto none = BuildCached(Sample(), "");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(Same(*got, *none));
}

TEST_F(SeccompCacheTest, DockerDefaultProfileIsFastWhenCached) {
  auto spec = FromDockerProfile(DefaultDockerProfile(), {"CAP_CHOWN", "CAP_KILL"}, "amd64");
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  auto cold = BuildCached(*spec, dir_);
  auto t1 = Clock::now();
  auto warm = BuildCached(*spec, dir_);
  auto t2 = Clock::now();
  ASSERT_TRUE(cold.ok() && warm.ok());
  EXPECT_TRUE(Same(*cold, *warm));
  double cold_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  double warm_ms = std::chrono::duration<double, std::milli>(t2 - t1).count();
  RecordProperty("cold_ms", std::to_string(cold_ms));
  RecordProperty("warm_ms", std::to_string(warm_ms));
  printf("docker default profile: compile %.2f ms, from cache %.2f ms\n", cold_ms, warm_ms);
  EXPECT_LT(warm_ms, cold_ms);
}

}  // namespace
}  // namespace berth::seccomp
