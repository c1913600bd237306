// Broken scenario files and k6 CSV files given to the real binary: each gets a message naming the
// file (and the line, where there is one) on stderr and a non-zero exit, never a crash or a run.
// The loaders' unit tests cover every kind of mistake; these run a representative set end to end.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "e2e/load_process.h"
#include "e2e/server_process.h"

namespace fourdollar::e2e {
namespace {

struct BadFile {
  const char* name;
  std::string text;
  std::string expected;  // in stderr, after the file's path
};

void PrintTo(const BadFile& c, std::ostream* out) { *out << c.name; }

class BadFiles : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_.path() / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Runs the binary to its exit; it must exit with 2 and say `expected` after the path.
  void ExpectRefused(const std::vector<std::string>& args, const std::string& path,
                     const std::string& expected) {
    auto run = RunLoadToExit(dir_.path(), args, 20000);
    ASSERT_TRUE(run.has_value()) << run.error().message;
    EXPECT_EQ(run->exit_code, 2) << run->stderr_text;
    EXPECT_NE(run->stderr_text.find(path + expected), std::string::npos)
        << "expected '" << path + expected << "' in: " << run->stderr_text;
  }

  TempDir dir_;
};

class BadScenario : public BadFiles, public ::testing::WithParamInterface<BadFile> {};

const BadFile kScenarios[] = {
    {"Empty", "", ": the file is empty"},
    {"TabIndented", "vus: 1\nduration: 1s\nscenarios:\n\ts:\n\t\tflow: [{get: /}]\n",
     ":4:3: illegal map value (line 4 is indented with a tab"},
    {"Truncated", "vus: 1\nduration: 1s\nscenarios:\n  s:\n    flow: [{get: /", ":5:1: "},
    {"BinaryGarbage",
     std::string("\x7f"
                 "ELF\x02\x01\x01\x00\xff\xfe\x00\x00",
                 12),
     ":1:"},
    {"UnknownKey", "vus: 1\nduration: 1s\nscenarios: {s: {flow: [{get: /}]}}\ntresholds: {}\n",
     ":4:1: tresholds: unknown key \"tresholds\" (did you mean thresholds?)"},
    {"WrongType", "vus: [1]\nduration: 1s\nscenarios: {s: {flow: [{get: /}]}}\n",
     ":1:6: vus: expected a whole number"},
    {"BadDuration", "vus: 1\nduration: 10x\nscenarios: {s: {flow: [{get: /}]}}\n",
     ":2:11: duration: duration \"10x\": unknown unit \"x\""},
    {"PercentThreshold",
     "vus: 1\nduration: 1s\nscenarios: {s: {flow: [{get: /}]}}\nthresholds:\n  "
     "http_req_failed: [\"rate<5%\"]\n",
     ":5:21: thresholds.http_req_failed: threshold \"rate<5%\""},
    {"BadTemplate",
     "vus: 1\nduration: 1s\nscenarios: {s: {flow: [{post: /, body: 'x ${random.int(1,5)'}]}}\n",
     ":3:40: scenarios.s.flow[0].body: unterminated ${"},
    {"MissingFlow", "vus: 1\nduration: 1s\nscenarios: {s: {weight: 1}}\n",
     ":3:16: scenarios.s: a scenario needs a flow"},
    {"RevalidateNotBoolean",
     "vus: 1\nduration: 1s\nscenarios: {s: {flow: [{get: /, revalidate: yes}]}}\n",
     ":3:45: scenarios.s.flow[0].revalidate: expected true or false"},
};

TEST_P(BadScenario, LoadExitsWithTwoNamingFileAndLine) {
  const std::string path = Write("scenario.yaml", GetParam().text);
  // Nothing listens on port 9 of 127.0.0.1: a file that got as far as running would fail there.
  ASSERT_NO_FATAL_FAILURE(ExpectRefused(
      {"load", path, "--target", "http://127.0.0.1:9", "--out", (dir_.path() / "out").string()},
      path, GetParam().expected));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "out"));
}

TEST_F(BadFiles, LoadRefusesATargetFlagWithAPathRatherThanDropIt) {
  const std::string path =
      Write("scenario.yaml", "vus: 1\nduration: 1s\nscenarios: {s: {flow: [{get: /}]}}\n");
  auto run = RunLoadToExit(dir_.path(),
                           {"load", path, "--target", "http://127.0.0.1:9/blog", "--out",
                            (dir_.path() / "out").string()},
                           20000);
  ASSERT_TRUE(run.has_value()) << run.error().message;
  EXPECT_EQ(run->exit_code, 2) << run->stderr_text;
  EXPECT_NE(run->stderr_text.find("--target: target \"http://127.0.0.1:9/blog\": give only "
                                  "http[s]://HOST[:PORT]"),
            std::string::npos)
      << run->stderr_text;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "out"));
}

INSTANTIATE_TEST_SUITE_P(Mistakes, BadScenario, ::testing::ValuesIn(kScenarios),
                         [](const auto& test) { return std::string(test.param.name); });

class BadK6Csv : public BadFiles, public ::testing::WithParamInterface<BadFile> {};

constexpr const char* kHeader = "metric_name,timestamp,metric_value,name,status\n";

const BadFile kCsvs[] = {
    {"Empty", "", ": neither a results folder"},
    {"BinaryGarbage", std::string("\x1f\x8b\x08\x00garbage\x00\xff", 13), ": "},
    {"TabSeparated", "metric_name\ttimestamp\tmetric_value\nhttp_req_duration\t1700000000\t1\n",
     " line 1: not a k6 CSV header: no column 'metric_name'"},
    {"HeaderOnly", kHeader, ": no http_req_duration line to report"},
    {"BadColumnCount", std::string(kHeader) + "http_req_duration,1700000000\n",
     " line 2: expected 5 fields, found 2"},
    {"BadNumber", std::string(kHeader) + "http_req_duration,1700000000,fast,a,200\n",
     " line 2: metric_value 'fast' is not a number >= 0"},
    {"NotANumber", std::string(kHeader) + "http_req_duration,1700000000,nan,a,200\n",
     " line 2: metric_value 'nan' is not a number >= 0"},
    {"BadTimestamp", std::string(kHeader) + "http_req_duration,yesterday,1,a,200\n",
     " line 2: timestamp 'yesterday' is not unix time or RFC 3339"},
    {"OverflowingTimestamp",
     std::string(kHeader) + "http_req_duration,99999999999999999999999,1,a,200\n",
     " line 2: timestamp '99999999999999999999999' is not unix time or RFC 3339"},
    {"BadStatus", std::string(kHeader) + "http_req_duration,1700000000,1,a,2000\n",
     " line 2: status '2000' is not an HTTP status"},
    {"Truncated", std::string(kHeader) + "http_req_duration,1700000000,1,\"a", " line 2: "},
};

TEST_P(BadK6Csv, ReportExitsWithTwoNamingFileAndLine) {
  const std::string path = Write("k6.csv", GetParam().text);
  ASSERT_NO_FATAL_FAILURE(ExpectRefused(
      {"report", path, "--out", (dir_.path() / "r.html").string()}, path, GetParam().expected));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "r.html"));
}

INSTANTIATE_TEST_SUITE_P(Mistakes, BadK6Csv, ::testing::ValuesIn(kCsvs),
                         [](const auto& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace fourdollar::e2e
