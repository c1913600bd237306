#include "bench/bench_scenarios.h"

#include <gtest/gtest.h>

namespace fourdollar::bench {
namespace {

TEST(LimitStepScenario, StartsItsStepWithVusReadyAtMostMaxVus) {
  scenario::ScenarioFile seed;
  seed.path = "seed.yaml";
  seed.timeout_ms = 60000;
  LimitSettings settings;
  Result<scenario::ScenarioFile> fast = LimitStepScenario(seed, 20000, settings);
  ASSERT_TRUE(fast) << fast.error().message;
  EXPECT_EQ(fast->execution.model, scenario::Execution::Model::kConstantRate);
  EXPECT_EQ(fast->execution.max_vus, 5000);
  EXPECT_EQ(fast->execution.pre_allocated_vus, scenario::kDefaultPreAllocatedVus);
  Result<scenario::ScenarioFile> slow = LimitStepScenario(seed, 10, settings);
  ASSERT_TRUE(slow) << slow.error().message;
  EXPECT_EQ(slow->execution.max_vus, 50);
  EXPECT_EQ(slow->execution.pre_allocated_vus, 50);
}

}  // namespace
}  // namespace fourdollar::bench
