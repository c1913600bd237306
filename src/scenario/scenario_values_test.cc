#include "scenario/scenario_values.h"

#include <gtest/gtest.h>

namespace fourdollar::scenario {
namespace {

TEST(ParseDurationMs, ReadsUnitsAndCombinations) {
  EXPECT_EQ(ParseDurationMs("500ms"), 500);
  EXPECT_EQ(ParseDurationMs("30s"), 30000);
  EXPECT_EQ(ParseDurationMs("2m"), 120000);
  EXPECT_EQ(ParseDurationMs("1h"), 3600000);
  EXPECT_EQ(ParseDurationMs("1m30s"), 90000);
  EXPECT_EQ(ParseDurationMs("1.5s"), 1500);
  EXPECT_EQ(ParseDurationMs("0s"), 0);
}

TEST(ParseDurationMs, PlainNumberNamesTheExpectedUnits) {
  auto parsed = ParseDurationMs("30");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message,
            "duration \"30\" has no unit: write ms, s, m or h after the number (e.g. 30s)");
}

TEST(ParseDurationMs, RejectsNegativeEmptyAndUnknownUnits) {
  for (const char* bad : {"-1s", "", "10x", "s", "1m30", "1..5s", "10 s"}) {
    EXPECT_FALSE(ParseDurationMs(bad)) << bad;
  }
}

TEST(ParseStagesFlag, ReadsDurationTargetPairs) {
  auto stages = ParseStagesFlag("10s:50, 1m:50,10s:0");
  ASSERT_TRUE(stages) << stages.error().message;
  ASSERT_EQ(stages->size(), 3u);
  EXPECT_EQ((*stages)[0].duration_ms, 10000);
  EXPECT_EQ((*stages)[0].target, 50);
  EXPECT_EQ((*stages)[1].duration_ms, 60000);
  EXPECT_EQ((*stages)[2].target, 0);
}

TEST(ParseStagesFlag, NamesTheBadItem) {
  auto missing_colon = ParseStagesFlag("10s:50,10s");
  ASSERT_FALSE(missing_colon);
  EXPECT_EQ(missing_colon.error().message.rfind("stage 2 \"10s\": expected DURATION:TARGET", 0),
            0u);
  EXPECT_FALSE(ParseStagesFlag("10:5"));
  EXPECT_FALSE(ParseStagesFlag("10s:-5"));
  EXPECT_FALSE(ParseStagesFlag("10s:x"));
  EXPECT_FALSE(ParseStagesFlag(""));
}

TEST(ParseThreshold, ReadsEveryAggregateAndComparison) {
  using A = results::Threshold::Aggregate;
  using Op = results::Threshold::Op;
  struct Case {
    const char* key;
    const char* expression;
    A aggregate;
    Op op;
    double value;
  };
  for (const Case& c :
       {Case{"http_req_duration", "p(95)<50", A::kPercentile, Op::kLess, 50},
        Case{"http_req_duration", "p(99.9) <= 200", A::kPercentile, Op::kLessEqual, 200},
        Case{"http_req_duration", "avg<10", A::kAvg, Op::kLess, 10},
        Case{"http_req_duration", "med<5", A::kMed, Op::kLess, 5},
        Case{"http_req_duration", "max<1000", A::kMax, Op::kLess, 1000},
        Case{"http_req_duration", "min>0", A::kMin, Op::kGreater, 0},
        Case{"http_req_failed", "rate<0.01", A::kRate, Op::kLess, 0.01},
        Case{"checks", "rate>=0.99", A::kRate, Op::kGreaterEqual, 0.99},
        Case{"http_reqs", "count>100", A::kCount, Op::kGreater, 100},
        Case{"iterations", "count==5", A::kCount, Op::kEqual, 5},
        Case{"dropped_iterations", "count!=1", A::kCount, Op::kNotEqual, 1}}) {
    auto threshold = ParseThreshold(c.key, c.expression);
    ASSERT_TRUE(threshold) << c.expression << ": " << threshold.error().message;
    EXPECT_EQ(threshold->metric, c.key);
    EXPECT_EQ(threshold->source, c.expression);
    EXPECT_EQ(threshold->aggregate, c.aggregate) << c.expression;
    EXPECT_EQ(threshold->op, c.op) << c.expression;
    EXPECT_EQ(threshold->value, c.value) << c.expression;
  }
  EXPECT_EQ(ParseThreshold("http_req_duration", "p(99.9)<1")->percentile, 99.9);
}

TEST(ParseThreshold, ReadsANameFilter) {
  auto threshold = ParseThreshold("http_req_duration{name: open post}", "p(95)<20");
  ASSERT_TRUE(threshold) << threshold.error().message;
  EXPECT_EQ(threshold->metric, "http_req_duration");
  EXPECT_EQ(threshold->name_filter, "open post");
}

TEST(ParseThreshold, RejectsUnknownMetricsAndBadExpressions) {
  EXPECT_FALSE(ParseThreshold("latency", "p(95)<5"));
  EXPECT_FALSE(ParseThreshold("http_req_duration{status:200}", "p(95)<5"));
  EXPECT_FALSE(ParseThreshold("iterations{name:x}", "count>1"));
  for (const char* bad :
       {"p(95)", "p(0)<5", "p(101)<5", "p95<5", "avg<", "avg<x", "avg 5", "rate<0.1", "count>1"}) {
    EXPECT_FALSE(ParseThreshold("http_req_duration", bad)) << bad;
  }
  EXPECT_FALSE(ParseThreshold("http_req_failed", "rate<5"));
  EXPECT_FALSE(ParseThreshold("http_req_failed", "avg<5"));
}

TEST(NormalizeTarget, TakesHttpsAndRefusesItsPaths) {
  EXPECT_EQ(NormalizeTarget("https://example.com/"), "https://example.com");
  auto path = NormalizeTarget("https://example.com/x");
  ASSERT_FALSE(path);
  EXPECT_NE(path.error().message.find("paths belong to the steps"), std::string::npos);
}

TEST(NormalizeTarget, DropsATrailingSlashAndRefusesPaths) {
  EXPECT_EQ(NormalizeTarget("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
  EXPECT_EQ(NormalizeTarget("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_FALSE(NormalizeTarget("http://127.0.0.1:8080/api"));
}

TEST(ClosestMatch, SuggestsOnlyNearWords) {
  EXPECT_EQ(ClosestMatch("tresholds", {"target", "thresholds"}), "thresholds");
  EXPECT_EQ(ClosestMatch("zzz", {"target", "thresholds"}), "");
}

}  // namespace
}  // namespace fourdollar::scenario
