#include "load/schedule.h"

#include <gtest/gtest.h>

#include <vector>

namespace fourdollar::load {
namespace {

scenario::Execution Ramp() {
  scenario::Execution e;
  e.model = scenario::Execution::Model::kRampingVus;
  e.stages = {{30000, 50}, {30000, 50}, {30000, 0}};
  return e;
}

TEST(Schedule, RampsVusLinearly) {
  scenario::Execution e = Ramp();
  EXPECT_DOUBLE_EQ(TargetAt(e, 0), 0);
  EXPECT_DOUBLE_EQ(TargetAt(e, 15000), 25);
  EXPECT_DOUBLE_EQ(TargetAt(e, 45000), 50);
  EXPECT_DOUBLE_EQ(TargetAt(e, 75000), 25);
  EXPECT_DOUBLE_EQ(TargetAt(e, 90000), 0);
  EXPECT_EQ(e.TotalDurationMs(), 90000);
}

// The seed's ramp: one more VU every 600 ms up to 50, held, one fewer every 600 ms; walking
// from one change to the next meets every whole number once, each at its own moment.
TEST(Schedule, EachVuOfARampStartsAtItsOwnMoment) {
  scenario::Execution e = Ramp();
  EXPECT_EQ(VusAt(e, 0).vus, 0);
  EXPECT_EQ(VusAt(e, 0).next_us, 600'000);
  EXPECT_EQ(VusAt(e, 599'999).vus, 0);
  EXPECT_EQ(VusAt(e, 600'000).vus, 1);
  EXPECT_EQ(VusAt(e, 600'000).next_us, 1'200'000);
  std::vector<int64_t> seen;
  int64_t t = 0;
  int steps = 0;
  for (VuStep step = VusAt(e, t); step.next_us >= 0 && steps < 1000; step = VusAt(e, t)) {
    if (seen.empty() || seen.back() != step.vus) seen.push_back(step.vus);
    EXPECT_GT(step.next_us, t);
    t = step.next_us;
    ++steps;
  }
  EXPECT_EQ(t, 90'000'000);
  std::vector<int64_t> expected;
  for (int v = 0; v <= 50; ++v) expected.push_back(v);
  for (int v = 49; v >= 0; --v) expected.push_back(v);
  EXPECT_EQ(seen, expected);
  // Down: 49 once the target falls below 50, 600 ms into the last stage.
  EXPECT_EQ(VusAt(e, 60'000'000).vus, 50);
  EXPECT_EQ(VusAt(e, 60'000'000).next_us, 60'000'001);
  EXPECT_EQ(VusAt(e, 60'000'001).vus, 49);
  EXPECT_EQ(VusAt(e, 60'000'001).next_us, 60'600'001);
  EXPECT_EQ(VusAt(e, 90'000'000).next_us, -1);
}

// A ramp faster than a VU per microsecond moves by more than one between two steps; a held
// stage says only when it ends.
TEST(Schedule, AFastRampStepsEveryMicrosecondAndAFlatStageAtItsEnd) {
  scenario::Execution e;
  e.model = scenario::Execution::Model::kRampingVus;
  e.stages = {{1, 5000}, {1000, 5000}};
  EXPECT_EQ(VusAt(e, 10).vus, 50);
  EXPECT_EQ(VusAt(e, 10).next_us, 11);
  EXPECT_EQ(VusAt(e, 1000).vus, 5000);
  EXPECT_EQ(VusAt(e, 1000).next_us, 1'001'000);
  scenario::Execution held;
  held.model = scenario::Execution::Model::kConstantVus;
  held.vus = 7;
  held.duration_ms = 2000;
  EXPECT_EQ(VusAt(held, 5).vus, 7);
  EXPECT_EQ(VusAt(held, 5).next_us, 2'000'000);
}

TEST(Schedule, WeightsSplitVusExactly) {
  ScenarioPicker picker({10, 90});
  int writers = 0;
  for (int vu = 0; vu < 50; ++vu) writers += picker.For(vu) == 0 ? 1 : 0;
  EXPECT_EQ(writers, 5);
}

TEST(Schedule, EveryPrefixStaysNearItsShare) {
  ScenarioPicker picker({1, 2, 7});
  int counts[3] = {0, 0, 0};
  for (int n = 0; n < 1000; ++n) {
    ++counts[picker.For(n)];
    for (int s = 0; s < 3; ++s) {
      double share = (s == 0 ? 0.1 : s == 1 ? 0.2 : 0.7) * (n + 1);
      EXPECT_LE(std::abs(counts[s] - share), 1.0) << "n=" << n << " s=" << s;
    }
  }
}

TEST(Schedule, SegmentsPartitionVus) {
  for (int64_t total : {0, 1, 2, 7, 50, 51}) {
    int64_t sum = 0;
    for (int i = 1; i <= 3; ++i) sum += VusInSegment(total, {i, 3});
    EXPECT_EQ(sum, total);
  }
  EXPECT_EQ(GlobalVu(0, {2, 3}), 1);
  EXPECT_EQ(GlobalVu(1, {2, 3}), 4);
}

TEST(Schedule, ConstantRateArrivalsAreEvenlySpaced) {
  scenario::Execution e;
  e.model = scenario::Execution::Model::kConstantRate;
  e.rate = 200;
  e.duration_ms = 10000;
  EXPECT_EQ(ArrivalTimeUs(e, 0), 0);
  EXPECT_EQ(ArrivalTimeUs(e, 1), 5000);
  EXPECT_EQ(ArrivalTimeUs(e, 1999), 9995000);
  EXPECT_EQ(ArrivalTimeUs(e, 2000), -1);
}

TEST(Schedule, RampingRateArrivalsFollowTheIntegral) {
  scenario::Execution e;
  e.model = scenario::Execution::Model::kRampingRate;
  e.start_rate = 0;
  e.stages = {{10000, 100}};  // 0 -> 100/s over 10 s: 500 arrivals, N(t) = 5 t^2
  EXPECT_EQ(ArrivalTimeUs(e, 500), -1);
  int64_t t = ArrivalTimeUs(e, 125);  // 5 t^2 = 125 -> t = 5 s
  EXPECT_NEAR(static_cast<double>(t), 5e6, 1);
}

}  // namespace
}  // namespace fourdollar::load
