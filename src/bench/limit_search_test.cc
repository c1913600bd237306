#include "bench/limit_search.h"

#include <gtest/gtest.h>

namespace fourdollar::bench {
namespace {

// A 5 s step at `rate` iterations/s of two requests each, all at `latency_us`.
results::Results Step(double rate, int64_t latency_us, uint64_t failed = 0) {
  results::Results results;
  const uint64_t iterations = static_cast<uint64_t>(rate * 5);
  results.iterations = iterations;
  results.overall.requests = iterations * 2;
  results.overall.failures[static_cast<size_t>(results::FailureKind::kTimeout)] = failed;
  results.overall.duration.Record(latency_us, iterations * 2);
  results.run.duration_ms = 6000;
  return results;
}

TEST(LimitSearch, StepWithinTheBoundsPasses) {
  StepOutcome step = JudgeStep(Step(1000, 2000), 1000, LimitSettings{});
  EXPECT_TRUE(step.passed) << step.reason;
  EXPECT_DOUBLE_EQ(step.requests_per_second, 2000);  // over the 5 s of the step, not the run's 6
  EXPECT_NEAR(step.p95_ms, 2.0, 0.01);
  EXPECT_TRUE(ContinueAfter(step));
}

TEST(LimitSearch, StepBreaksOnP95AboveTheBound) {
  StepOutcome step = JudgeStep(Step(1000, 250'000), 1000, LimitSettings{});
  EXPECT_FALSE(step.passed);
  EXPECT_EQ(step.reason.rfind("p95 25", 0), 0u) << step.reason;
  EXPECT_FALSE(ContinueAfter(step));
}

TEST(LimitSearch, StepBreaksOnFailuresAboveOnePercent) {
  StepOutcome step = JudgeStep(Step(1000, 1000, 200), 1000, LimitSettings{});
  EXPECT_FALSE(step.passed);
  EXPECT_NE(step.reason.find("failed"), std::string::npos) << step.reason;
}

TEST(LimitSearch, StepBreaksWhenTooFewIterationsComplete) {
  // Offered 1000/s for 5 s, completed half of that.
  StepOutcome step = JudgeStep(Step(500, 1000), 1000, LimitSettings{});
  EXPECT_FALSE(step.passed);
  EXPECT_NE(step.reason.find("50% of the offered iterations"), std::string::npos) << step.reason;
}

TEST(LimitSearch, SaturatedGeneratorStopsTheSearchWithoutAKnee) {
  results::Results results = Step(1000, 1000);
  results.run.generator_saturated = true;
  StepOutcome step = JudgeStep(results, 1000, LimitSettings{});
  EXPECT_TRUE(step.passed);
  EXPECT_FALSE(ContinueAfter(step));
  KneeEstimate knee = EstimateKnee({step});
  EXPECT_FALSE(knee.found);
  EXPECT_NE(knee.reason.find("generator"), std::string::npos);
}

TEST(LimitSearch, KneeIsTheLastStepThatPassed) {
  LimitSettings settings;
  std::vector<StepOutcome> steps = {JudgeStep(Step(1000, 1000), 1000, settings),
                                    JudgeStep(Step(1200, 3000), 1200, settings),
                                    JudgeStep(Step(1440, 400'000), 1440, settings)};
  KneeEstimate knee = EstimateKnee(steps);
  EXPECT_TRUE(knee.found);
  EXPECT_DOUBLE_EQ(knee.requests_per_second, 2400);
  EXPECT_NEAR(knee.p95_ms, 3.0, 0.01);
}

TEST(LimitSearch, NoStepHoldingPutsTheKneeBelowTheSlowest) {
  KneeEstimate knee = EstimateKnee({JudgeStep(Step(1000, 400'000), 1000, LimitSettings{}),
                                    JudgeStep(Step(500, 300'000), 500, LimitSettings{})});
  EXPECT_FALSE(knee.found);
  EXPECT_TRUE(knee.below_first);
  EXPECT_DOUBLE_EQ(knee.requests_per_second, 1000);
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
}

TEST(LimitSearch, RatesGrowGeometrically) {
  LimitSettings settings = LimitSettingsFor(true);
  EXPECT_EQ(settings.max_steps, 3);
  EXPECT_DOUBLE_EQ(StepRate(1000, 0, settings), 300);
  EXPECT_DOUBLE_EQ(StepRate(1000, 2, settings), 1200);
}

TEST(LimitSearch, RatesGoDownWhileNoStepHoldsThenUpUntilABreak) {
  LimitSettings settings;
  settings.first_fraction = 1;
  settings.growth = 1.5;
  StepRates rates(1000, settings);
  StepOutcome broke{.passed = false, .reason = "p95"};
  StepOutcome held{.passed = true};
  EXPECT_DOUBLE_EQ(rates.current(), 1000);
  ASSERT_TRUE(rates.Advance(broke));
  EXPECT_DOUBLE_EQ(rates.current(), 500);
  ASSERT_TRUE(rates.Advance(held));
  EXPECT_DOUBLE_EQ(rates.current(), 750);
  EXPECT_FALSE(rates.Advance(broke));
}

TEST(LimitSearch, RatesGiveUpAfterThreeHalvings) {
  StepRates rates(8000, LimitSettings{});
  StepOutcome broke{.passed = false, .reason = "p95"};
  EXPECT_TRUE(rates.Advance(broke));
  EXPECT_TRUE(rates.Advance(broke));
  EXPECT_TRUE(rates.Advance(broke));
  EXPECT_FALSE(rates.Advance(broke));
}

TEST(LimitSearch, KneeAfterHalvingIsTheFastestStepThatHeld) {
  LimitSettings settings;
  std::vector<StepOutcome> steps = {
      JudgeStep(Step(2000, 400'000), 2000, settings), JudgeStep(Step(1000, 1000), 1000, settings),
      JudgeStep(Step(1200, 2000), 1200, settings), JudgeStep(Step(1440, 300'000), 1440, settings)};
  KneeEstimate knee = EstimateKnee(steps);
  EXPECT_TRUE(knee.found);
  EXPECT_DOUBLE_EQ(knee.requests_per_second, 2400);
  EXPECT_EQ(knee.reason.rfind("p95 3", 0), 0u) << knee.reason;
}

}  // namespace
}  // namespace fourdollar::bench
