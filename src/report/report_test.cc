#include "report/report.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "report/report_test_support.h"
#include "results/raw_csv.h"
#include "results/results_builder.h"
#include "results/results_files.h"
#include "results/results_test_support.h"

namespace fourdollar::report {
namespace {

using testing::TempDir;
namespace json = boost::json;

// The recorded run of requests [from, to) of the shared sample sequence, every `step`-th.
results::Results RecordedRun(int from, int to, int step, int offset, const std::string& segment) {
  results::Recorder recorder(results::testing::kStartUnixMs * 1000);
  for (int i = from + offset; i < to; i += step) {
    const results::RequestSample sample = results::testing::SampleRequest(i);
    recorder.Record(sample);
    const int64_t now_us = sample.start_unix_us + sample.duration_us;
    recorder.CountIteration(now_us);
    if (i % 250 == 0) recorder.CountDropped(now_us);
  }
  results::ResultsBuilder builder;
  builder.Add(recorder.TakeBefore(INT64_MAX));
  results::RunInfo run = results::testing::SampleRun();
  run.segment = segment;
  return builder.Build(run, {});
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The JSON the page embeds.
json::object PageJson(const std::string& html) {
  const std::string open = "<script id=\"report-data\" type=\"application/json\">";
  const size_t start = html.find(open) + open.size();
  const size_t end = html.find("</script>", start);
  return json::parse(html.substr(start, end - start)).as_object();
}

TEST(WriteReport, ShowsTheTotalsAndPercentilesOfAResultsFolder) {
  TempDir dir;
  const results::Results run = RecordedRun(0, 3000, 1, 0, "1/1");
  ASSERT_TRUE(results::WriteResults(run, dir.File("run")));
  std::string warnings;
  Result<ReportSummary> summary =
      WriteReport({dir.File("run")}, dir.File("report.html"), &warnings);
  ASSERT_TRUE(summary) << summary.error().message;

  std::vector<int64_t> durations;
  uint64_t failed = 0;
  for (int i = 0; i < 3000; ++i) {
    durations.push_back(results::testing::SampleRequest(i).duration_us);
    failed += results::testing::SampleRequest(i).failure != results::FailureKind::kNone;
  }
  std::sort(durations.begin(), durations.end());
  const json::object page = PageJson(ReadAll(dir.File("report.html")));
  const json::object& all = page.at("names").as_array().at(0).as_object();
  EXPECT_EQ(all.at("requests").to_number<uint64_t>(), 3000u);
  EXPECT_EQ(all.at("failed").to_number<uint64_t>(), failed);
  const double exact_p95_ms = static_cast<double>(durations[2849]) / 1000.0;  // rank 2850
  EXPECT_GE(all.at("p95").to_number<double>(), exact_p95_ms);
  EXPECT_LE(all.at("p95").to_number<double>(), exact_p95_ms * (1 + 1.0 / 1024));
  EXPECT_EQ(all.at("max").to_number<double>(), static_cast<double>(durations.back()) / 1000.0);
  EXPECT_EQ(page.at("names").as_array().size(), 4u);  // all + three names
  EXPECT_EQ(page.at("headline").as_string(), summary->headline);
  EXPECT_NE(warnings.find("requests failed"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("iterations were dropped"), std::string::npos) << warnings;
}

TEST(WriteReport, MergedSegmentsEqualOneRun) {
  TempDir dir;
  ASSERT_TRUE(results::WriteResults(RecordedRun(0, 6000, 1, 0, "1/1"), dir.File("whole")));
  ASSERT_TRUE(results::WriteResults(RecordedRun(0, 6000, 2, 0, "1/2"), dir.File("a")));
  ASSERT_TRUE(results::WriteResults(RecordedRun(0, 6000, 2, 1, "2/2"), dir.File("b")));
  Result<LoadedRun> whole = LoadInputs({dir.File("whole")});
  Result<LoadedRun> merged = LoadInputs({dir.File("a"), dir.File("b")});
  ASSERT_TRUE(whole) << whole.error().message;
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ(merged->results.overall, whole->results.overall);
  EXPECT_EQ(merged->results.seconds, whole->results.seconds);
  EXPECT_EQ(merged->results.run.segment, "1/2,2/2");
  EXPECT_EQ(Summarize(merged->results).headline, Summarize(whole->results).headline);
}

TEST(WriteReport, WarnsWhenSegmentsDidNotStartTogether) {
  TempDir dir;
  results::Results late = RecordedRun(0, 6000, 2, 1, "2/2");
  late.run.start_unix_ms += 2500;
  ASSERT_TRUE(results::WriteResults(RecordedRun(0, 6000, 2, 0, "1/2"), dir.File("a")));
  ASSERT_TRUE(results::WriteResults(late, dir.File("b")));
  std::string warnings;
  ASSERT_TRUE(WriteReport({dir.File("a"), dir.File("b")}, dir.File("r.html"), &warnings));
  EXPECT_NE(warnings.find("started up to 2.5 s apart"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("--start-at"), std::string::npos) << warnings;
}

TEST(WriteReport, SegmentsStartedTogetherGiveNoStartWarning) {
  TempDir dir;
  ASSERT_TRUE(results::WriteResults(RecordedRun(0, 6000, 2, 0, "1/2"), dir.File("a")));
  ASSERT_TRUE(results::WriteResults(RecordedRun(0, 6000, 2, 1, "2/2"), dir.File("b")));
  std::string warnings;
  ASSERT_TRUE(WriteReport({dir.File("a"), dir.File("b")}, dir.File("r.html"), &warnings));
  EXPECT_EQ(warnings.find("apart"), std::string::npos) << warnings;
}

TEST(WriteReport, AK6CsvOfTheSameRequestsGivesTheSameFigures) {
  TempDir dir;
  const results::Results run = RecordedRun(0, 3000, 1, 0, "1/1");
  ASSERT_TRUE(results::WriteResults(run, dir.File("run")));
  auto writer = results::RawCsvWriter::Open(dir.File("k6.csv"), run.run.names);
  ASSERT_TRUE(writer);
  for (int i = 0; i < 3000; ++i) {
    (*writer)->Write(results::testing::SampleRequest(i), "GET", "/", "default");
  }
  ASSERT_TRUE((*writer)->Close());
  Result<BuiltReport> from_folder = BuildReport({dir.File("run")});
  Result<BuiltReport> from_csv = BuildReport({dir.File("k6.csv")});
  ASSERT_TRUE(from_folder && from_csv);
  const results::NameSecond& a = from_folder->run.results.overall;
  const results::NameSecond& b = from_csv->run.results.overall;
  EXPECT_EQ(b.requests, a.requests);
  EXPECT_EQ(b.failed(), a.failed());
  EXPECT_EQ(b.by_status, a.by_status);
  EXPECT_EQ(b.duration, a.duration);
  EXPECT_EQ(from_csv->summary.headline, from_folder->summary.headline);
  EXPECT_EQ(from_csv->run.source, "k6 CSV");
}

TEST(WriteReport, KeepsNamesAsTextThatCannotEndTheScript) {
  TempDir dir;
  results::Results run = RecordedRun(0, 300, 1, 0, "1/1");
  run.run.names[0] = "</script><script>alert(1)</script>";
  ASSERT_TRUE(results::WriteResults(run, dir.File("run")));
  ASSERT_TRUE(WriteReport({dir.File("run")}, dir.File("r.html")));
  const std::string html = ReadAll(dir.File("r.html"));
  size_t scripts = 0;
  for (size_t at = html.find("</script>"); at != std::string::npos;
       at = html.find("</script>", at + 1)) {
    ++scripts;
  }
  EXPECT_EQ(scripts, 3u);  // the data, uPlot, the page's script
  EXPECT_EQ(PageJson(html).at("names").as_array().at(1).at("name").as_string(),
            "</script><script>alert(1)</script>");
}

TEST(WriteReport, ThePageLoadsNothingFromOutside) {
  TempDir dir;
  ASSERT_TRUE(results::WriteResults(RecordedRun(0, 300, 1, 0, "1/1"), dir.File("run")));
  ASSERT_TRUE(WriteReport({dir.File("run")}, dir.File("r.html")));
  const std::string html = ReadAll(dir.File("r.html"));
  for (const char* reference : {"src=\"http", "href=\"http", "src=\"//", "href=\"//", "@import",
                                "url(http", "fetch(", "XMLHttpRequest"}) {
    EXPECT_EQ(html.find(reference), std::string::npos) << reference;
  }
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
}

TEST(WriteReport, CountsSkippedLinesOfK6Files) {
  TempDir dir;
  std::ofstream(dir.File("k6.csv")) << "metric_name,timestamp,metric_value,name,status\n"
                                       "http_req_duration,1700000000,3,a,200\n"
                                       "http_req_duration,1700000000\n"
                                       "http_req_duration,1700000001,4,a,200\n";
  std::string warnings;
  ASSERT_TRUE(WriteReport({dir.File("k6.csv")}, dir.File("r.html"), &warnings));
  EXPECT_NE(warnings.find("1 malformed lines were skipped, first: " + dir.File("k6.csv") +
                          " line 3: expected 5 fields, found 2"),
            std::string::npos)
      << warnings;
  EXPECT_EQ(PageJson(ReadAll(dir.File("r.html"))).at("skipped_lines").to_number<int>(), 1);
}

TEST(WriteReport, ErrorsNameTheInputOrTheOutput) {
  TempDir dir;
  ASSERT_TRUE(results::WriteResults(RecordedRun(0, 30, 1, 0, "1/1"), dir.File("run")));
  std::ofstream(dir.File("notes.txt")) << "hello\n";
  std::ofstream(dir.File("k6.csv")) << "metric_name,timestamp,metric_value\n"
                                       "http_req_duration,1700000000,1\n";
  auto message = [&](const std::vector<std::string>& inputs, const std::string& out) {
    Result<ReportSummary> r = WriteReport(inputs, out);
    return r ? std::string("no error") : r.error().message;
  };
  const std::string out = dir.File("r.html");
  EXPECT_EQ(message({}, out),
            "no input: give results folders of `fourdollar load` or k6 CSV files");
  EXPECT_EQ(message({dir.File("missing")}, out), dir.File("missing") + ": no such file or folder");
  EXPECT_EQ(message({dir.File("notes.txt")}, out),
            dir.File("notes.txt") +
                ": neither a results folder of `fourdollar load` nor a k6 CSV file (no "
                "metric_name column in its first line)");
  EXPECT_EQ(message({dir.File("run"), dir.File("k6.csv")}, out),
            "results folders and k6 CSV files cannot be merged into one report: give one kind");
  EXPECT_EQ(message({dir.File("run")}, dir.File("no/such/folder/r.html")),
            "cannot write " + dir.File("no/such/folder/r.html"));
}

TEST(WriteReport, AK6CsvWithoutAnyUsableRequestIsAnErrorNamingItsFirstBadLine) {
  TempDir dir;
  std::ofstream(dir.File("header.csv")) << "metric_name,timestamp,metric_value\n";
  std::ofstream(dir.File("bad.csv")) << "metric_name,timestamp,metric_value\n"
                                        "http_req_duration,soon,1\n"
                                        "http_req_duration,1700000000\n";
  Result<ReportSummary> header_only = WriteReport({dir.File("header.csv")}, dir.File("r.html"));
  ASSERT_FALSE(header_only);
  EXPECT_EQ(header_only.error().message,
            dir.File("header.csv") + ": no http_req_duration line to report");
  Result<ReportSummary> all_bad = WriteReport({dir.File("bad.csv")}, dir.File("r.html"));
  ASSERT_FALSE(all_bad);
  EXPECT_EQ(all_bad.error().message,
            dir.File("bad.csv") +
                ": no http_req_duration line to report; 2 malformed lines were "
                "skipped, first: " +
                dir.File("bad.csv") + " line 2: timestamp 'soon' is not unix time or RFC 3339");
}

}  // namespace
}  // namespace fourdollar::report

namespace fourdollar::report {
namespace {

// The JSON array embedded in the page for one per-second series.
boost::json::array SeriesOf(const std::string& html, const std::string& key) {
  size_t at = html.find("\"" + key + "\":[");
  if (at == std::string::npos) return {};
  at = html.find('[', at);
  size_t end = html.find(']', at);
  return boost::json::parse(html.substr(at, end - at + 1)).as_array();
}

TEST(WriteReport, ChartsAScrapedServersCpuAndMemory) {
  testing::TempDir dir;
  results::Results run = testing::SyntheticRun({{100, 2}, {100, 2}, {100, 2}});
  // Only scraped (a remote server): CPU seconds 1.0, 1.5, 2.5 and a resident size.
  const double cpu_seconds[] = {1.0, 1.5, 2.5};
  for (size_t i = 0; i < run.seconds.size() && i < 3; ++i) {
    run.seconds[i].scrape["process_cpu_seconds_total"] = cpu_seconds[i];
    run.seconds[i].scrape["process_resident_memory_bytes"] = 8 * 1048576.0;
  }
  ASSERT_TRUE(results::WriteResults(run, dir.File("run")));
  auto built = BuildReport({dir.File("run")});
  ASSERT_TRUE(built) << built.error().message;
  boost::json::array cpu = SeriesOf(built->html, "server_cpu");
  boost::json::array rss = SeriesOf(built->html, "server_rss_mb");
  ASSERT_GE(cpu.size(), 3u) << built->html.substr(0, 200);
  EXPECT_TRUE(cpu[0].is_null());  // no earlier sample to take the growth from
  EXPECT_DOUBLE_EQ(cpu[1].to_number<double>(), 50);
  EXPECT_DOUBLE_EQ(cpu[2].to_number<double>(), 100);
  ASSERT_GE(rss.size(), 3u);
  EXPECT_DOUBLE_EQ(rss[1].to_number<double>(), 8);
}

}  // namespace
}  // namespace fourdollar::report
