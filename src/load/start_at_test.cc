#include "load/start_at.h"

#include <gtest/gtest.h>

#include "base/clock.h"

namespace fourdollar::load {
namespace {

constexpr int64_t kThanksgiving = 1'764'187'200;  // 2025-11-26T20:00:00Z
constexpr int64_t kSecondUs = 1'000'000;

// The message of a refused text, which must quote the text as given.
std::string Refusal(std::string_view text) {
  Result<int64_t> parsed = ParseStartAt(text);
  if (parsed) return "accepted as " + std::to_string(*parsed);
  EXPECT_NE(parsed.error().message.find("--start-at \"" + std::string(text) + "\""),
            std::string::npos)
      << parsed.error().message;
  return parsed.error().message;
}

TEST(StartAt, ParsesRfc3339InUtc) {
  EXPECT_EQ(ParseStartAt("2025-11-26T20:00:00Z"), kThanksgiving * kSecondUs);
  EXPECT_EQ(ParseStartAt("2025-11-26t20:00:00z"), kThanksgiving * kSecondUs);
}

TEST(StartAt, ParsesTheSpaceThatDateRfc3339Writes) {
  EXPECT_EQ(ParseStartAt("2025-11-26 20:00:00+00:00"), kThanksgiving * kSecondUs);
}

TEST(StartAt, AppliesNumericOffsets) {
  EXPECT_EQ(ParseStartAt("2025-11-26T21:30:00+01:30"), kThanksgiving * kSecondUs);
  EXPECT_EQ(ParseStartAt("2025-11-26T15:00:00-05:00"), kThanksgiving * kSecondUs);
  EXPECT_EQ(ParseStartAt("2025-11-27T03:00:00+07:00"), kThanksgiving * kSecondUs);
}

TEST(StartAt, KeepsFractionsToTheMicrosecond) {
  EXPECT_EQ(ParseStartAt("2025-11-26T20:00:00.25Z"), kThanksgiving * kSecondUs + 250'000);
  EXPECT_EQ(ParseStartAt("2025-11-26T20:00:00.123456789Z"), kThanksgiving * kSecondUs + 123'456);
}

TEST(StartAt, ParsesUnixSecondsAfterAt) {
  EXPECT_EQ(ParseStartAt("@1764187200"), kThanksgiving * kSecondUs);
  EXPECT_EQ(ParseStartAt("@1764187200.5"), kThanksgiving * kSecondUs + 500'000);
}

TEST(StartAt, HandlesLeapDays) {
  EXPECT_EQ(ParseStartAt("2028-02-29T00:00:00Z"), int64_t{1'835'395'200} * kSecondUs);
  EXPECT_NE(Refusal("2027-02-29T00:00:00Z").find("2027-02-29 is not a date"), std::string::npos);
}

TEST(StartAt, RefusesEmptyText) { EXPECT_NE(Refusal("").find("empty"), std::string::npos); }

TEST(StartAt, RefusesAPlainNumberAndSuggestsTheAtForm) {
  EXPECT_NE(Refusal("1764187200").find("write unix seconds as @1764187200"), std::string::npos);
  EXPECT_NE(Refusal("30").find("a delay"), std::string::npos);
}

TEST(StartAt, RefusesATimeWithoutZone) {
  EXPECT_NE(Refusal("2025-11-26T20:00:00").find("no time zone"), std::string::npos);
  EXPECT_NE(Refusal("2025-11-26T20:00:00.5").find("no time zone"), std::string::npos);
}

TEST(StartAt, RefusesADateWithoutTime) {
  EXPECT_NE(Refusal("2025-11-26").find("expected T and the time"), std::string::npos);
}

TEST(StartAt, RefusesATimeWithoutSeconds) {
  EXPECT_NE(Refusal("2025-11-26T20:00Z").find("HH:MM:SS"), std::string::npos);
}

TEST(StartAt, RefusesMalformedDates) {
  EXPECT_NE(Refusal("26.11.2025 20:00").find("YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(Refusal("2025-1-26T20:00:00Z").find("YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(Refusal("tomorrow").find("YYYY-MM-DD"), std::string::npos);
}

TEST(StartAt, RefusesImpossibleDatesAndTimes) {
  EXPECT_NE(Refusal("2025-13-01T20:00:00Z").find("not a date"), std::string::npos);
  EXPECT_NE(Refusal("2025-11-31T20:00:00Z").find("2025-11-31 is not a date"), std::string::npos);
  EXPECT_NE(Refusal("2025-11-26T24:00:00Z").find("24:00:00 is not a time of day"),
            std::string::npos);
  EXPECT_NE(Refusal("2025-11-26T20:60:00Z").find("not a time of day"), std::string::npos);
}

TEST(StartAt, RefusesLeapSeconds) {
  EXPECT_NE(Refusal("2025-12-31T23:59:60Z").find("leap second"), std::string::npos);
}

TEST(StartAt, RefusesBadFractions) {
  EXPECT_NE(Refusal("2025-11-26T20:00:00.Z").find("digits after the decimal point"),
            std::string::npos);
  EXPECT_NE(Refusal("2025-11-26T20:00:00.1234567891Z").find("more than 9 digits"),
            std::string::npos);
  EXPECT_NE(Refusal("@1764187200.").find("digits after the decimal point"), std::string::npos);
}

TEST(StartAt, RefusesBadOffsets) {
  EXPECT_NE(Refusal("2025-11-26T20:00:00+0100").find("+HH:MM"), std::string::npos);
  EXPECT_NE(Refusal("2025-11-26T20:00:00+24:00").find("+HH:MM"), std::string::npos);
  EXPECT_NE(Refusal("2025-11-26T20:00:00 UTC").find("expected Z or an offset"), std::string::npos);
}

TEST(StartAt, RefusesTrailingText) {
  EXPECT_NE(Refusal("2025-11-26T20:00:00Z now").find("after the time zone"), std::string::npos);
  EXPECT_NE(Refusal("@1764187200s").find("after the unix seconds"), std::string::npos);
}

TEST(StartAt, RefusesMalformedUnixSeconds) {
  EXPECT_NE(Refusal("@").find("expected whole unix seconds"), std::string::npos);
  EXPECT_NE(Refusal("@-5").find("expected whole unix seconds"), std::string::npos);
  EXPECT_NE(Refusal("@99999999999999999999999").find("year 9999"), std::string::npos);
}

TEST(StartAt, AcceptsATimeAheadWithinADay) {
  const int64_t now = kThanksgiving * kSecondUs;
  EXPECT_TRUE(CheckStartAt("x", now + 2 * kSecondUs, now));
  EXPECT_TRUE(CheckStartAt("x", now + kStartAtMaxAheadUs, now));
}

TEST(StartAt, AcceptsATimeJustPastWithinTheTolerance) {
  const int64_t now = kThanksgiving * kSecondUs;
  EXPECT_TRUE(CheckStartAt("x", now - kStartAtLateToleranceUs, now));
}

TEST(StartAt, RefusesAPastTimeNamingItAndHowLate) {
  const int64_t now = kThanksgiving * kSecondUs;
  Status status = CheckStartAt("@1764187187.5", now - 12'500'000, now);
  ASSERT_FALSE(status);
  const std::string& message = status.error().message;
  EXPECT_NE(message.find("--start-at \"@1764187187.5\""), std::string::npos) << message;
  EXPECT_NE(message.find("2025-11-26T19:59:47.5Z is 12.5 s in the past"), std::string::npos)
      << message;
  EXPECT_NE(message.find("2025-11-26T20:00:00Z"), std::string::npos) << message;
}

TEST(StartAt, RefusesATimeMoreThanADayAhead) {
  const int64_t now = kThanksgiving * kSecondUs;
  Status status = CheckStartAt("2025-11-29T20:00:00Z", now + 3 * 86400 * kSecondUs, now);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("3.0 days ahead, more than 24 h"), std::string::npos)
      << status.error().message;
}

TEST(StartAt, FormatsUtcWithTheFractionOnlyWhenThereIsOne) {
  EXPECT_EQ(FormatUtc(kThanksgiving * kSecondUs), "2025-11-26T20:00:00Z");
  EXPECT_EQ(FormatUtc(kThanksgiving * kSecondUs + 250'000), "2025-11-26T20:00:00.25Z");
  EXPECT_EQ(FormatUtc(kThanksgiving * kSecondUs + 1), "2025-11-26T20:00:00.000001Z");
}

TEST(StartAt, FormatsDelaysInTheUnitThatReadsBest) {
  EXPECT_EQ(FormatDelay(850'000), "850 ms");
  EXPECT_EQ(FormatDelay(12'300'000), "12.3 s");
  EXPECT_EQ(FormatDelay(245 * kSecondUs), "4 min 05 s");
  EXPECT_EQ(FormatDelay((2 * 3600 + 3 * 60) * kSecondUs), "2 h 03 min");
}

TEST(StartAt, StartSoonIsOnAWholeMillisecondAndTheSameInstantOnBothClocks) {
  const RunStart start = StartSoon(50'000'000);
  const int64_t wall_left_us = start.unix_us - WallNowUs();
  const int64_t mono_left_us = (start.mono_ns - MonotonicNowNs()) / 1000;
  EXPECT_EQ(start.unix_us % 1000, 0);
  EXPECT_GT(wall_left_us, 0);
  EXPECT_LE(wall_left_us, 51'000);
  EXPECT_NEAR(static_cast<double>(wall_left_us), static_cast<double>(mono_left_us), 1000);
}

}  // namespace
}  // namespace fourdollar::load
