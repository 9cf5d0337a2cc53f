#include "base/units.h"

#include <gtest/gtest.h>

namespace berth::units {
namespace {

TEST(Units, HumanSize) {
  EXPECT_EQ(HumanSizeWithPrecision(0, 3), "0B");
  EXPECT_EQ(HumanSizeWithPrecision(999, 3), "999B");
  EXPECT_EQ(HumanSizeWithPrecision(1000, 3), "1kB");
  EXPECT_EQ(HumanSizeWithPrecision(4260, 3), "4.26kB");
  EXPECT_EQ(HumanSizeWithPrecision(1240000, 3), "1.24MB");
  EXPECT_EQ(HumanSizeWithPrecision(1236543, 3), "1.24MB");
  EXPECT_EQ(HumanSizeWithPrecision(123456789, 3), "123MB");
  EXPECT_EQ(HumanSizeWithPrecision(999999, 3), "1e+03kB");  // go-units does this too
  EXPECT_EQ(HumanSizeWithPrecision(5.5e9, 3), "5.5GB");
  EXPECT_EQ(HumanSize(1234567), "1.235MB");
  EXPECT_EQ(HumanSize(1200000), "1.2MB");
  EXPECT_EQ(HumanSize(2153000), "2.153MB");
  EXPECT_EQ(BytesSize(8343859200.0), "7.771GiB");
  EXPECT_EQ(BytesSize(1024), "1KiB");
}

TEST(Units, ProgressBar) {
  EXPECT_EQ(ProgressBar(0, 0), "");
  EXPECT_EQ(ProgressBar(1000000, 2000000),
            "[=========================>                         ]      1MB/2MB");
  EXPECT_EQ(ProgressBar(2153000, 2153000),
            "[==================================================>]  2.153MB/2.153MB");
  EXPECT_EQ(ProgressBar(1234, 0), " 1.234kB");
  // Narrow terminals get the sizes only, as docker.
  EXPECT_EQ(ProgressBar(1000000, 2000000, 80), "     1MB/2MB");
  // Past the total: a full bar and no numbers.
  EXPECT_EQ(ProgressBar(3, 2), "[==================================================>] ");
}

}  // namespace
}  // namespace berth::units
