#include "report/sweep.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <iterator>

#include "report/knee.h"
#include "report/report.h"
#include "report/report_test_support.h"
#include "results/results_files.h"

namespace fourdollar::report {
namespace {

using testing::SyntheticRun;
using testing::TempDir;
namespace json = boost::json;

// A recorded 5 s step at `rate` requests/s: second 0 ramps up, seconds 1-4 are steady at
// `p95_ms`, seconds 5-6 drain (a few late responses at 900 ms after the stop). Each step
// starts 7 s after the previous one, as the bench runs them.
results::Results RecordedStep(int index, uint64_t rate, double p95_ms) {
  results::Results step = SyntheticRun({{rate / 3, std::min(p95_ms * 4, 100.0)},
                                        {rate, p95_ms},
                                        {rate, p95_ms},
                                        {rate, p95_ms},
                                        {rate, p95_ms},
                                        {30, 900},
                                        {12, 900}});
  step.run.start_unix_ms += index * 7000;
  step.run.model = "constant-arrival-rate";
  for (size_t s = 0; s < step.seconds.size(); ++s) {
    step.seconds[s].data.offered_rate = s < 5 ? static_cast<double>(rate) : 0;
    step.seconds[s].server_cpu_percent = s < 5 ? 10.0 * static_cast<double>(index + 1) : 1;
    step.seconds[s].generator_cpu_percent = 20;
  }
  return step;
}

Sweep ThreeSteps(TempDir& dir) {
  Sweep sweep;
  sweep.step_ms = 5000;
  sweep.skip_seconds = 1;
  sweep.server_cpus = 1;
  const uint64_t rates[] = {200, 400, 600};
  const double p95[] = {2, 3, 250};
  for (int i = 0; i < 3; ++i) {
    const std::string name = "step-0" + std::to_string(i + 1);
    results::Results step = RecordedStep(i, rates[i], p95[i]);
    EXPECT_TRUE(results::WriteResults(step, dir.File("limit/" + name)));
    StepFigures figures = SteadyFigures(step, static_cast<double>(rates[i]), 1, 5000, 1);
    figures.dir = name;
    figures.held = i < 2;
    figures.reason = i < 2 ? "" : "p95 250.0 ms";
    figures.tls_full_handshakes = 10 * static_cast<uint64_t>(i);
    figures.tls_resumed_handshakes = 100 * static_cast<uint64_t>(i);
    sweep.steps.push_back(figures);
  }
  sweep.headline =
      "1 CPU here: holds 400 requests/s at p95 3.0 ms; at 600 it breaks (p95 250.0 ms).";
  sweep.meaning = {"Capacity: 400 requests/s.", "Limiting resource: the server's CPU."};
  EXPECT_TRUE(WriteSweep(sweep, dir.File("limit")));
  return sweep;
}

TEST(Sweep, StepFiguresLeaveOutTheRampAndTheDrain) {
  StepFigures step = SteadyFigures(RecordedStep(1, 400, 3), 400, 1, 5000, 1);
  EXPECT_EQ(step.steady_seconds, 4);
  EXPECT_DOUBLE_EQ(step.achieved_rps, 400);
  EXPECT_LT(step.p99_ms, 4);  // neither the ramp's 12 ms nor the drain's 900 ms
  EXPECT_DOUBLE_EQ(step.server_cpu_percent, 20);
  EXPECT_DOUBLE_EQ(step.generator_cpu_percent, 20);
}

TEST(Sweep, TheGeneratorIsSaturatedByItsSteadyMeanNotItsBusiestSecond) {
  // A stalled start: the ramp second and the first steady second busy catching up, the rest
  // at 55%. The run's own flag (its busiest second) says saturated; the steady mean is 63%.
  results::Results step = RecordedStep(1, 400, 3);
  const double cpu[] = {100, 88, 55, 55, 55};  // then 1% while it drains
  for (size_t s = 0; s < step.seconds.size(); ++s) {
    step.seconds[s].generator_cpu_percent = s < std::size(cpu) ? cpu[s] : 1;
  }
  step.run.generator_saturated = true;
  step.run.generator_cpu_max = 100;
  StepFigures caught_up = SteadyFigures(step, 400, 1, 5000, 1);
  EXPECT_DOUBLE_EQ(caught_up.generator_cpu_percent, 63.25);
  EXPECT_FALSE(caught_up.generator_saturated);

  for (size_t s = 1; s < 5; ++s) step.seconds[s].generator_cpu_percent = 90;
  EXPECT_TRUE(SteadyFigures(step, 400, 1, 5000, 1).generator_saturated);
}

TEST(Sweep, ARemoteServersCpuIsTheGrowthOfItsScrapedCounter) {
  results::Results step = RecordedStep(0, 100, 2);
  const double cpu_seconds[] = {1.0, 1.3, 1.6, 2.0, 2.5, 2.6, 2.6};
  const size_t known = std::size(cpu_seconds);
  for (size_t s = 0; s < step.seconds.size(); ++s) {
    step.seconds[s].server_cpu_percent.reset();
    // After the drain the counter stays where it ended.
    step.seconds[s].scrape["process_cpu_seconds_total"] = cpu_seconds[std::min(s, known - 1)];
  }
  // From the end of second 0 (1.0) to the end of second 4 (2.5): 1.5 s over 4 s.
  EXPECT_DOUBLE_EQ(SteadyFigures(step, 100, 1, 5000, 1).server_cpu_percent, 37.5);
}

TEST(Sweep, WrittenAndReadBack) {
  TempDir dir;
  Sweep sweep = ThreeSteps(dir);
  Result<Sweep> read = ReadSweep(dir.File("limit"));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->headline, sweep.headline);
  EXPECT_EQ(read->meaning, sweep.meaning);
  ASSERT_EQ(read->steps.size(), 3u);
  EXPECT_EQ(read->steps[2].dir, "step-03");
  EXPECT_DOUBLE_EQ(read->steps[1].p95_ms, sweep.steps[1].p95_ms);
  EXPECT_FALSE(read->steps[2].held);
  EXPECT_EQ(read->steps[2].tls_full_handshakes, 20u);
  EXPECT_EQ(read->steps[2].tls_resumed_handshakes, 200u);
}

TEST(Sweep, ABadFileIsAnErrorNamingTheFieldOrTheFolder) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("limit"));
  std::ofstream(dir.File("limit/sweep.json"))
      << R"({"step_ms": "5s", "skip_seconds": 1, "server_cpus": 1, "headline": "",)"
      << R"( "meaning": [], "steps": []})";
  Result<Sweep> read = ReadSweep(dir.File("limit"));
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("sweep.json: field step_ms is not a number"),
            std::string::npos)
      << read.error().message;
  TempDir other;
  Sweep sweep = ThreeSteps(other);
  sweep.steps[0].dir = "../elsewhere";
  ASSERT_TRUE(WriteSweep(sweep, other.File("limit")));
  read = ReadSweep(other.File("limit"));
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("steps[0]: field dir must name a folder"), std::string::npos)
      << read.error().message;
}

TEST(Sweep, ReportShowsTheBenchHeadlineAndNoSegmentWarning) {
  TempDir dir;
  Sweep sweep = ThreeSteps(dir);
  std::string warnings;
  Result<BuiltReport> built = BuildReport({dir.File("limit")});
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->summary.headline, sweep.headline);
  EXPECT_EQ(built->text.rfind(sweep.headline + "\n", 0), 0u) << built->text;
  for (const std::string& warning : built->warnings) {
    EXPECT_EQ(warning.find("apart"), std::string::npos) << warning;
    EXPECT_EQ(warning.find("Threshold"), std::string::npos) << warning;
  }
  EXPECT_EQ(built->run.results.run.segment, "1/1");
  EXPECT_NE(built->text.find("Limiting resource: the server's CPU."), std::string::npos);
  // The page: the steps, and per-second series without the ramp and drain seconds.
  const std::string open = "<script id=\"report-data\" type=\"application/json\">";
  const size_t start = built->html.find(open) + open.size();
  json::object page =
      json::parse(built->html.substr(start, built->html.find("</script>", start) - start))
          .as_object();
  ASSERT_TRUE(page["sweep"].is_object());
  EXPECT_EQ(page["sweep"].as_object()["steps"].as_array().size(), 3u);
  for (const json::value& p95 : page["seconds"].as_object()["p95"].as_array()) {
    if (!p95.is_null()) {
      EXPECT_LT(p95.to_number<double>(), 300) << "a drain second is drawn";
    }
  }
  for (const json::value& p95 : page["rate_curve"].as_object()["p95"].as_array()) {
    EXPECT_LT(p95.to_number<double>(), 300) << "a drain second is in the rate curve";
  }
  const json::array& rps = page["seconds"].as_object()["rps"].as_array();
  EXPECT_TRUE(std::any_of(rps.begin(), rps.end(), [](const json::value& v) { return v.is_null(); }))
      << "the seconds between steps are gaps";
}

TEST(Sweep, ABenchFolderIsReadAsItsSweep) {
  TempDir dir;
  Sweep sweep = ThreeSteps(dir);
  Result<BuiltReport> built = BuildReport({dir.path().string()});
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->summary.headline, sweep.headline);
}

TEST(Sweep, TheSameStepsGivenAsFoldersAreSegmentsAndWarn) {
  TempDir dir;
  ThreeSteps(dir);
  std::string warnings;
  ASSERT_TRUE(WriteReport({dir.File("limit/step-01"), dir.File("limit/step-02")},
                          dir.File("r.html"), &warnings));
  EXPECT_NE(warnings.find("started up to 7.0 s apart"), std::string::npos) << warnings;
}

TEST(Knee, DrainSecondsAfterTheLoadAreNotLowLoad) {
  // Rising rates at 2 ms, then three seconds after the stop with a few 500 ms responses.
  std::vector<testing::SyntheticSecond> seconds;
  for (uint64_t rate = 100; rate <= 1000; rate += 100) seconds.push_back({rate, 2});
  for (int i = 0; i < 3; ++i) seconds.push_back({20, 500});
  results::Results run = SyntheticRun(seconds);
  for (size_t s = 0; s < run.seconds.size(); ++s) {
    run.seconds[s].data.offered_rate = s < 10 ? 100.0 * static_cast<double>(s + 1) : 0;
  }
  Knee knee = FindKnee(SecondPoints(run));
  EXPECT_NEAR(knee.low_load_p95_ms, 2, 0.2);
  EXPECT_DOUBLE_EQ(knee.requests_per_second, 1000);
}

}  // namespace
}  // namespace fourdollar::report
