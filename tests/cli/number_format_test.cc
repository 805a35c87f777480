// Behaviour matched: ipvsadm 1.31 ipvsadm.c, print_largenum().
#include "cli/number_format.h"

#include <gtest/gtest.h>

#include <limits>

namespace vsd::cli {
namespace {

TEST(LargeNumber, BelowOneHundredMillionIsNineWide) {
  EXPECT_EQ(format_large_number(0, false), "        0");
  EXPECT_EQ(format_large_number(12, false), "       12");
  EXPECT_EQ(format_large_number(99999999, false), " 99999999");
}

TEST(LargeNumber, ScalesByThousandsWithASuffix) {
  EXPECT_EQ(format_large_number(100000000, false), "  100000K");
  EXPECT_EQ(format_large_number(999999999, false), "  999999K");
  EXPECT_EQ(format_large_number(1000000000, false), "    1000M");
  EXPECT_EQ(format_large_number(99999999999ULL, false), "   99999M");
  EXPECT_EQ(format_large_number(100000000000ULL, false), "     100G");
  EXPECT_EQ(format_large_number(1000000000000ULL, false), "    1000G");
  EXPECT_EQ(format_large_number(99999999999999ULL, false), "   99999G");
  EXPECT_EQ(format_large_number(100000000000000ULL, false), "     100T");
}

TEST(LargeNumber, TheLargestCounterFillsAllNineColumns) {
  EXPECT_EQ(format_large_number(std::numeric_limits<uint64_t>::max(), false), "18446744T");
}

TEST(LargeNumber, ExactKeepsEveryDigitWithALeadingSpace) {
  EXPECT_EQ(format_large_number(7, true), "        7");
  EXPECT_EQ(format_large_number(99999999, true), " 99999999");
  EXPECT_EQ(format_large_number(100000000, true), " 100000000");
  EXPECT_EQ(format_large_number(1000000000000ULL, true), " 1000000000000");
  EXPECT_EQ(format_large_number(std::numeric_limits<uint64_t>::max(), true),
            " 18446744073709551615");
}

}  // namespace
}  // namespace vsd::cli
