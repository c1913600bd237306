#include "results/summary.h"

#include <gtest/gtest.h>

#include "results/results_builder.h"
#include "results/results_test_support.h"

namespace fourdollar::results {
namespace {

Results Sample(uint64_t dropped, bool saturated) {
  Recorder recorder(testing::kStartUnixMs * 1000);
  testing::RecordSteps(recorder, 1, 3000);  // no drop at i == 0
  ResultsBuilder builder;
  builder.Add(recorder.TakeBefore(INT64_MAX));
  SecondData extra;
  extra.dropped_iterations = dropped - 11;  // RecordSteps drops at i = 250, 500... 2750
  builder.Add(extra);
  Threshold p95{.metric = "http_req_duration", .source = "p(95)<50", .percentile = 95, .value = 50};
  Threshold strict{.metric = "http_req_duration",
                   .name_filter = "POST /",
                   .source = "max<1",
                   .aggregate = Threshold::Aggregate::kMax,
                   .value = 1};
  RunInfo run = testing::SampleRun();
  run.generator_saturated = saturated;
  return builder.Build(run, {p95, strict});
}

TEST(FormatSummary, ShowsRequestsFailuresDurationsDataAndChecks) {
  const std::string text = FormatSummary(Sample(11, false));
  for (const char* expected :
       {"requests .............: 2999  999.7/s", "failures .............: 204 (6.80%)",
        "timeout 29, status 175", "200: 1863, 303: 932, 500: 175",
        "data sent ............: 245.9 kB", "data received ........: 3.0 MB",
        "iterations ...........: 2999", "dropped iterations ...: 11",
        "checks ...............: 92.33%  2769 passed, 230 failed", "p99.9",
        "GET /${id}, \"quoted\"          1000      69"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
}

TEST(FormatSummary, MarksThresholdsPassedAndFailed) {
  const std::string text = FormatSummary(Sample(11, false));
  EXPECT_NE(text.find("✓ http_req_duration p(95)<50  (observed 38.111)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("✗ http_req_duration{name=POST /} max<1  (observed 40.041)"),
            std::string::npos)
      << text;
}

TEST(FormatSummary, WarnsLoudlyAboutDroppedIterationsAndSaturation) {
  const std::string quiet = FormatSummary(Sample(11, false));
  EXPECT_NE(quiet.find("WARNING: 11 iterations were dropped"), std::string::npos) << quiet;
  EXPECT_EQ(quiet.find("saturated"), std::string::npos);
  const std::string loud = FormatSummary(Sample(11, true));
  EXPECT_NE(loud.find("WARNING: the load generator was saturated"), std::string::npos) << loud;
}

}  // namespace
}  // namespace fourdollar::results
