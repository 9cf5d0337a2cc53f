#include "build/dockerignore.h"

#include <gtest/gtest.h>

namespace berth::build {
namespace {

struct Case {
  const char* patterns;
  const char* path;
  bool excluded;
};

TEST(DockerIgnore, Rules) {
  const Case cases[] = {
      {"*.log", "a.log", true},
      {"*.log", "dir/a.log", false},  // * does not cross /
      {"**/*.log", "dir/a.log", true},
      {"**/*.log", "a.log", true},
      {"**/*.log", "x/y/z/a.log", true},
      {"dir", "dir/file", true},  // a directory excludes what is below it
      {"dir/", "dir/sub/file", true},
      {"/dir", "dir/file", true},
      {"/dir", "other/dir/file", false},
      {"dir/**", "dir/a/b", true},
      {"dir/**", "dirx/a", false},
      {"a?c", "abc", true},
      {"a?c", "a/c", false},
      {"*.md\n!README.md", "README.md", false},
      {"*.md\n!README.md", "CHANGES.md", true},
      {"!README.md\n*.md", "README.md", true},  // the last match decides
      {"dir\n!dir/keep", "dir/keep", false},
      {"dir\n!dir/keep", "dir/drop", true},
      {"# comment\n\n  a.txt  ", "a.txt", true},
      {"#a.txt", "#a.txt", false},
      {"a/../b", "b", true},
      {"./c", "c", true},
      {"a.txt", "aXtxt", false},  // "." is literal
      {"[ab].txt", "b.txt", true},
      {"\\*", "*", true},
      {"\\*", "x", false},
      {"**", "anything/at/all", true},
  };
  for (const Case& c : cases) {
    auto m = IgnoreMatcher::Parse(c.patterns);
    ASSERT_TRUE(m.ok()) << c.patterns;
    EXPECT_EQ(m->Excluded(c.path), c.excluded) << "patterns {" << c.patterns << "} path " << c.path;
  }
}

TEST(DockerIgnore, Errors) {
  EXPECT_FALSE(IgnoreMatcher::Parse("!").ok());
  EXPECT_FALSE(IgnoreMatcher::Parse("[").ok());
  auto m = IgnoreMatcher::Parse("a\n!b");
  EXPECT_TRUE(m->HasExceptions());
}

}  // namespace
}  // namespace berth::build
