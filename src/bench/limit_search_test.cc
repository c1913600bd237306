#include "bench/limit_search.h"

#include <gtest/gtest.h>

namespace fourdollar::bench {
namespace {

struct Second {
  uint64_t requests;
  int64_t latency_us;
  uint64_t failed = 0;
  uint64_t dropped = 0;
};

// A recorded step as the load writes it: second 0 ramps up, seconds 1-4 are the steady part
// of a 5 s step, second 5 drains (a few late responses after the stop). Two requests per
// iteration.
results::Results Recorded(const std::vector<Second>& seconds, double server_cpu = 50,
                          double generator_cpu = 30) {
  results::Results results;
  results.run.duration_ms = static_cast<int64_t>(seconds.size()) * 1000;
  int64_t index = 0;
  for (const Second& s : seconds) {
    results::SecondRow row;
    row.second = row.data.second = index++;
    results::NameSecond& figures = row.data.names[0];
    figures.requests = s.requests;
    figures.failures[static_cast<size_t>(results::FailureKind::kTimeout)] = s.failed;
    if (s.requests > 0) figures.duration.Record(s.latency_us, s.requests);
    row.data.iterations = s.requests / 2;
    row.data.dropped_iterations = s.dropped;
    row.server_cpu_percent = server_cpu;
    row.generator_cpu_percent = generator_cpu;
    results.seconds.push_back(row);
  }
  results::ComputeTotals(results);
  return results;
}

// A step at `rate` iterations/s whose steady seconds have `latency_us`, with a slow ramp and
// a drain of late, slow responses around it.
results::Results Step(double rate, int64_t latency_us, uint64_t failed = 0, uint64_t dropped = 0) {
  const auto requests = static_cast<uint64_t>(rate * 2);
  const Second steady{requests, latency_us, failed, dropped};
  return Recorded({{requests / 2, 90'000}, steady, steady, steady, steady, {40, 900'000}});
}

TEST(LimitSearch, StepFiguresComeFromTheSteadySecondsOnly) {
  StepFigures step = JudgeStep(Step(1000, 2000), 1000, 2, LimitSettings{});
  EXPECT_TRUE(step.held) << step.reason;
  EXPECT_EQ(step.steady_seconds, 4);
  EXPECT_DOUBLE_EQ(step.achieved_rps, 2000);  // the ramp and the drain are left out
  EXPECT_DOUBLE_EQ(step.offered_rps, 2000);
  EXPECT_NEAR(step.p95_ms, 2.0, 0.01);  // not the drain's 900 ms
  EXPECT_NEAR(step.p99_ms, 2.0, 0.01);
  EXPECT_DOUBLE_EQ(step.server_cpu_percent, 50);
  EXPECT_DOUBLE_EQ(step.generator_cpu_percent, 30);
}

TEST(LimitSearch, StepBreaksOnP95AboveTheBound) {
  StepFigures step = JudgeStep(Step(1000, 250'000), 1000, 2, LimitSettings{});
  EXPECT_FALSE(step.held);
  EXPECT_EQ(step.reason, "p95 250.0 ms");
}

TEST(LimitSearch, StepBreaksOnFailuresAboveOnePercent) {
  StepFigures step = JudgeStep(Step(1000, 1000, 100), 1000, 2, LimitSettings{});
  EXPECT_FALSE(step.held);
  EXPECT_EQ(step.reason, "5.0% failures");
}

TEST(LimitSearch, StepBreaksOnDroppedIterations) {
  StepFigures step = JudgeStep(Step(1000, 1000, 0, 50), 1000, 2, LimitSettings{});
  EXPECT_FALSE(step.held);
  EXPECT_EQ(step.reason, "200 dropped iterations");
}

TEST(LimitSearch, StepBreaksWhenTooFewIterationsComplete) {
  StepFigures step = JudgeStep(Step(500, 1000), 1000, 2, LimitSettings{});
  EXPECT_FALSE(step.held);
  EXPECT_NE(step.reason.find("50% of the offered iterations"), std::string::npos) << step.reason;
}

TEST(LimitSearch, EstimateIsTheBusiestSecondOverRequestsPerIteration) {
  results::Results results;
  results.iterations = 100;
  results.overall.requests = 200;
  for (uint64_t requests : {100u, 900u, 400u}) {
    results::SecondRow row;
    row.data.names[0].requests = requests;
    results.seconds.push_back(row);
  }
  EXPECT_DOUBLE_EQ(EstimateIterationRate(results, 7), 450);
  EXPECT_DOUBLE_EQ(EstimateIterationRate(results::Results{}, 7), 7);
  EXPECT_DOUBLE_EQ(RequestsPerIteration(results), 2);
}

TEST(LimitSearch, RatesGrowGeometrically) {
  LimitSettings settings = LimitSettingsFor(true);
  EXPECT_DOUBLE_EQ(StepRate(1000, 0, settings), 300);
  EXPECT_DOUBLE_EQ(StepRate(1000, 2, settings), 1200);
}

StepFigures Held() { return StepFigures{.held = true}; }
StepFigures Broke() { return StepFigures{.held = false, .reason = "p95 200.0 ms"}; }

TEST(LimitSearch, RatesBisectBetweenHeldAndBrokeUntilWithinFivePercent) {
  LimitSettings settings;
  settings.first_fraction = 1;
  settings.growth = 2;
  StepRates rates(1000, settings);
  ASSERT_TRUE(rates.Advance(Held()));
  EXPECT_DOUBLE_EQ(rates.current(), 2000);
  ASSERT_TRUE(rates.Advance(Broke()));  // between 1000 (held) and 2000 (broke)
  EXPECT_TRUE(rates.bisecting());
  EXPECT_DOUBLE_EQ(rates.current(), 1500);
  ASSERT_TRUE(rates.Advance(Held()));  // 1500-2000
  EXPECT_DOUBLE_EQ(rates.current(), 1750);
  ASSERT_TRUE(rates.Advance(Broke()));  // 1500-1750
  EXPECT_DOUBLE_EQ(rates.current(), 1625);
  ASSERT_TRUE(rates.Advance(Broke()));  // 1500-1625
  EXPECT_DOUBLE_EQ(rates.current(), 1563);
  EXPECT_FALSE(rates.Advance(Held()));  // 1563-1625: within 5%
}

TEST(LimitSearch, RatesGoDownWhileNoStepHoldsThenBisect) {
  LimitSettings settings;
  settings.first_fraction = 1;
  StepRates rates(1000, settings);
  ASSERT_TRUE(rates.Advance(Broke()));
  EXPECT_DOUBLE_EQ(rates.current(), 500);
  ASSERT_TRUE(rates.Advance(Held()));  // 500 held, 1000 broke
  EXPECT_DOUBLE_EQ(rates.current(), 750);
}

TEST(LimitSearch, RatesGiveUpAfterThreeHalvings) {
  StepRates rates(8000, LimitSettings{});
  EXPECT_TRUE(rates.Advance(Broke()));
  EXPECT_TRUE(rates.Advance(Broke()));
  EXPECT_TRUE(rates.Advance(Broke()));
  EXPECT_FALSE(rates.Advance(Broke()));
}

TEST(LimitSearch, SaturatedGeneratorAtAHeldStepOrInterruptionEndsTheSweep) {
  StepRates rates(1000, LimitSettings{});
  StepFigures saturated = Held();
  saturated.generator_saturated = true;
  EXPECT_FALSE(rates.Advance(saturated));
  StepRates other(1000, LimitSettings{});
  EXPECT_FALSE(other.Advance(StepFigures{.interrupted = true}));
}

TEST(LimitSearch, ABreakWithTheGeneratorSaturatedIsStillRefinedBelowIt) {
  LimitSettings settings;
  settings.first_fraction = 1;
  settings.growth = 1.2;
  StepRates rates(1000, settings);
  ASSERT_TRUE(rates.Advance(Held()));  // 1000 held
  EXPECT_DOUBLE_EQ(rates.current(), 1200);
  StepFigures saturated = Broke();
  saturated.generator_saturated = true;
  ASSERT_TRUE(rates.Advance(saturated));  // 1200 broke, the generator saturated
  EXPECT_DOUBLE_EQ(rates.current(), 1100);
  ASSERT_TRUE(rates.Advance(saturated));  // 1100 broke too
  EXPECT_DOUBLE_EQ(rates.current(), 1050);
  EXPECT_FALSE(rates.Advance(Held()));  // 1050 held: within 5% of 1100
}

}  // namespace
}  // namespace fourdollar::bench
