#include "cli/tabwriter.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

TEST(TabWriter, DockerTable) {
  std::string in =
      "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n"
      "busybox\tlatest\tbeae173ccac6\t2 years ago\t1.24MB\n"
      "<none>\t<none>\t0123456789ab\tAbout an hour ago\t4.26kB\n";
  EXPECT_EQ(Table(in),
            "REPOSITORY   TAG       IMAGE ID       CREATED             SIZE\n"
            "busybox      latest    beae173ccac6   2 years ago         1.24MB\n"
            "<none>       <none>    0123456789ab   About an hour ago   4.26kB\n");
}

TEST(TabWriter, EmptyCellsAndTrailingTab) {
  EXPECT_EQ(Table("A\tB\t\nxx\t\t\n"), "A         B         \nxx                  \n");
}

TEST(TabWriter, ColumnBlocks) {
  // A line without tabs ends the block: the columns after it align anew.
  EXPECT_EQ(TabFormat("a\tb\nlonger-cell\tc\nplain\nx\ty\n", 1, 1),
            "a           b\nlonger-cell c\nplain\nx y\n");
}

TEST(TabWriter, Utf8Width) {
  EXPECT_EQ(TabFormat("h€\tx\nab\ty\n", 1, 1), "h€ x\nab y\n");
}

TEST(TabWriter, NoTrailingNewline) { EXPECT_EQ(TabFormat("a\tb", 1, 1), "a b"); }

}  // namespace
}  // namespace berth::cli
