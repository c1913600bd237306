#include "bench/byte_size.h"

#include <gtest/gtest.h>

namespace fourdollar::bench {
namespace {

TEST(ByteSize, ReadsBinaryUnits) {
  EXPECT_EQ(ParseByteSize("512M").value(), 512ull << 20);
  EXPECT_EQ(ParseByteSize("1G").value(), 1ull << 30);
  EXPECT_EQ(ParseByteSize("1.5GiB").value(), 3ull << 29);
  EXPECT_EQ(ParseByteSize("2mb").value(), 2ull << 20);
  EXPECT_EQ(ParseByteSize("2097152").value(), 2ull << 20);
}

TEST(ByteSize, RefusesUnknownUnitsAndTinySizes) {
  auto unknown = ParseByteSize("5X");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown unit"), std::string::npos);
  EXPECT_FALSE(ParseByteSize("100K"));
  EXPECT_FALSE(ParseByteSize("-1G"));
  EXPECT_FALSE(ParseByteSize("lots"));
}

}  // namespace
}  // namespace fourdollar::bench
