#include "scenario/random.h"

#include <gtest/gtest.h>

#include <vector>

namespace fourdollar::scenario {
namespace {

TEST(Random, SameSeedGivesSameSequence) {
  Random a(42);
  Random b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.Next(), b.Next());
}

TEST(Random, VusGetDistinctStreams) {
  Random vu1 = Random::ForVu(7, 1);
  Random vu2 = Random::ForVu(7, 2);
  int equal = 0;
  for (int i = 0; i < 100; ++i) equal += vu1.Next() == vu2.Next() ? 1 : 0;
  EXPECT_EQ(equal, 0);
}

TEST(Random, UniformStaysWithinInclusiveBoundsAndReachesBoth) {
  Random random(1);
  bool saw_min = false;
  bool saw_max = false;
  for (int i = 0; i < 10000; ++i) {
    const int64_t value = random.Uniform(-3, 3);
    ASSERT_GE(value, -3);
    ASSERT_LE(value, 3);
    saw_min |= value == -3;
    saw_max |= value == 3;
  }
  EXPECT_TRUE(saw_min);
  EXPECT_TRUE(saw_max);
}

TEST(Random, UniformHandlesTheFullRangeAndEmptyRanges) {
  Random random(2);
  EXPECT_EQ(random.Uniform(5, 5), 5);
  EXPECT_EQ(random.Uniform(5, 1), 5);
  random.Uniform(INT64_MIN, INT64_MAX);  // must not overflow (UBSan checks this)
}

TEST(Random, PickCoversEveryIndexEvenly) {
  Random random(3);
  std::vector<int> counts(10);
  for (int i = 0; i < 100000; ++i) ++counts[random.Pick(10)];
  for (int count : counts) EXPECT_NEAR(count, 10000, 600);
  EXPECT_EQ(random.Pick(0), 0u);
}

TEST(Random, ChanceMatchesItsProbability) {
  Random random(4);
  int hits = 0;
  for (int i = 0; i < 100000; ++i) hits += random.Chance(0.25) ? 1 : 0;
  EXPECT_NEAR(hits, 25000, 800);
  EXPECT_FALSE(random.Chance(0));
  EXPECT_TRUE(random.Chance(1));
}

TEST(WeightedPicker, PicksInProportionToWeights) {
  const WeightedPicker picker({10, 90});
  Random random(5);
  int first = 0;
  for (int i = 0; i < 100000; ++i) first += picker.Pick(random) == 0 ? 1 : 0;
  EXPECT_NEAR(first, 10000, 600);
}

TEST(WeightedPicker, SingleWeightAlwaysPicksIt) {
  const WeightedPicker picker({3});
  Random random(6);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(picker.Pick(random), 0u);
}

}  // namespace
}  // namespace fourdollar::scenario
