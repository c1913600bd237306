#include "report/knee.h"

#include <gtest/gtest.h>

#include <cmath>

#include "report/report.h"
#include "report/report_test_support.h"

namespace fourdollar::report {
namespace {

using testing::SyntheticRun;
using testing::SyntheticSecond;

// Closed model: VUs ramp up; the rate follows them up to the capacity, then stays there while
// requests queue and latency climbs.
std::vector<SecondPoint> ClosedModelCurve(double capacity, double p95_ms) {
  std::vector<SecondPoint> points;
  for (int s = 0; s < 60; ++s) {
    const double offered = 40.0 * (s + 1);
    const double achieved = std::min(offered, capacity * (1 + 0.01 * std::sin(s)));
    const double queueing = offered > capacity ? p95_ms * (offered / capacity) * 3 : p95_ms;
    points.push_back({.second = s,
                      .requests = static_cast<uint64_t>(achieved),
                      .failed = 0,
                      .p95_ms = queueing * (1 + 0.05 * std::cos(s))});
  }
  return points;
}

// Open model: the rate keeps rising (by 2% of the capacity each second) up to 1.6 times the
// capacity; past the capacity latency grows without bound.
std::vector<SecondPoint> OpenModelCurve(double capacity, double p95_ms) {
  std::vector<SecondPoint> points;
  for (int s = 0; s < 80; ++s) {
    const double rate = capacity / 50 * (s + 1);
    const double utilisation = rate / capacity;
    const double p95 = utilisation < 1 ? p95_ms * (1 + 0.3 * utilisation * utilisation)
                                       : p95_ms * 10 * utilisation;
    points.push_back({.second = s, .requests = static_cast<uint64_t>(rate), .p95_ms = p95});
  }
  return points;
}

TEST(FindKnee, FindsTheCapacityOfAClosedModelRampWithin5Percent) {
  const Knee knee = FindKnee(ClosedModelCurve(1200, 5));
  ASSERT_TRUE(knee.found) << knee.reason;
  EXPECT_NEAR(knee.requests_per_second, 1200, 60);
  EXPECT_LE(knee.p95_ms, 2 * 5.0 * 1.05);
  EXPECT_GT(knee.beyond_p95_ms, 10);
}

TEST(FindKnee, ALongOverloadDoesNotRaiseTheLowLoadLevel) {
  // 30 seconds of ramp, then 270 at the capacity with latency climbing 20% a second.
  std::vector<SecondPoint> points;
  for (int s = 0; s < 300; ++s) {
    const bool ramp = s < 30;
    points.push_back({.second = s,
                      .requests = ramp ? 100 + 100 * static_cast<uint64_t>(s) : 3000,
                      .p95_ms = ramp ? 4.0 : 4.0 * (1 + 0.2 * (s - 29))});
  }
  const Knee knee = FindKnee(points);
  ASSERT_TRUE(knee.found) << knee.reason;
  EXPECT_EQ(knee.low_load_p95_ms, 4);
  EXPECT_EQ(knee.requests_per_second, 3000);
  EXPECT_LE(knee.p95_ms, 8);  // 8 ms is the limit itself: not above it
}

TEST(FindKnee, FindsTheCapacityOfAnOpenModelRampWithin5Percent) {
  for (double capacity : {400.0, 1000.0, 1500.0}) {
    const Knee knee = FindKnee(OpenModelCurve(capacity, 4));
    ASSERT_TRUE(knee.found) << capacity << ": " << knee.reason;
    EXPECT_NEAR(knee.requests_per_second, capacity, capacity * 0.05) << knee.reason;
  }
}

TEST(FindKnee, FailuresAboveOnePercentMarkTheKnee) {
  std::vector<SecondPoint> points;
  for (int s = 0; s < 40; ++s) {
    const uint64_t rate = 20 * static_cast<uint64_t>(s + 1);
    points.push_back(
        {.second = s, .requests = rate, .failed = rate > 500 ? rate / 20 : 0, .p95_ms = 3});
  }
  const Knee knee = FindKnee(points);
  ASSERT_TRUE(knee.found);
  EXPECT_EQ(knee.requests_per_second, 500);
  EXPECT_NE(knee.reason.find("failures"), std::string::npos) << knee.reason;
}

TEST(FindKnee, TwoSlowSecondsInARowAreNotAKnee) {
  std::vector<SecondPoint> points;
  for (int s = 0; s < 30; ++s) {
    const bool spike = s == 10 || s == 11 || s == 20 || s == 21;
    points.push_back({.second = s,
                      .requests = 100 + 10 * static_cast<uint64_t>(s),
                      .p95_ms = spike ? 50.0 : 4.0});
  }
  const Knee knee = FindKnee(points);
  EXPECT_FALSE(knee.found) << knee.reason;
  EXPECT_EQ(knee.requests_per_second, 390);  // the peak
  EXPECT_EQ(knee.p95_ms, 4);                 // the slow seconds are not the level
}

TEST(FindKnee, SubMillisecondJitterIsNotAKnee) {
  std::vector<SecondPoint> points;
  for (int s = 0; s < 30; ++s) {
    points.push_back({.second = s,
                      .requests = 1000 + 100 * static_cast<uint64_t>(s),
                      .p95_ms = s < 15 ? 0.2 : 0.9});
  }
  const Knee knee = FindKnee(points);
  EXPECT_FALSE(knee.found) << knee.reason;
  EXPECT_DOUBLE_EQ(knee.limit_p95_ms, 1.2);
}

TEST(FindKnee, SecondsWithFewRequestsAreNotJudged) {
  std::vector<SecondPoint> points = OpenModelCurve(1000, 4);
  // A stalled second in the middle of the overload does not break the streak.
  points[50].requests = 2;
  points[50].p95_ms = 1;
  points.push_back({.second = 80, .requests = 3, .p95_ms = 0.1});
  const Knee knee = FindKnee(points);
  ASSERT_TRUE(knee.found);
  EXPECT_NEAR(knee.requests_per_second, 1000, 50);
  EXPECT_EQ(FindKnee({{.second = 0, .requests = 5, .p95_ms = 1}}).found, false);
}

TEST(FindKnee, OverloadFromTheStartHasNoCapacity) {
  std::vector<SecondPoint> points;
  for (int s = 0; s < 30; ++s) {
    // The lowest third of rates are the last seconds (a ramp down), fast; the start is slow.
    points.push_back({.second = s,
                      .requests = 1000 - 30 * static_cast<uint64_t>(s),
                      .p95_ms = s < 10 ? 80.0 : 2.0});
  }
  const Knee knee = FindKnee(points);
  EXPECT_FALSE(knee.found);
  EXPECT_EQ(knee.knee_second, 0);
}

TEST(Summarize, StatesTheKneeFoundInHistogramsOfARun) {
  std::vector<SyntheticSecond> seconds;
  for (int s = 0; s < 40; ++s) {
    const uint64_t offered = 50 * static_cast<uint64_t>(s + 1);
    seconds.push_back(
        {.requests = std::min<uint64_t>(offered, 1200), .p95_ms = offered > 1200 ? 40.0 : 8.0});
  }
  const ReportSummary summary = Summarize(SyntheticRun(seconds));
  ASSERT_TRUE(summary.knee.found) << summary.knee.reason;
  EXPECT_NEAR(summary.knee.requests_per_second, 1200, 60);
  EXPECT_EQ(summary.peak_requests_per_second, 1200);
  EXPECT_EQ(summary.headline,
            "Capacity: about 1200 requests/s at p95 <= 8.1 ms; beyond it latency rises to "
            "40.5 ms.");
}

TEST(Summarize, SaysWhenNoKneeWasReached) {
  std::vector<SyntheticSecond> seconds;
  for (int s = 0; s < 10; ++s) seconds.push_back({.requests = 100 * (s + 1u), .p95_ms = 3});
  const ReportSummary summary = Summarize(SyntheticRun(seconds));
  EXPECT_FALSE(summary.knee.found);
  EXPECT_EQ(summary.headline,
            "No knee reached: up to about 1000 requests/s (the peak) p95 stayed <= 3.04 ms; "
            "the capacity is higher.");
}

// A real run (tests/browser/sample-results): `fourdollar load` ramping an open-model rate to
// 30000/s against `fourdollar serve` on a 2-CPU machine. Its per-second p95 (seconds.csv)
// stays at 5.6-7.9 ms up to 18670 requests/s (second 7), then 12.6, 14.5, 23.3, 27.3 ms;
// second 12 is the drain after the stop (no rate offered), which is not judged.
TEST(Summarize, FindsTheKneeOfARealRun) {
  Result<LoadedRun> run = LoadInputs({FOURDOLLAR_SAMPLE_RESULTS});
  ASSERT_TRUE(run) << run.error().message;
  const ReportSummary summary = Summarize(run->results);
  ASSERT_TRUE(summary.knee.found) << summary.knee.reason;
  EXPECT_EQ(summary.knee.requests_per_second, 18670);
  EXPECT_EQ(summary.knee.knee_second, 8);
  EXPECT_EQ(summary.headline,
            "Capacity: about 18700 requests/s at p95 <= 7.92 ms; beyond it latency rises to "
            "18.9 ms.");
}

}  // namespace
}  // namespace fourdollar::report
