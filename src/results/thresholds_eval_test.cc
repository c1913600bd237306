#include "results/thresholds_eval.h"
#include "results/results_builder.h"

#include <gtest/gtest.h>

namespace fourdollar::results {
namespace {

using Aggregate = Threshold::Aggregate;
using Op = Threshold::Op;

// 100 requests named "GET /" taking 0.01..1 ms (exact buckets), 5 of them failed; 10 "POST /" of
// 200 ms; 90 passed and 10 failed checks; 50 iterations, 2 dropped; 10 s.
Results SampleResults() {
  SecondData data;
  NameSecond& get = data.names[0];
  for (int i = 1; i <= 100; ++i) get.duration.Record(i * 10);
  get.requests = 100;
  get.failures[static_cast<size_t>(FailureKind::kStatus)] = 5;
  NameSecond& post = data.names[1];
  post.duration.Record(200'000, 10);
  post.requests = 10;
  data.checks_passed = 90;
  data.checks_failed = 10;
  data.iterations = 50;
  data.dropped_iterations = 2;
  ResultsBuilder builder;
  builder.Add(data);
  RunInfo run;
  run.names = {"GET /", "POST /", "never"};
  run.duration_ms = 10'000;
  return builder.Build(run, {});
}

Threshold Make(std::string metric, Aggregate aggregate, Op op, double value, std::string name = "",
               double percentile = 0) {
  return Threshold{.metric = std::move(metric),
                   .name_filter = std::move(name),
                   .aggregate = aggregate,
                   .percentile = percentile,
                   .op = op,
                   .value = value};
}

struct Case {
  Threshold threshold;
  double observed;
  bool passed;
};

TEST(EvaluateThresholds, JudgesEachMetricAndAggregate) {
  const Results results = SampleResults();
  const Case cases[] = {
      {Make("http_req_duration", Aggregate::kPercentile, Op::kLess, 1, "GET /", 95), 0.95, true},
      {Make("http_req_duration", Aggregate::kPercentile, Op::kLess, 0.95, "GET /", 95), 0.95,
       false},
      {Make("http_req_duration", Aggregate::kMed, Op::kLessEqual, 0.5, "GET /"), 0.5, true},
      {Make("http_req_duration", Aggregate::kAvg, Op::kLess, 0.5, "GET /"), 0.505, false},
      {Make("http_req_duration", Aggregate::kMin, Op::kGreaterEqual, 0.01, "GET /"), 0.01, true},
      {Make("http_req_duration", Aggregate::kMax, Op::kLess, 150), 200, false},
      {Make("http_req_failed", Aggregate::kRate, Op::kLess, 0.01), 5.0 / 110, false},
      {Make("http_req_failed", Aggregate::kRate, Op::kEqual, 0, "POST /"), 0, true},
      {Make("http_reqs", Aggregate::kCount, Op::kGreater, 100), 110, true},
      {Make("http_reqs", Aggregate::kRate, Op::kGreaterEqual, 11), 11, true},
      {Make("http_reqs", Aggregate::kCount, Op::kEqual, 0, "never"), 0, true},
      {Make("checks", Aggregate::kRate, Op::kGreater, 0.95), 0.9, false},
      {Make("iterations", Aggregate::kCount, Op::kNotEqual, 0), 50, true},
      {Make("iterations", Aggregate::kRate, Op::kGreater, 4), 5, true},
      {Make("dropped_iterations", Aggregate::kCount, Op::kEqual, 0), 2, false},
  };
  std::vector<Threshold> thresholds;
  for (const Case& c : cases) thresholds.push_back(c.threshold);
  const auto outcomes = EvaluateThresholds(thresholds, results);
  ASSERT_EQ(outcomes.size(), std::size(cases));
  for (size_t i = 0; i < outcomes.size(); ++i) {
    EXPECT_TRUE(outcomes[i].evaluated) << i << ": " << outcomes[i].detail;
    EXPECT_DOUBLE_EQ(outcomes[i].observed, cases[i].observed) << i;
    EXPECT_EQ(outcomes[i].passed, cases[i].passed) << i;
  }
}

TEST(EvaluateThresholds, FailsWhatCannotBeEvaluatedAndSaysWhy) {
  const Results results = SampleResults();
  const std::pair<Threshold, std::string> cases[] = {
      {Make("http_req_duration", Aggregate::kAvg, Op::kLess, 10, "never"),
       "no requests named 'never'"},
      {Make("http_req_duration", Aggregate::kAvg, Op::kLess, 10, "typo"),
       "no requests named 'typo'"},
      {Make("http_req_duration", Aggregate::kRate, Op::kLess, 10), "rate does not apply"},
      {Make("http_req_failed", Aggregate::kAvg, Op::kLess, 10), "avg does not apply"},
      {Make("checks", Aggregate::kRate, Op::kLess, 1, "GET /"), "no figures per request name"},
      {Make("dropped_iterations", Aggregate::kRate, Op::kLess, 1), "rate does not apply"},
      {Make("vus", Aggregate::kMax, Op::kLess, 1), "unknown metric vus"},
  };
  for (const auto& [threshold, why] : cases) {
    const auto outcomes = EvaluateThresholds({threshold}, results);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_FALSE(outcomes[0].evaluated) << why;
    EXPECT_FALSE(outcomes[0].passed) << why;
    EXPECT_NE(outcomes[0].detail.find(why), std::string::npos) << outcomes[0].detail;
  }
}

TEST(EvaluateThresholds, ChecksWithoutAnyCheckFail) {
  ResultsBuilder builder;
  const Results empty = builder.Build(RunInfo(), {});
  const auto outcomes =
      EvaluateThresholds({Make("checks", Aggregate::kRate, Op::kGreater, 0.9)}, empty);
  EXPECT_FALSE(outcomes.at(0).passed);
  EXPECT_EQ(outcomes.at(0).detail, "no checks ran");
}

TEST(EvaluateThresholds, WritesAggregatesAsInAThreshold) {
  EXPECT_EQ(AggregateText(Make("m", Aggregate::kPercentile, Op::kLess, 1, "", 99.9)), "p(99.9)");
  EXPECT_EQ(AggregateText(Make("m", Aggregate::kMed, Op::kLess, 1)), "med");
  EXPECT_STREQ(OpText(Op::kGreaterEqual), ">=");
}

}  // namespace
}  // namespace fourdollar::results
