#include "results/raw_csv.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "results/results_csv.h"
#include "support/temp_dir.h"

namespace fourdollar::results {
namespace {

class RawCsv : public ::testing::Test {
 protected:
  std::string ReadAll(const std::string& path) {
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }
  test_support::TempDir temp_{"fourdollar-raw"};
  std::string dir_ = temp_.path().string();
};

RequestSample Sample(uint32_t name, int status, FailureKind failure) {
  return RequestSample{.name_index = name,
                       .start_unix_us = 1'700'000'000'900'000,
                       .duration_us = 123'456,
                       .status = status,
                       .failure = failure};
}

TEST_F(RawCsv, WritesNineRowsPerRequestInK6sLayout) {
  const std::string path = dir_ + "/raw-0.csv";
  auto writer = RawCsvWriter::Open(path, {"GET /"});
  ASSERT_TRUE(writer.has_value()) << writer.error().message;
  RequestSample sample = Sample(0, 200, FailureKind::kNone);
  sample.phases = {.blocked_us = 1,
                   .connecting_us = 2000,
                   .tls_handshaking_us = 3500,
                   .sending_us = 40,
                   .waiting_us = 117'000,
                   .receiving_us = 915};
  (*writer)->Write(sample, "GET", "http://h/", "browse");
  ASSERT_TRUE((*writer)->Close().has_value());
  auto records = ParseCsv(ReadAll(path), "raw-0.csv");
  ASSERT_TRUE(records.has_value()) << records.error().message;
  ASSERT_EQ(records->size(), 1 + kRawCsvRowsPerRequest);
  const char* phases[] = {"http_req_blocked", "http_req_connecting", "http_req_tls_handshaking",
                          "http_req_sending", "http_req_waiting",    "http_req_receiving"};
  const char* values[] = {"0.001", "2", "3.5", "0.04", "117", "0.915"};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ((*records)[3 + i].fields[0], phases[i]);
    EXPECT_EQ((*records)[3 + i].fields[2], values[i]);
  }
  for (const CsvRecord& record : *records) EXPECT_EQ(record.fields.size(), kRawCsvColumns);
  EXPECT_EQ(ReadAll(path).substr(0, ReadAll(path).find('\n')), kRawCsvHeader);
  const auto& duration = (*records)[2].fields;
  EXPECT_EQ(duration[0], "http_req_duration");
  EXPECT_EQ(duration[1], "1700000001");  // completed at .900 s + 123 ms
  EXPECT_EQ(duration[2], "123.456");
  EXPECT_EQ(duration[4], "");
  EXPECT_EQ(duration[6], "true");
  EXPECT_EQ(duration[8], "GET");
  EXPECT_EQ(duration[9], "GET /");
  EXPECT_EQ(duration[10], "HTTP/1.1");
  EXPECT_EQ(duration[11], "browse");
  EXPECT_EQ(duration[13], "200");
  EXPECT_EQ(duration[15], "");  // tls_version: plain HTTP
  EXPECT_EQ(duration[16], "http://h/");
  EXPECT_EQ((*records)[1].fields[2], "1");
  EXPECT_EQ((*records)[9].fields[0], "http_req_failed");
  EXPECT_EQ((*records)[9].fields[2], "0");
}

TEST_F(RawCsv, WritesTheConnectionsTlsVersionOnEveryRow) {
  const std::string path = dir_ + "/raw-0.csv";
  auto writer = RawCsvWriter::Open(path, {"GET /"});
  ASSERT_TRUE(writer.has_value()) << writer.error().message;
  RequestSample sample = Sample(0, 200, FailureKind::kNone);
  sample.tls_version = "tls1.3";
  (*writer)->Write(sample, "GET", "https://h/", "browse");
  ASSERT_TRUE((*writer)->Close().has_value());
  auto records = ParseCsv(ReadAll(path), "raw-0.csv");
  ASSERT_TRUE(records.has_value()) << records.error().message;
  ASSERT_EQ(records->size(), 1 + kRawCsvRowsPerRequest);
  EXPECT_EQ((*records)[0].fields[15], "tls_version");
  for (size_t i = 1; i < records->size(); ++i) {
    ASSERT_EQ((*records)[i].fields.size(), kRawCsvColumns);
    EXPECT_EQ((*records)[i].fields[15], "tls1.3") << (*records)[i].fields[0];
    EXPECT_EQ((*records)[i].fields[16], "https://h/");
  }
}

TEST_F(RawCsv, MarksFailuresAndQuotesFields) {
  const std::string path = dir_ + "/raw.csv";
  auto writer = RawCsvWriter::Open(path, {"search, \"quoted\"\nline"});
  ASSERT_TRUE(writer.has_value());
  (*writer)->Write(Sample(0, 0, FailureKind::kTimeout), "POST", "/q?a=1,2", "s");
  ASSERT_TRUE((*writer)->Close().has_value());
  auto records = ParseCsv(ReadAll(path), "raw.csv");
  ASSERT_TRUE(records.has_value()) << records.error().message;
  ASSERT_EQ(records->size(), 1 + kRawCsvRowsPerRequest);
  const auto& failed = (*records)[kRawCsvRowsPerRequest].fields;
  ASSERT_EQ(failed.size(), kRawCsvColumns);
  EXPECT_EQ(failed[2], "1");
  EXPECT_EQ(failed[4], "timeout");
  EXPECT_EQ(failed[6], "false");
  EXPECT_EQ(failed[9], "search, \"quoted\"\nline");
  EXPECT_EQ(failed[13], "0");
  EXPECT_EQ(failed[16], "/q?a=1,2");
}

TEST_F(RawCsv, FlushesEveryRowOfLongRuns) {
  const std::string path = dir_ + "/raw.csv";
  auto writer = RawCsvWriter::Open(path, {"GET /"});
  ASSERT_TRUE(writer.has_value());
  for (int i = 0; i < 5000; ++i)
    (*writer)->Write(Sample(0, 200, FailureKind::kNone), "GET", "/", "s");
  ASSERT_TRUE((*writer)->Close().has_value());
  auto records = ParseCsv(ReadAll(path), "raw.csv");
  ASSERT_TRUE(records.has_value());
  EXPECT_EQ(records->size(), 1u + kRawCsvRowsPerRequest * 5000u);
}

TEST_F(RawCsv, OpenNamesAPathThatCannotBeCreated) {
  auto writer = RawCsvWriter::Open(dir_ + "/missing/raw.csv", {});
  ASSERT_FALSE(writer.has_value());
  EXPECT_NE(writer.error().message.find("missing/raw.csv"), std::string::npos);
}

TEST(RawCsvPartPath, InsertsTheThreadBeforeTheExtension) {
  EXPECT_EQ(RawCsvPartPath("out.csv", 2), "out-2.csv");
  EXPECT_EQ(RawCsvPartPath("dir.d/out", 0), "dir.d/out-0");
  EXPECT_EQ(RawCsvPartPath(".hidden", 1), ".hidden-1");
}

TEST(ParseCsv, NamesTheLineOfAnUnterminatedQuote) {
  auto records = ParseCsv("a,b\n\"c,d\n", "x.csv");
  ASSERT_FALSE(records.has_value());
  EXPECT_EQ(records.error().message, "x.csv line 2: unterminated quoted field");
}

TEST(ParseCsv, RoundTripsQuotedFields) {
  std::string line;
  AppendCsvField(line, "plain");
  line += ',';
  AppendCsvField(line, "a,\"b\"\r\nc");
  auto records = ParseCsv(line + "\nnext\n", "x.csv");
  ASSERT_TRUE(records.has_value()) << records.error().message;
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].fields, (std::vector<std::string>{"plain", "a,\"b\"\r\nc"}));
  EXPECT_EQ((*records)[1].line, 3u);
}

}  // namespace
}  // namespace fourdollar::results
