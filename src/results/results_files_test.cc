#include "results/results_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "results/results_builder.h"
#include "results/results_test_support.h"
#include "support/temp_dir.h"

namespace fourdollar::results {
namespace {

class ResultsFiles : public ::testing::Test {
 protected:
  static Results Sample() {
    Recorder recorder(testing::kStartUnixMs * 1000);
    testing::RecordSteps(recorder, 0, 3000);
    ResultsBuilder builder;
    builder.Add(recorder.TakeBefore(INT64_MAX));
    builder.AddWatchSample(1, 12.25, 123456789);
    builder.AddScrapeSample(2, {{"fourdollar_posts_total", 42}, {"odd,name", 0.1}});
    builder.AddGeneratorCpu(0, 33.3);
    Threshold p95{
        .metric = "http_req_duration", .source = "p(95)<50", .percentile = 95, .value = 50};
    Threshold failed{.metric = "http_req_failed",
                     .name_filter = "POST /",
                     .source = "rate<0.01",
                     .aggregate = Threshold::Aggregate::kRate,
                     .value = 0.01};
    RunInfo run = testing::SampleRun();
    run.interrupted = true;
    return builder.Build(run, {p95, failed});
  }

  std::string Read(const std::string& file) {
    std::ifstream in(dir_ + "/" + file);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }
  void Overwrite(const std::string& file, const std::string& content) {
    std::ofstream(dir_ + "/" + file, std::ios::trunc) << content;
  }
  // Replaces the first occurrence of `from` in a written file.
  void Edit(const std::string& file, const std::string& from, const std::string& to) {
    std::string content = Read(file);
    const size_t at = content.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    content.replace(at, from.size(), to);
    Overwrite(file, content);
  }
  std::string ReadError() {
    auto results = ReadResults(dir_);
    if (results) return "(read without error)";
    return results.error().message;
  }

  test_support::TempDir temp_{"fourdollar-results"};
  std::string root_ = temp_.path().string();
  std::string dir_ = root_ + "/nested/run";
};

TEST_F(ResultsFiles, StartAtRoundTripsAndIsNullWithoutOne) {
  Results written = Sample();
  ASSERT_TRUE(WriteResults(written, dir_).has_value());
  EXPECT_NE(Read("summary.json").find("\"start_at_unix_ms\": null"), std::string::npos);
  written.run.start_at_unix_ms = testing::kStartUnixMs;
  ASSERT_TRUE(WriteResults(written, dir_).has_value());
  auto read = ReadResults(dir_);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->run.start_at_unix_ms, testing::kStartUnixMs);
}

TEST_F(ResultsFiles, ReadsFoldersWrittenBeforeStartAtExisted) {
  ASSERT_TRUE(WriteResults(Sample(), dir_).has_value());
  Edit("summary.json", "\"start_at_unix_ms\": null,", "");
  auto read = ReadResults(dir_);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->run.start_at_unix_ms, 0);
}

TEST_F(ResultsFiles, RefusesAStartAtThatIsNotANumber) {
  ASSERT_TRUE(WriteResults(Sample(), dir_).has_value());
  Edit("summary.json", "\"start_at_unix_ms\": null", "\"start_at_unix_ms\": \"soon\"");
  EXPECT_NE(ReadError().find("'start_at_unix_ms' is not a suitable number"), std::string::npos)
      << ReadError();
}

TEST_F(ResultsFiles, WriteThenReadGivesTheSameResults) {
  const Results written = Sample();
  ASSERT_TRUE(WriteResults(written, dir_).has_value());
  auto read = ReadResults(dir_);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->run, written.run);
  EXPECT_EQ(read->seconds, written.seconds);
  EXPECT_EQ(read->names, written.names);
  EXPECT_EQ(read->overall, written.overall);
  EXPECT_EQ(read->iterations, written.iterations);
  EXPECT_EQ(read->checks_failed, written.checks_failed);
  ASSERT_EQ(read->thresholds.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const ThresholdOutcome& a = read->thresholds[i];
    const ThresholdOutcome& b = written.thresholds[i];
    EXPECT_EQ(a.threshold.metric, b.threshold.metric);
    EXPECT_EQ(a.threshold.name_filter, b.threshold.name_filter);
    EXPECT_EQ(a.threshold.source, b.threshold.source);
    EXPECT_EQ(a.threshold.aggregate, b.threshold.aggregate);
    EXPECT_EQ(a.threshold.percentile, b.threshold.percentile);
    EXPECT_EQ(a.threshold.op, b.threshold.op);
    EXPECT_EQ(a.threshold.value, b.threshold.value);
    EXPECT_EQ(a.observed, b.observed);
    EXPECT_EQ(a.passed, b.passed);
    EXPECT_EQ(a.evaluated, b.evaluated);
  }
}

TEST_F(ResultsFiles, SummaryJsonIsVersionedAndHoldsTheFigures) {
  ASSERT_TRUE(WriteResults(Sample(), dir_).has_value());
  const std::string summary = Read("summary.json");
  EXPECT_NE(summary.find("\"format\": \"fourdollar-results\""), std::string::npos);
  EXPECT_NE(summary.find("\"version\": 1"), std::string::npos);
  EXPECT_NE(summary.find("\"requests\": 3000"), std::string::npos);
  EXPECT_NE(summary.find("\"p99.9\""), std::string::npos);
  EXPECT_NE(summary.find("\"timeout\": 30"), std::string::npos);  // i % 101 == 0 for i < 3000
}

TEST_F(ResultsFiles, SecondsCsvHasARowPerSecondAndName) {
  ASSERT_TRUE(WriteResults(Sample(), dir_).has_value());
  std::istringstream lines(Read("seconds.csv"));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, kSecondsCsvHeader);
  std::getline(lines, line);
  EXPECT_EQ(line.substr(0, 18), "0,1700000000000,*,");
  std::getline(lines, line);
  EXPECT_EQ(line.substr(0, 24), "0,1700000000000,GET /,,,");
  EXPECT_NE(Read("seconds.csv").find(",\"GET /${id}, \"\"quoted\"\"\","), std::string::npos);
}

TEST_F(ResultsFiles, ReadNamesTheFileAndLineOfAMalformedHistogram) {
  ASSERT_TRUE(WriteResults(Sample(), dir_).has_value());
  Edit("histograms.txt", "\tn=", "\tcount=");
  const std::string error = ReadError();
  EXPECT_NE(error.find("histograms.txt line 3"), std::string::npos) << error;
  EXPECT_NE(error.find("n=<number>"), std::string::npos) << error;
}

TEST_F(ResultsFiles, ReadRefusesTotalsThatDisagreeWithTheSeconds) {
  ASSERT_TRUE(WriteResults(Sample(), dir_).has_value());
  std::string content = Read("histograms.txt");
  const size_t total = content.find("total\t0\t");
  ASSERT_NE(total, std::string::npos);
  const size_t tab = content.find('\t', total + 8);
  content.replace(total + 8, tab - total - 8, "1");  // requests of name 0
  Overwrite("histograms.txt", content);
  EXPECT_NE(ReadError().find("histograms.txt line"), std::string::npos);
}

TEST_F(ResultsFiles, ReadNamesTheLineOfABadSecondsRow) {
  ASSERT_TRUE(WriteResults(Sample(), dir_).has_value());
  Edit("seconds.csv", "0,1700000000000,*,10", "0,1700000000000,*,ten");
  const std::string error = ReadError();
  EXPECT_NE(error.find("seconds.csv line 2: column 4 'ten' is not a number"), std::string::npos)
      << error;
}

TEST_F(ResultsFiles, ReadRefusesAnUnknownVersion) {
  ASSERT_TRUE(WriteResults(Sample(), dir_).has_value());
  Edit("summary.json", "\"version\": 1", "\"version\": 2");
  EXPECT_NE(ReadError().find("summary.json: version 2 is not supported"), std::string::npos);
}

TEST_F(ResultsFiles, ReadNamesAMissingKey) {
  ASSERT_TRUE(WriteResults(Sample(), dir_).has_value());
  Edit("summary.json", "\"target\"", "\"tarjet\"");
  EXPECT_NE(ReadError().find("summary.json: run: missing key 'target'"), std::string::npos);
}

TEST_F(ResultsFiles, ReadNamesAMissingFile) {
  ASSERT_TRUE(WriteResults(Sample(), dir_).has_value());
  std::filesystem::remove(dir_ + "/scrape.csv");
  EXPECT_NE(ReadError().find("scrape.csv"), std::string::npos);
}

TEST_F(ResultsFiles, WriteReportsAFolderThatCannotBeCreated) {
  std::ofstream(root_ + "/file") << "x";
  auto status = WriteResults(Sample(), root_ + "/file/run");
  ASSERT_FALSE(status.has_value());
  EXPECT_NE(status.error().message.find("/file/run"), std::string::npos);
}

TEST_F(ResultsFiles, ReadRefusesASecondBeyondAWeekNamingTheLine) {
  ASSERT_TRUE(WriteResults(Sample(), dir_).has_value());
  // Found by fuzzing: one such second made the reader fill every second in between.
  Edit("scrape.csv", "\n2,", "\n1000000000,");
  const std::string error = ReadError();
  EXPECT_NE(error.find("scrape.csv line 2: second 1000000000 is outside 0..604799"),
            std::string::npos)
      << error;
}

TEST_F(ResultsFiles, ReadRefusesAStartTimeBeyondTheYear9999) {
  ASSERT_TRUE(WriteResults(Sample(), dir_).has_value());
  Edit("summary.json", "\"start_unix_ms\": 1700000000000",
       "\"start_unix_ms\": 9223372036854775807");
  EXPECT_NE(ReadError().find("start_unix_ms 9223372036854775807 is not a time"), std::string::npos);
}

}  // namespace
}  // namespace fourdollar::results
