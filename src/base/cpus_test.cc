#include "base/cpus.h"

#include <gtest/gtest.h>

namespace fourdollar {
namespace {

TEST(DescribeCpus, DescribesRangesAndSingles) {
  EXPECT_EQ(DescribeCpus({0, 2, 5, 6, 7}), "0,2,5-7");
  EXPECT_EQ(DescribeCpus({3}), "3");
}

}  // namespace
}  // namespace fourdollar
