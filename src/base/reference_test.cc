#include "base/reference.h"

#include <gtest/gtest.h>

namespace berth::ref {
namespace {

const std::string kHex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

struct Good {
  std::string in;
  std::string domain, path, tag, digest;
  std::string familiar, full;
};

TEST(Reference, ParseNormalizedValid) {
  const Good cases[] = {
      {"busybox", "docker.io", "library/busybox", "", "", "busybox", "docker.io/library/busybox"},
      {"busybox:latest", "docker.io", "library/busybox", "latest", "", "busybox:latest",
       "docker.io/library/busybox:latest"},
      {"alice/app:1", "docker.io", "alice/app", "1", "", "alice/app:1", "docker.io/alice/app:1"},
      {"docker.io/library/busybox", "docker.io", "library/busybox", "", "", "busybox",
       "docker.io/library/busybox"},
      {"index.docker.io/alice/app", "docker.io", "alice/app", "", "", "alice/app",
       "docker.io/alice/app"},
      {"docker.io/library/a/b", "docker.io", "library/a/b", "", "", "library/a/b",
       "docker.io/library/a/b"},
      {"localhost/x", "localhost", "x", "", "", "localhost/x", "localhost/x"},
      {"localhost:5000/x:y", "localhost:5000", "x", "y", "", "localhost:5000/x:y",
       "localhost:5000/x:y"},
      {"localhost:5000/a/b:tag@sha256:" + kHex, "localhost:5000", "a/b", "tag", "sha256:" + kHex,
       "localhost:5000/a/b:tag@sha256:" + kHex, "localhost:5000/a/b:tag@sha256:" + kHex},
      {"busybox@sha256:" + kHex, "docker.io", "library/busybox", "", "sha256:" + kHex,
       "busybox@sha256:" + kHex, "docker.io/library/busybox@sha256:" + kHex},
      {"quay.io/coreos/etcd:v3.5.0", "quay.io", "coreos/etcd", "v3.5.0", "",
       "quay.io/coreos/etcd:v3.5.0", "quay.io/coreos/etcd:v3.5.0"},
      {"my-registry.example.com:443/a.b/c_d/e__f/g---h:T_a-g.1", "my-registry.example.com:443",
       "a.b/c_d/e__f/g---h", "T_a-g.1", "",
       "my-registry.example.com:443/a.b/c_d/e__f/g---h:T_a-g.1",
       "my-registry.example.com:443/a.b/c_d/e__f/g---h:T_a-g.1"},
      {"[::1]:5000/x", "[::1]:5000", "x", "", "", "[::1]:5000/x", "[::1]:5000/x"},
      {"127.0.0.1:5000/x", "127.0.0.1:5000", "x", "", "", "127.0.0.1:5000/x", "127.0.0.1:5000/x"},
      {"127.0.0.1:5000/x@sha256:" + kHex, "127.0.0.1:5000", "x", "", "sha256:" + kHex,
       "127.0.0.1:5000/x@sha256:" + kHex, "127.0.0.1:5000/x@sha256:" + kHex},
      // An upper-case first component is a domain (as current Docker).
      {"FOO/bar", "FOO", "bar", "", "", "FOO/bar", "FOO/bar"},
      // A first component that is neither default nor a valid domain is a path.
      {"a_b.c/d", "", "a_b.c/d", "", "", "a_b.c/d", "a_b.c/d"},
      {"busybox:" + std::string(128, 'a'), "docker.io", "library/busybox", std::string(128, 'a'),
       "", "busybox:" + std::string(128, 'a'),
       "docker.io/library/busybox:" + std::string(128, 'a')},
  };
  for (const auto& c : cases) {
    auto r = ParseNormalized(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.error().message();
    EXPECT_EQ(r->domain, c.domain) << c.in;
    EXPECT_EQ(r->path, c.path) << c.in;
    EXPECT_EQ(r->tag, c.tag) << c.in;
    EXPECT_EQ(r->digest.str(), c.digest) << c.in;
    EXPECT_EQ(r->Familiar(), c.familiar) << c.in;
    EXPECT_EQ(r->Full(), c.full) << c.in;
  }
}

TEST(Reference, ParseNormalizedErrors) {
  struct Bad {
    std::string in, err;
  };
  const Bad cases[] = {
      {"", "invalid reference format"},
      {"Busybox", "invalid reference format: repository name (library/Busybox) must be lowercase"},
      {"localhost:5000/Foo", "invalid reference format: repository name (Foo) must be lowercase"},
      {"alice/App:1", "invalid reference format: repository name (alice/App) must be lowercase"},
      {"busybox:", "invalid reference format"},
      {":tag", "invalid reference format"},
      {"bus ybox", "invalid reference format"},
      {"foo//bar", "invalid reference format"},
      {"foo/", "invalid reference format"},
      {"-foo", "invalid reference format"},
      {"foo-", "invalid reference format"},
      {"a...b", "invalid reference format"},
      {"a___b", "invalid reference format"},
      {"a._b", "invalid reference format"},
      {"busybox:-tag", "invalid reference format"},
      {"busybox:.tag", "invalid reference format"},
      {"busybox:" + std::string(129, 'a'), "invalid reference format"},
      {"busybox:a:b", "invalid reference format"},
      {"busybox@sha256:abc", "invalid reference format"},
      {"busybox@", "invalid reference format"},
      {"busybox@sha256:" + kHex + "@x", "invalid reference format"},
      {"localhost:abc/x", "invalid reference format"},
      {"-host.com/x", "invalid reference format"},
      {"host-.com/x", "invalid reference format"},
      {"busybox@sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
       "invalid checksum digest format"},
      {"busybox@sha256:" + kHex.substr(0, 40), "invalid checksum digest length"},
      {"busybox@md5:0123456789abcdef0123456789abcdef", "unsupported digest algorithm"},
      {kHex, "invalid repository name (" + kHex + "), cannot specify 64-byte hexadecimal strings"},
      {std::string(300, 'a'), "repository name must not be more than 255 characters"},
  };
  for (const auto& c : cases) {
    auto r = ParseNormalized(c.in);
    ASSERT_FALSE(r.ok()) << c.in << " parsed as " << r->Full();
    EXPECT_EQ(r.error().message(), c.err) << c.in;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  }
}

TEST(Reference, NameLengthLimitCountsThePath) {
  // As the current docker CLI: "library/" is 8 characters, 247 more make 255.
  EXPECT_TRUE(ParseNormalized(std::string(247, 'a')).ok());
  EXPECT_FALSE(ParseNormalized(std::string(248, 'a')).ok());
  EXPECT_TRUE(ParseNormalized("localhost:5000/" + std::string(255, 'a')).ok());
}

TEST(Reference, ParseWithoutNormalisation) {
  auto r = Parse("foo/bar");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->domain, "foo");
  EXPECT_EQ(r->path, "bar");
  r = Parse("busybox:1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->domain, "");
  EXPECT_EQ(r->path, "busybox");
  EXPECT_EQ(r->Full(), "busybox:1");
  EXPECT_EQ(Parse("").error().message(), "repository name must have at least one component");
  EXPECT_EQ(Parse("Foo").error().message(), "repository name must be lowercase");
  EXPECT_EQ(Parse("Fo o").error().message(), "invalid reference format");
}

TEST(Reference, WithDefaultTag) {
  EXPECT_EQ(ParseNormalized("busybox")->WithDefaultTag().Full(),
            "docker.io/library/busybox:latest");
  EXPECT_EQ(ParseNormalized("busybox:1")->WithDefaultTag().Familiar(), "busybox:1");
  auto d = ParseNormalized("busybox@sha256:" + kHex)->WithDefaultTag();
  EXPECT_EQ(d.tag, "");
  EXPECT_EQ(d.FamiliarName(), "busybox");
  EXPECT_EQ(d.Name(), "docker.io/library/busybox");
}

TEST(Reference, ParseAnyTellsIdsFromNames) {
  auto a = ParseAny(kHex);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->is_id);
  EXPECT_EQ(a->id.hex(), kHex);
  a = ParseAny("sha256:" + kHex);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->is_id);
  a = ParseAny("busybox");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->is_id);
  EXPECT_EQ(a->named.Full(), "docker.io/library/busybox");
  // A short hex prefix is a name, as in Docker.
  a = ParseAny("ba7816bf8f01");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->is_id);
  // "sha256:abc" is not a digest, so it is the repository sha256 with tag abc.
  a = ParseAny("sha256:abc");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->named.Familiar(), "sha256:abc");
  EXPECT_FALSE(ParseAny("Busybox").ok());
}

TEST(Reference, Validators) {
  EXPECT_TRUE(ValidTag("v1.2-rc_3"));
  EXPECT_TRUE(ValidTag("_x"));
  EXPECT_FALSE(ValidTag(""));
  EXPECT_FALSE(ValidTag("a/b"));
  EXPECT_TRUE(ValidTag("latest"));
  EXPECT_FALSE(ValidTag(".x"));
  EXPECT_FALSE(ValidTag("-x"));
  EXPECT_TRUE(ValidTag(std::string(128, 'a')));
  EXPECT_FALSE(ValidTag(std::string(129, 'a')));
  EXPECT_TRUE(ValidPathComponent("c-d__e.f"));
  EXPECT_TRUE(ValidPathComponent("a---b"));
  EXPECT_FALSE(ValidPathComponent(""));
  EXPECT_FALSE(ValidPathComponent("Alice"));
  EXPECT_FALSE(ValidPathComponent("_manifests"));
  EXPECT_FALSE(ValidPathComponent("a___b"));
  EXPECT_FALSE(ValidPathComponent("a."));
  EXPECT_FALSE(ValidPathComponent(".."));
  EXPECT_TRUE(ValidDomain("localhost:5000"));
  EXPECT_TRUE(ValidDomain("[fe80::1]"));
  EXPECT_FALSE(ValidDomain("[]"));
  EXPECT_FALSE(ValidDomain("host:"));
  EXPECT_FALSE(ValidDomain("a..b"));
}

}  // namespace
}  // namespace berth::ref
