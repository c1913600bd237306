#include "results/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace fourdollar::results {
namespace {

// Nearest rank on the exact values: the ceil(p/100 * n)-th smallest (at least the first).
int64_t NearestRank(const std::vector<int64_t>& sorted, double p) {
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

std::vector<int64_t> RandomLatencies(uint32_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(8.0, 2.0);  // median ~3 ms, long tail
  std::vector<int64_t> values;
  for (size_t i = 0; i < n; ++i) {
    values.push_back(std::min<int64_t>(static_cast<int64_t>(dist(rng)), LatencyHistogram::kMaxUs));
  }
  return values;
}

TEST(LatencyHistogram, BucketsAreExactBelow1024Us) {
  for (int64_t v = 0; v < 2048; ++v) {
    EXPECT_EQ(LatencyHistogram::BucketValueUs(LatencyHistogram::BucketOf(v)), v);
  }
}

TEST(LatencyHistogram, BucketWidthIsAtMostOne1024thAbove1024Us) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> dist(1024, LatencyHistogram::kMaxUs);
  for (int i = 0; i < 200000; ++i) {
    const int64_t v = dist(rng);
    const int64_t upper = LatencyHistogram::BucketValueUs(LatencyHistogram::BucketOf(v));
    ASSERT_GE(upper, v);
    ASSERT_LE(static_cast<double>(upper - v), static_cast<double>(v) / 1024.0) << v;
  }
}

TEST(LatencyHistogram, BucketsAreContiguousAndIncreasing) {
  const uint32_t top = LatencyHistogram::BucketOf(LatencyHistogram::kMaxUs);
  for (uint32_t b = 1; b <= top; ++b) {
    ASSERT_GT(LatencyHistogram::BucketValueUs(b), LatencyHistogram::BucketValueUs(b - 1)) << b;
    ASSERT_EQ(LatencyHistogram::BucketOf(LatencyHistogram::BucketValueUs(b - 1) + 1), b) << b;
  }
}

TEST(LatencyHistogram, ClampsOutOfRangeValues) {
  LatencyHistogram h;
  h.Record(-5);
  h.Record(LatencyHistogram::kMaxUs * 3);
  EXPECT_EQ(h.min_us(), 0);
  EXPECT_EQ(h.max_us(), LatencyHistogram::kMaxUs);
  EXPECT_EQ(h.PercentileUs(100), LatencyHistogram::kMaxUs);
  EXPECT_EQ(h.sum_us(), LatencyHistogram::kMaxUs);
}

TEST(LatencyHistogram, EmptyHistogramAnswersZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.PercentileUs(50), 0);
  EXPECT_EQ(h.mean_us(), 0);
}

TEST(LatencyHistogram, PercentilesMatchNearestRankWithinBucketPrecision) {
  const std::vector<int64_t> values = RandomLatencies(42, 100000);
  LatencyHistogram h;
  for (int64_t v : values) h.Record(v);
  std::vector<int64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double p : {0.0, 0.1, 1.0, 10.0, 25.0, 50.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
    const int64_t exact = NearestRank(sorted, p);
    const int64_t got = h.PercentileUs(p);
    EXPECT_GE(got, exact) << "p" << p;
    if (exact < 1024) {
      EXPECT_EQ(got, exact) << "p" << p;
    } else {
      EXPECT_LE(static_cast<double>(got - exact), static_cast<double>(exact) / 1024.0) << "p" << p;
    }
  }
  EXPECT_EQ(h.min_us(), sorted.front());
  EXPECT_EQ(h.max_us(), sorted.back());
  EXPECT_EQ(h.PercentileUs(100), sorted.back());
}

TEST(LatencyHistogram, PercentilesOfSmallSetsAreExact) {
  LatencyHistogram h;
  for (int64_t v : {10, 20, 30, 40}) h.Record(v);
  EXPECT_EQ(h.PercentileUs(25), 10);
  EXPECT_EQ(h.PercentileUs(26), 20);
  EXPECT_EQ(h.PercentileUs(50), 20);
  EXPECT_EQ(h.PercentileUs(75.1), 40);
  EXPECT_DOUBLE_EQ(h.mean_us(), 25);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  const std::vector<int64_t> values = RandomLatencies(3, 20000);
  LatencyHistogram whole;
  LatencyHistogram parts[3];
  for (size_t i = 0; i < values.size(); ++i) {
    whole.Record(values[i]);
    parts[i % 3].Record(values[i]);
  }
  LatencyHistogram merged;
  merged.Merge(parts[2]);
  merged.Merge(parts[0]);
  merged.Merge(LatencyHistogram());
  merged.Merge(parts[1]);
  EXPECT_EQ(merged, whole);
}

TEST(LatencyHistogram, RecordWithCountEqualsRepeatedRecords) {
  LatencyHistogram once;
  LatencyHistogram repeated;
  once.Record(5000, 3);
  for (int i = 0; i < 3; ++i) repeated.Record(5000);
  EXPECT_EQ(once, repeated);
}

TEST(LatencyHistogram, TextRoundTripsExactly) {
  LatencyHistogram h;
  for (int64_t v : RandomLatencies(9, 5000)) h.Record(v);
  h.Record(LatencyHistogram::kMaxUs + 1);
  auto parsed = LatencyHistogram::ParseText(h.ToText());
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(*parsed, h);
  EXPECT_EQ(parsed->ToText(), h.ToText());
}

TEST(LatencyHistogram, EmptyTextRoundTrips) {
  LatencyHistogram h;
  EXPECT_EQ(h.ToText(), "n=0 sum_us=0 min_us=0 max_us=0");
  auto parsed = LatencyHistogram::ParseText(h.ToText());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, h);
}

TEST(LatencyHistogram, TextListsBucketValuesAndCounts) {
  LatencyHistogram h;
  h.Record(7, 2);
  h.Record(1500);
  EXPECT_EQ(h.ToText(), "n=3 sum_us=1514 min_us=7 max_us=1500 7:2 1500:1");
}

void ExpectRefused(std::string_view text, std::string_view why) {
  auto parsed = LatencyHistogram::ParseText(text);
  ASSERT_FALSE(parsed.has_value()) << text;
  EXPECT_NE(parsed.error().message.find(why), std::string::npos)
      << text << " -> " << parsed.error().message;
}

TEST(LatencyHistogram, ParseTextNamesWhatIsWrong) {
  ExpectRefused("", "expected 'n=");
  ExpectRefused("n=1 sum_us=7 min_us=7", "expected 'n=");
  ExpectRefused("count=1 sum_us=7 min_us=7 max_us=7 7:1", "expected 'n=<number>'");
  ExpectRefused("n=x sum_us=7 min_us=7 max_us=7 7:1", "n is not a number");
  ExpectRefused("n=1 sum_us=7 min_us=7 max_us=7 7-1", "bucket 1 is not '<value_us>:<count>'");
  ExpectRefused("n=1 sum_us=7 min_us=7 max_us=7 7:1 ", "bucket 2 is not");
  ExpectRefused("n=1 sum_us=2050 min_us=2050 max_us=2050 2050:1", "2050 is not a bucket bound");
  ExpectRefused("n=2 sum_us=14 min_us=7 max_us=7 7:1 7:1", "not in ascending order");
  ExpectRefused("n=2 sum_us=14 min_us=7 max_us=7 7:1", "but the buckets hold 1");
  ExpectRefused("n=1 sum_us=7 min_us=7 max_us=7 7:0", "zero count");
  ExpectRefused("n=1 sum_us=7 min_us=6 max_us=7 7:1", "do not fit");
  ExpectRefused("n=1 sum_us=9 min_us=7 max_us=7 7:1", "outside n * [min_us, max_us]");
  ExpectRefused("n=0 sum_us=3 min_us=0 max_us=0", "empty histogram");
}

}  // namespace
}  // namespace fourdollar::results
