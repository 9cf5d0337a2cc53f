#include "cli/flags.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

struct F {
  bool all = false, quiet = false;
  std::string format;
  std::vector<std::string> filters;
  int64_t n = 0;
  FlagSet set;
  F() {
    set.Bool(&all, "all", 'a', false, "Show all");
    set.Bool(&quiet, "quiet", 'q', false, "Only IDs");
    set.String(&format, "format", 'f', "", "Pretty-print using a Go template");
    set.List(&filters, "filter", 0, "Filter output", "filter");
    set.Int(&n, "last", 'n', -1, "Show n last");
  }
};

TEST(Flags, Combined) {
  F f;
  auto r = f.set.Parse({"-aq", "x", "--format={{.ID}}", "y"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(f.all);
  EXPECT_TRUE(f.quiet);
  EXPECT_EQ(f.format, "{{.ID}}");
  EXPECT_EQ(*r, (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(f.set.Changed("all"));
}

TEST(Flags, ValueForms) {
  F f;
  auto r = f.set.Parse({"--format", "a", "-f", "b", "-fc", "-n=3", "--filter", "k=v", "--filter=x=y"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(f.format, "c");
  EXPECT_EQ(f.n, 3);
  EXPECT_EQ(f.filters, (std::vector<std::string>{"k=v", "x=y"}));
  F g;
  ASSERT_TRUE(g.set.Parse({"-aqf", "t"}).ok());
  EXPECT_EQ(g.format, "t");
  EXPECT_TRUE(g.quiet);
}

TEST(Flags, BoolValues) {
  F f;
  ASSERT_TRUE(f.set.Parse({"--all=false", "-q=true"}).ok());
  EXPECT_FALSE(f.all);
  EXPECT_TRUE(f.quiet);
  F g;
  auto r = g.set.Parse({"--all=maybe"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "invalid argument \"maybe\" for \"-a, --all\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax");
}

TEST(Flags, Terminator) {
  F f;
  auto r = f.set.Parse({"-a", "--", "-q", "--format", "-"});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(f.quiet);
  EXPECT_EQ(*r, (std::vector<std::string>{"-q", "--format", "-"}));
  F g;
  auto s = g.set.Parse({"-", "-a"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (std::vector<std::string>{"-"}));
}

TEST(Flags, NotInterspersed) {
  F f;
  auto r = f.set.Parse({"-a", "images", "-q"}, false);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(f.all);
  EXPECT_FALSE(f.quiet);
  EXPECT_EQ(*r, (std::vector<std::string>{"images", "-q"}));
}

TEST(Flags, Errors) {
  auto err = [](std::vector<std::string> args) {
    F f;
    auto r = f.set.Parse(args);
    return r.ok() ? std::string("ok") : r.error().message();
  };
  EXPECT_EQ(err({"--nope"}), "unknown flag: --nope");
  EXPECT_EQ(err({"-ax"}), "unknown shorthand flag: 'x' in -ax");
  EXPECT_EQ(err({"--format"}), "flag needs an argument: --format");
  EXPECT_EQ(err({"-f"}), "flag needs an argument: 'f' in -f");
  EXPECT_EQ(err({"-n", "abc"}),
            "invalid argument \"abc\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax");
  EXPECT_EQ(err({"---x"}), "bad flag syntax: ---x");
}

TEST(Flags, Usages) {
  F f;
  EXPECT_EQ(f.set.Usages(),
            "  -a, --all             Show all\n"
            "      --filter filter   Filter output\n"
            "  -f, --format string   Pretty-print using a Go template\n"
            "  -n, --last int        Show n last (default -1)\n"
            "  -q, --quiet           Only IDs\n");
}

}  // namespace
}  // namespace berth::cli
