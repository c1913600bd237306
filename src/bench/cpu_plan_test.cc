#include "bench/cpu_plan.h"

#include <gtest/gtest.h>

namespace fourdollar::bench {
namespace {

TEST(CpuPlan, ServerTakesTheFirstCpusAndTheGeneratorTheRest) {
  auto plan = PlanCpus({0, 1, 2, 3}, 1);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->server_cpus, std::vector<int>{0});
  EXPECT_EQ(plan->generator_cpus, (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(plan->shared);
}

TEST(CpuPlan, GeneratorSharesWhenNoCpuIsLeft) {
  auto plan = PlanCpus({2, 5}, 2);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->server_cpus, (std::vector<int>{2, 5}));
  EXPECT_EQ(plan->generator_cpus, (std::vector<int>{2, 5}));
  EXPECT_TRUE(plan->shared);
}

TEST(CpuPlan, RefusesMoreCpusThanAllowed) {
  auto plan = PlanCpus({0, 1}, 3);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("only 2 CPU(s) (0-1)"), std::string::npos)
      << plan.error().message;
}

TEST(CpuPlan, RefusesZeroCpus) { EXPECT_FALSE(PlanCpus({0, 1}, 0)); }

}  // namespace
}  // namespace fourdollar::bench
