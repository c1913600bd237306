#include "report/timestamp.h"

#include <gtest/gtest.h>

namespace fourdollar::report {
namespace {

TEST(ParseTimestampMs, TellsTheUnitOfUnixTimeByItsSize) {
  EXPECT_EQ(ParseTimestampMs("1700000000"), 1'700'000'000'000);
  EXPECT_EQ(ParseTimestampMs("1700000000123"), 1'700'000'000'123);
  EXPECT_EQ(ParseTimestampMs("1700000000123456"), 1'700'000'000'123);
  EXPECT_EQ(ParseTimestampMs("1700000000123456789"), 1'700'000'000'123);
  EXPECT_EQ(ParseTimestampMs("1700000000.25"), 1'700'000'000'250);
}

TEST(ParseTimestampMs, ReadsRfc3339WithFractionsAndOffsets) {
  EXPECT_EQ(ParseTimestampMs("2023-11-14T22:13:20Z"), 1'700'000'000'000);
  EXPECT_EQ(ParseTimestampMs("2023-11-14T22:13:20.123456789Z"), 1'700'000'000'123);
  EXPECT_EQ(ParseTimestampMs("2023-11-14T23:13:20+01:00"), 1'700'000'000'000);
  EXPECT_EQ(ParseTimestampMs("2023-11-14T21:43:20-00:30"), 1'700'000'000'000);
  EXPECT_EQ(ParseTimestampMs("2023-11-14 22:13:20Z"), 1'700'000'000'000);
  EXPECT_EQ(ParseTimestampMs("2024-02-29T00:00:00Z"), 1'709'164'800'000);
}

TEST(ParseTimestampMs, RefusesWhatIsNotATimestamp) {
  for (const char* text : {"", "-5", "17e8", "1700000000x", "2023-11-14", "2023-11-14T22:13:20",
                           "2023-02-29T00:00:00Z", "2023-13-01T00:00:00Z", "2023-11-14T22:13:20.Z",
                           "99999999999999999999", "1700000000.", "yesterday"}) {
    EXPECT_EQ(ParseTimestampMs(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace fourdollar::report
