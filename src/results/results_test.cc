#include "results/results.h"

#include <gtest/gtest.h>

#include "results/results_builder.h"
#include "results/results_merge.h"
#include "results/results_test_support.h"

namespace fourdollar::results {
namespace {

using testing::RecordSteps;
using testing::SampleRun;

Results BuildFrom(std::vector<Recorder*> recorders, RunInfo run = SampleRun()) {
  ResultsBuilder builder;
  for (Recorder* recorder : recorders) builder.Add(recorder->TakeBefore(INT64_MAX));
  return builder.Build(std::move(run), {});
}

TEST(ResultsBuilder, MergesTheSameSecondFromSeveralThreads) {
  Recorder a(testing::kStartUnixMs * 1000);
  Recorder b(testing::kStartUnixMs * 1000);
  Recorder whole(testing::kStartUnixMs * 1000);
  RecordSteps(a, 0, 1500);
  RecordSteps(b, 1500, 3000);
  RecordSteps(whole, 0, 3000);
  const Results split = BuildFrom({&a, &b});
  const Results one = BuildFrom({&whole});
  ASSERT_EQ(split.seconds.size(), 4u);  // the last requests complete in second 3
  ASSERT_EQ(one.seconds.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(split.seconds[i].data.names, one.seconds[i].data.names) << i;
    EXPECT_EQ(split.seconds[i].data.iterations, one.seconds[i].data.iterations) << i;
  }
  EXPECT_EQ(split.overall, one.overall);
  EXPECT_EQ(split.names, one.names);
}

TEST(ResultsBuilder, TotalsAddUpTheSeconds) {
  Recorder recorder(testing::kStartUnixMs * 1000);
  RecordSteps(recorder, 0, 3000);
  const Results results = BuildFrom({&recorder});
  EXPECT_EQ(results.overall.requests, 3000u);
  EXPECT_EQ(results.overall.duration.count(), 3000u);
  EXPECT_EQ(results.iterations, 3000u);
  EXPECT_EQ(results.checks_failed, 231u);  // i % 13 == 0 for i < 3000
  EXPECT_EQ(results.checks_passed, 3000u - 231u);
  EXPECT_EQ(results.dropped_iterations, 12u);
  uint64_t per_name = 0;
  for (const auto& [index, figures] : results.names) per_name += figures.requests;
  EXPECT_EQ(per_name, 3000u);
  EXPECT_DOUBLE_EQ(results.RatePerSecond(results.overall.requests), 1000);
}

TEST(ResultsBuilder, FillsSecondsWithoutDataUpToTheDuration) {
  ResultsBuilder builder;
  SecondData late;
  late.second = 2;
  late.iterations = 1;
  builder.Add(late);
  const Results results = builder.Build(SampleRun(5000), {});
  ASSERT_EQ(results.seconds.size(), 5u);
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_EQ(results.seconds[static_cast<size_t>(i)].second, i);
    EXPECT_EQ(results.seconds[static_cast<size_t>(i)].data.second, i);
  }
  EXPECT_EQ(results.seconds[2].data.iterations, 1u);
  EXPECT_EQ(results.iterations, 1u);
}

TEST(ResultsBuilder, KeepsSamplersFiguresPerSecond) {
  ResultsBuilder builder;
  builder.AddWatchSample(0, 55.5, 1 << 20);
  builder.AddScrapeSample(1, {{"http_requests_total", 10}});
  builder.AddScrapeSample(1, {{"http_requests_total", 12}, {"posts", 3}});
  builder.AddGeneratorCpu(0, 40);
  builder.AddGeneratorCpu(1, 97.5);
  const Results results = builder.Build(SampleRun(2000), {});
  ASSERT_EQ(results.seconds.size(), 2u);
  EXPECT_EQ(results.seconds[0].server_cpu_percent, 55.5);
  EXPECT_EQ(results.seconds[0].server_rss_bytes, 1u << 20);
  EXPECT_FALSE(results.seconds[1].server_cpu_percent.has_value());
  EXPECT_EQ(results.seconds[1].scrape.at("http_requests_total"), 12);
  EXPECT_EQ(results.seconds[1].scrape.at("posts"), 3);
  EXPECT_EQ(results.run.generator_cpu_max, 97.5);
}

TEST(MergeResults, TwoSegmentsEqualOneRunRecordedWhole) {
  Recorder a(testing::kStartUnixMs * 1000);
  Recorder b(testing::kStartUnixMs * 1000);
  Recorder whole(testing::kStartUnixMs * 1000);
  RecordSteps(a, 0, 3000);
  RecordSteps(b, 3000, 6000);  // starts on the same clock, runs into seconds 3..5
  RecordSteps(whole, 0, 6000);
  RunInfo first = SampleRun(3000);
  first.segment = "1/2";
  RunInfo second = SampleRun(6000);
  second.segment = "2/2";
  auto merged = MergeResults({BuildFrom({&a}, first), BuildFrom({&b}, second)});
  ASSERT_TRUE(merged.has_value()) << merged.error().message;
  const Results one = BuildFrom({&whole}, SampleRun(6000));
  EXPECT_EQ(merged->seconds, one.seconds);
  EXPECT_EQ(merged->overall, one.overall);
  EXPECT_EQ(merged->names, one.names);
  EXPECT_EQ(merged->iterations, one.iterations);
  EXPECT_EQ(merged->run.segment, "1/2,2/2");
  EXPECT_EQ(merged->run.threads, 4);
  EXPECT_EQ(merged->run.duration_ms, 6000);
}

TEST(MergeResults, AlignsSecondsByWallClockAndNamesByText) {
  ResultsBuilder early;
  SecondData data;
  data.second = 0;
  data.names[0].requests = 1;
  data.names[0].duration.Record(100);
  early.Add(data);
  RunInfo early_run = SampleRun(1000);
  early_run.names = {"A"};

  ResultsBuilder late;
  data.names.clear();
  data.names[1].requests = 1;  // "A" again, at index 1 in this segment
  data.names[1].duration.Record(200);
  late.Add(data);
  RunInfo late_run = SampleRun(1000);
  late_run.names = {"B", "A"};
  late_run.start_unix_ms += 2000;  // its second 0 is the first segment's second 2

  auto merged = MergeResults({early.Build(early_run, {}), late.Build(late_run, {})});
  ASSERT_TRUE(merged.has_value()) << merged.error().message;
  EXPECT_EQ(merged->run.names, (std::vector<std::string>{"A", "B"}));
  ASSERT_EQ(merged->seconds.size(), 3u);
  EXPECT_EQ(merged->seconds[0].data.names.at(0).duration.max_us(), 100);
  EXPECT_TRUE(merged->seconds[1].data.names.empty());
  EXPECT_EQ(merged->seconds[2].data.names.at(0).duration.max_us(), 200);
  EXPECT_EQ(merged->names.at(0).requests, 2u);
  EXPECT_EQ(merged->run.duration_ms, 3000);
}

TEST(MergeResults, KeepsACommonStartAtOnly) {
  Results a;
  Results b;
  a.run.start_at_unix_ms = b.run.start_at_unix_ms = testing::kStartUnixMs;
  auto together = MergeResults({a, b});
  ASSERT_TRUE(together.has_value()) << together.error().message;
  EXPECT_EQ(together->run.start_at_unix_ms, testing::kStartUnixMs);
  b.run.start_at_unix_ms += 1000;
  auto apart = MergeResults({a, b});
  ASSERT_TRUE(apart.has_value()) << apart.error().message;
  EXPECT_EQ(apart->run.start_at_unix_ms, 0);
}

TEST(MergeResults, RefusesDifferentModelsAndNothing) {
  EXPECT_FALSE(MergeResults({}).has_value());
  Results a;
  Results b;
  b.run.model = "constant-vus";
  auto merged = MergeResults({a, b});
  ASSERT_FALSE(merged.has_value());
  EXPECT_NE(merged.error().message.find("constant-vus"), std::string::npos);
}

TEST(MergeResults, RefusesSegmentsMoreThanAWeekApart) {
  Recorder a(testing::kStartUnixMs * 1000);
  Recorder b(testing::kStartUnixMs * 1000);
  RecordSteps(a, 0, 10);
  RecordSteps(b, 0, 10);
  RunInfo later = SampleRun();
  later.start_unix_ms += 8 * 24 * 3600 * int64_t{1000};
  auto merged = MergeResults({BuildFrom({&a}), BuildFrom({&b}, later)});
  ASSERT_FALSE(merged.has_value());
  EXPECT_NE(merged.error().message.find("more than a week"), std::string::npos)
      << merged.error().message;
}

}  // namespace
}  // namespace fourdollar::results
