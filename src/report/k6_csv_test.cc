#include "report/k6_csv.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "report/report_test_support.h"
#include "results/raw_csv.h"
#include "results/results_test_support.h"

namespace fourdollar::report {
namespace {

using testing::TempDir;

constexpr char kHeader19[] =
    "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,"
    "name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata\n";
constexpr char kHeader18[] =
    "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,"
    "name,proto,scenario,service,status,subproto,tls_version,url,extra_tags\n";
constexpr char kHeader16[] =
    "metric_name,timestamp,metric_value,check,error,error_code,group,method,name,proto,scenario,"
    "status,subproto,tls_version,url,extra_tags\n";

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

void WriteGzip(const std::string& path, const std::vector<std::string>& members) {
  std::ofstream out(path, std::ios::binary);
  for (const std::string& member : members) {
    const std::string part = path + ".part";
    gzFile gz = gzopen(part.c_str(), "wb");
    ASSERT_NE(gz, nullptr);
    ASSERT_EQ(gzwrite(gz, member.data(), static_cast<unsigned>(member.size())),
              static_cast<int>(member.size()));
    gzclose(gz);
    std::ifstream in(part, std::ios::binary);
    out << in.rdbuf();
  }
}

// Nearest-rank percentile of the values, computed without the histogram.
int64_t NearestRank(std::vector<int64_t> values, double p) {
  std::sort(values.begin(), values.end());
  const size_t rank = std::max<size_t>(
      1, static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size()))));
  return values[rank - 1];
}

TEST(K6Csv, ReadsThe19ColumnLayoutWithTotalsAndPercentilesOfEveryRequest) {
  TempDir dir;
  const std::string path = dir.File("k6.csv");
  const results::RunInfo run = results::testing::SampleRun();
  auto writer = results::RawCsvWriter::Open(path, run.names);
  ASSERT_TRUE(writer) << writer.error().message;
  std::vector<int64_t> durations;
  uint64_t failed = 0, status_500 = 0;
  for (int i = 0; i < 3000; ++i) {
    const results::RequestSample sample = results::testing::SampleRequest(i);
    (*writer)->Write(sample, "GET", "http://127.0.0.1:8080/", "default");
    durations.push_back(sample.duration_us);
    failed += sample.failure != results::FailureKind::kNone;
    status_500 += sample.status == 500;
  }
  ASSERT_TRUE((*writer)->Close());

  Result<K6Import> imported = ReadK6Csv(path);
  ASSERT_TRUE(imported) << imported.error().message;
  const results::Results& results = imported->results;
  EXPECT_EQ(imported->skipped_lines, 0u);
  EXPECT_EQ(imported->data_lines, 3000u * results::kRawCsvRowsPerRequest);
  EXPECT_EQ(results.overall.requests, 3000u);
  EXPECT_EQ(results.overall.failed(), failed);
  EXPECT_EQ(results.overall.by_status.at(500), status_500);
  EXPECT_EQ(results.overall.failures[static_cast<size_t>(results::FailureKind::kTimeout)],
            30u);  // i % 101 == 0
  for (double p : {50.0, 90.0, 95.0, 99.0, 100.0}) {
    const int64_t exact = NearestRank(durations, p);
    const int64_t from_histogram = results.overall.duration.PercentileUs(p);
    EXPECT_GE(from_histogram, exact) << p;
    EXPECT_LE(from_histogram, exact + exact / 1024 + 1) << p;
  }
  EXPECT_EQ(results.run.names.size(), 3u);
  EXPECT_EQ(results.run.model, "k6");
  EXPECT_EQ(results.run.start_unix_ms, results::testing::kStartUnixMs);
}

TEST(K6Csv, Reads18ColumnsWithUnixMilliseconds) {
  std::string text = kHeader18;
  text +=
      "http_req_duration,1700000000500,12.5,,,,true,,GET,home,HTTP/1.1,default,,200,,,"
      "http://x/,\n";
  text +=
      "http_req_duration,1700000001999,7.25,,,,true,,GET,home,HTTP/1.1,default,,200,,,"
      "http://x/,\n";
  text += "http_req_failed,1700000001999,0,,,,true,,GET,home,HTTP/1.1,default,,200,,,http://x/,\n";
  Result<K6Import> imported = ParseK6Csv(text, "k6.csv");
  ASSERT_TRUE(imported) << imported.error().message;
  const results::Results& results = imported->results;
  ASSERT_EQ(results.seconds.size(), 2u);
  EXPECT_EQ(results.seconds[0].data.names.at(0).requests, 1u);
  EXPECT_EQ(results.seconds[1].data.names.at(0).duration.max_us(), 7250);
  EXPECT_EQ(results.overall.failed(), 0u);
}

TEST(K6Csv, Reads16ColumnsWithRfc3339Timestamps) {
  std::string text = kHeader16;
  text += "http_req_duration,2023-11-14T22:13:20Z,3,,,,,GET,a,HTTP/1.1,default,200,,,/a,\n";
  text += "http_req_duration,2023-11-14T23:13:21.5+01:00,4,,,,,GET,b,HTTP/1.1,default,404,,,/b,\n";
  text += "vus,2023-11-14T22:13:21Z,7,,,,,,,,,,,,,\n";
  text += "iterations,2023-11-14T22:13:21Z,1,,,,,,,,,,,,,\n";
  Result<K6Import> imported = ParseK6Csv(text, "old.csv");
  ASSERT_TRUE(imported) << imported.error().message;
  const results::Results& results = imported->results;
  EXPECT_EQ(results.run.start_unix_ms, 1'700'000'000'000);
  ASSERT_EQ(results.seconds.size(), 2u);
  EXPECT_EQ(results.seconds[1].data.active_vus, 7);
  EXPECT_EQ(results.iterations, 1u);
  // No http_req_failed rows at all: statuses >= 400 count as failed.
  EXPECT_EQ(results.overall.failed(), 1u);
  EXPECT_EQ(results.run.names, (std::vector<std::string>{"a", "b"}));
}

TEST(K6Csv, FindsColumnsByTheHeaderNotByPosition) {
  const std::string text =
      "status,name,metric_value,timestamp,metric_name\n"
      "200,x,5,1700000000,http_req_duration\n"
      "503,x,9,1700000000,http_req_duration\n"
      "503,x,1,1700000000,http_req_failed\n";
  Result<K6Import> imported = ParseK6Csv(text, "odd.csv");
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->results.overall.requests, 2u);
  EXPECT_EQ(imported->results.overall.failed(), 1u);
  EXPECT_EQ(imported->results.overall.duration.max_us(), 9000);
}

TEST(K6Csv, QuotedFieldsKeepCommasQuotesAndLineBreaks) {
  std::string text = kHeader19;
  text +=
      "http_req_duration,1700000000,1,,,,true,,GET,\"GET /a, \"\"b\"\"\",HTTP/1.1,d,,200,,,"
      "\"http://x/a,b\",\"k=v\nw\",\n";
  text += "http_req_duration,1700000000,2,,,,true,,GET,plain,HTTP/1.1,d,,200,,,/p,,\n";
  text += "http_req_duration,1700000000,2,,,,true,,GET,plain,HTTP/1.1,d,,200,,,/p\n";
  Result<K6Import> imported = ParseK6Csv(text, "q.csv");
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->results.run.names, (std::vector<std::string>{"GET /a, \"b\"", "plain"}));
  ASSERT_EQ(imported->skipped_lines, 1u);
  // The quoted line break makes the third record start on line 5.
  EXPECT_EQ(imported->skipped_examples.at(0), "q.csv line 5: expected 19 fields, found 17");
}

TEST(K6Csv, SkipsMalformedLinesNamingThemAndCountingThem) {
  std::string text = kHeader19;
  const std::string good = "http_req_duration,1700000000,1,,,,true,,GET,n,HTTP/1.1,d,,200,,,/,,\n";
  text += good;                                                                        // line 2
  text += "http_req_duration,1700000000,1,,,,true\n";                                  // line 3
  text += "http_req_duration,yesterday,1,,,,true,,GET,n,HTTP/1.1,d,,200,,,/,,\n";      // line 4
  text += "http_req_duration,1700000000,fast,,,,true,,GET,n,HTTP/1.1,d,,200,,,/,,\n";  // line 5
  text += "http_req_duration,1700000000,1,,,,true,,GET,n,HTTP/1.1,d,,2000,,,/,,\n";    // line 6
  text += good;                                                                        // line 7
  text += "http_req_duration,1700000000,1,,,,true,,GET,\"unterminated,,,\n";           // line 8
  Result<K6Import> imported = ParseK6Csv(text, "bad.csv");
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->results.overall.requests, 2u);
  EXPECT_EQ(imported->skipped_lines, 5u);
  EXPECT_EQ(imported->data_lines, 7u);  // unsplittable lines count too (found by fuzzing)
  ASSERT_EQ(imported->skipped_examples.size(), 5u);
  EXPECT_EQ(imported->skipped_examples[0], "bad.csv line 3: expected 19 fields, found 7");
  EXPECT_EQ(imported->skipped_examples[1],
            "bad.csv line 4: timestamp 'yesterday' is not unix time or RFC 3339");
  EXPECT_EQ(imported->skipped_examples[2],
            "bad.csv line 5: metric_value 'fast' is not a number >= 0");
  EXPECT_EQ(imported->skipped_examples[3], "bad.csv line 6: status '2000' is not an HTTP status");
  EXPECT_EQ(imported->skipped_examples[4], "bad.csv line 8: unterminated quoted field");
}

TEST(K6Csv, SkipsNanAndInfinityValues) {
  std::string text = "metric_name,timestamp,metric_value,name\n";
  text += "http_req_duration,1700000000,nan,a\n";        // line 2
  text += "http_req_duration,1700000000,inf,a\n";        // line 3
  text += "http_req_duration,1700000000,-infinity,a\n";  // line 4
  text += "http_req_duration,1700000000,1e400,a\n";      // line 5
  text += "http_req_duration,1700000000,2.5,a\n";
  Result<K6Import> imported = ParseK6Csv(text, "nan.csv");
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->results.overall.requests, 1u);
  ASSERT_EQ(imported->skipped_examples.size(), 4u);
  EXPECT_EQ(imported->skipped_examples[0],
            "nan.csv line 2: metric_value 'nan' is not a number >= 0");
  EXPECT_EQ(imported->skipped_examples[1],
            "nan.csv line 3: metric_value 'inf' is not a number >= 0");
  EXPECT_EQ(imported->skipped_examples[3],
            "nan.csv line 5: metric_value '1e400' is not a number >= 0");
}

TEST(K6Csv, ReadsWindowsLineEndings) {
  std::string text = "metric_name,timestamp,metric_value,name\r\n";
  text += "http_req_duration,1700000000,4,a\r\nhttp_req_duration,1700000000,6,a\r\n";
  Result<K6Import> imported = ParseK6Csv(text, "crlf.csv");
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->results.run.names, (std::vector<std::string>{"a"}));
  EXPECT_EQ(imported->results.overall.requests, 2u);
}

TEST(K6Csv, RefusesAFileWithoutTheRequiredColumns) {
  Result<K6Import> imported = ParseK6Csv("metric,timestamp,metric_value\nx,1,2\n", "no.csv");
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().message,
            "no.csv line 1: not a k6 CSV header: no column 'metric_name'");
  Result<K6Import> empty = ParseK6Csv("", "empty.csv");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "empty.csv empty file: no k6 CSV header");
}

TEST(K6Csv, GzipOfSeveralMembersAcrossChunksEqualsThePlainFile) {
  TempDir dir;
  // Over 8 MiB inflated, so records (quoted ones too) straddle the chunks.
  std::string first = kHeader19;
  std::string second;
  for (int i = 0; i < 120000; ++i) {
    std::string& into = i < 60000 ? first : second;
    into += "http_req_duration," + std::to_string(1'700'000'000 + i / 1000) + "," +
            std::to_string(1 + i % 977) + ".5,,,,true,,GET,\"name, " + std::to_string(i % 3) +
            "\",HTTP/1.1,default,,200,,,http://127.0.0.1/,,\n";
  }
  WriteFile(dir.File("plain.csv"), first + second);
  WriteGzip(dir.File("packed.csv.gz"), {first, second});
  Result<K6Import> plain = ReadK6Csv(dir.File("plain.csv"));
  Result<K6Import> packed = ReadK6Csv(dir.File("packed.csv.gz"));
  ASSERT_TRUE(plain) << plain.error().message;
  ASSERT_TRUE(packed) << packed.error().message;
  EXPECT_EQ(packed->skipped_lines, 0u);
  EXPECT_EQ(packed->results.overall.requests, 120000u);
  EXPECT_EQ(packed->results.seconds, plain->results.seconds);
  EXPECT_EQ(packed->results.run.names, plain->results.run.names);
  EXPECT_EQ(packed->results.run.start_unix_ms, plain->results.run.start_unix_ms);
}

TEST(K6Csv, RefusesCorruptGzip) {
  TempDir dir;
  WriteGzip(dir.File("k6.csv.gz"), {std::string(kHeader19) + "http_req_duration,1,1\n"});
  std::string bytes;
  {
    std::ifstream in(dir.File("k6.csv.gz"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  WriteFile(dir.File("cut.csv.gz"), bytes.substr(0, bytes.size() / 2));
  Result<K6Import> imported = ReadK6Csv(dir.File("cut.csv.gz"));
  ASSERT_FALSE(imported);
  EXPECT_NE(imported.error().message.find("cut.csv.gz: truncated gzip data"), std::string::npos)
      << imported.error().message;
}

// Converting 1e300 ms to whole microseconds was undefined (UBSan, in the fuzz build).
TEST(K6Csv, SkipsValuesThatAreHugeOrNotANumber) {
  Result<K6Import> imported = ParseK6Csv(
      "metric_name,timestamp,metric_value\n"
      "http_req_duration,1700000000,1e300\n"
      "iterations,1700000000,nan\n"
      "http_req_duration,1700000000,2.5\n",
      "big.csv");
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->results.overall.requests, 1u);
  EXPECT_EQ(imported->results.iterations, 0u);
  ASSERT_EQ(imported->skipped_examples.size(), 2u);
  EXPECT_EQ(imported->skipped_examples[0], "big.csv line 2: metric_value '1e300' is over 1e12");
  EXPECT_EQ(imported->skipped_examples[1],
            "big.csv line 3: metric_value 'nan' is not a number >= 0");
}

// Found by fuzzing: one timestamp a year off made the reader allocate a row for every second.
TEST(K6Csv, RefusesTimestampsSpanningMoreThanAWeekNamingTheLines) {
  auto imported = ParseK6Csv(
      "metric_name,timestamp,metric_value\n"
      "http_req_duration,1700000000,1.5\n"
      "http_req_duration,1731536000,1.5\n"
      "http_req_duration,1700000001,1.5\n",
      "k6.csv");
  ASSERT_FALSE(imported.has_value());
  EXPECT_EQ(imported.error().message,
            "k6.csv: the timestamps span 31536001 seconds, from line 2 to line 3: more than the "
            "week a report covers (is a timestamp wrong?)");
}

}  // namespace
}  // namespace fourdollar::report
