// `fourdollar bench` end to end: the real binary starts its own server, measures it and writes
// the results and the report.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "e2e/load_process.h"
#include "e2e/server_process.h"
#include "results/results.h"
#include "results/results_files.h"

namespace fourdollar::e2e {
namespace {

TEST(Bench, QuickRunWritesResultsReportAndHeadline) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "bench";
  auto run = RunLoadToExit(dir.path(), {"bench", "--quick", "--out", out.string()}, 90000);
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->exit_code, 0) << run->stdout_text << run->stderr_text;
  const std::string& said = run->stdout_text;
  // The limits it applied, or why not, are said plainly.
  EXPECT_NE(said.find("CPU quota: "), std::string::npos) << said;
  EXPECT_NE(said.find("seeded 1000 posts"), std::string::npos) << said;
  // The one answer, from the sweep's steps: its last line.
  std::smatch headline;
  ASSERT_TRUE(std::regex_search(
      said, headline,
      std::regex(
          R"((1 CPU here, HTTP, keep-alive visitors \(one connection each\): (holds ([0-9]+) requests/s at p95 [0-9.]+ ms|no step held); )"
          R"([^\n]* The article's \$4 VPS \(Go \+ MongoDB\): about 1300 requests/s\.)\n)"
          R"($)")))
      << said;
  const std::string answer = headline[1];
  // The report shows the identical string, on its page and as the first line of its summary.
  auto report = RunLoadToExit(dir.path(), {"report", (out / "limit").string(), "--out",
                                           (dir.path() / "again.html").string()});
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->exit_code, 0) << report->stderr_text;
  EXPECT_EQ(report->stdout_text.substr(0, report->stdout_text.find('\n')), answer);
  EXPECT_NE(ReadTextFile(out / "report.html")
                .find("<p id=\"headline\" class=\"headline\">" + answer + "</p>"),
            std::string::npos);
  EXPECT_EQ(report->stdout_text.find("apart"), std::string::npos) << report->stdout_text;
  // Every step is stated with its figures, and what it means is said.
  EXPECT_NE(said.find("server CPU "), std::string::npos) << said;
  EXPECT_NE(said.find("What this means:\n  Capacity: "), std::string::npos) << said;
  EXPECT_NE(said.find("Limiting resource: "), std::string::npos) << said;
  EXPECT_NE(ReadTextFile(out / "bench.txt").find("What this means:"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(out / "report.html"));
  EXPECT_NE(ReadTextFile(out / "report.html").find("<html"), std::string::npos);
  auto seed = results::ReadResults((out / "seed").string());
  ASSERT_TRUE(seed) << seed.error().message;
  EXPECT_GT(seed->overall.requests, 0u);
  EXPECT_FALSE(seed->seconds.empty());
  EXPECT_TRUE(seed->seconds.front().server_cpu_percent.has_value());  // the server was watched
  auto step = results::ReadResults((out / "limit" / "step-01").string());
  ASSERT_TRUE(step) << step.error().message;
  EXPECT_EQ(step->run.model, "constant-arrival-rate");
  const std::string server_log = ReadTextFile(out / "server" / "server.log");
  std::optional<std::string_view> ready_line = serve::FindReadyLine(server_log);
  ASSERT_TRUE(ready_line) << server_log;
  EXPECT_TRUE(serve::ParseReadyLine(*ready_line)) << *ready_line;
  EXPECT_NE(ReadTextFile(out / "bench.txt").find("1 CPU here"), std::string::npos);
}

TEST(Bench, InterruptStopsTheServerAndKeepsWhatWasMeasured) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "bench";
  auto process = LoadProcess::Start(dir.path(), {"bench", "--quick", "--out", out.string()});
  ASSERT_TRUE(process) << process.error().message;
  // Wait (bounded) until the seed scenario is under way.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ReadTextFile(dir.path() / "load.stdout").find("seed scenario: ") == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the seed scenario did not start";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  process->Signal(SIGINT);
  auto run = process->Wait(30000);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 130) << run->stdout_text << run->stderr_text;
  EXPECT_NE(run->stdout_text.find("server: exited with code 0"), std::string::npos)
      << run->stdout_text;
  EXPECT_EQ(run->stdout_text.find("limit search"), std::string::npos) << run->stdout_text;
  auto seed = results::ReadResults((out / "seed").string());
  ASSERT_TRUE(seed) << seed.error().message;
  EXPECT_TRUE(seed->run.interrupted);
  EXPECT_TRUE(std::filesystem::exists(out / "report.html"));
}

TEST(Bench, RefusesMoreCpusThanTheMachineHas) {
  TempDir dir;
  auto run = RunLoadToExit(dir.path(),
                           {"bench", "--cpus", "1024", "--out", (dir.path() / "bench").string()});
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 2);
  EXPECT_NE(run->stderr_text.find("--cpus 1024: this process may use only"), std::string::npos)
      << run->stderr_text;
}

TEST(Bench, RefusesAMemorySizeItCannotRead) {
  TempDir dir;
  auto run = RunLoadToExit(dir.path(), {"bench", "--memory", "5X"});
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 2);
  EXPECT_NE(run->stderr_text.find("--memory \"5X\": unknown unit"), std::string::npos)
      << run->stderr_text;
}

TEST(Bench, RefusesANodeExporterUrlItCannotRead) {
  TempDir dir;
  auto run = RunLoadToExit(dir.path(), {"bench", "--scrape-node", "https://node:9100/metrics",
                                        "--out", (dir.path() / "bench").string()});
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 2);
  EXPECT_NE(run->stderr_text.find("--scrape-node https://node:9100/metrics: give one http:// URL"),
            std::string::npos)
      << run->stderr_text;
}

TEST(Bench, RemoteTargetNeedsTheWriteToken) {
  TempDir dir;
  auto run = RunLoadToExit(dir.path(), {"bench", "--target", "http://127.0.0.1:1", "--out",
                                        (dir.path() / "bench").string()});
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 2);
  EXPECT_NE(run->stderr_text.find("FOURDOLLAR_WRITE_TOKEN"), std::string::npos) << run->stderr_text;
}

}  // namespace
}  // namespace fourdollar::e2e

namespace fourdollar::e2e {
namespace {

TEST(Bench, TargetSkipsTheLocalServerAndScrapesTheRemoteOne) {
  TempDir server_dir;
  auto server = ServerProcess::Start(server_dir.path(), {});
  ASSERT_TRUE(server) << server.error().message;
  TempDir dir;
  const std::filesystem::path out = dir.path() / "bench";
  // The child inherits the token through the environment, as a user would pass it.
  ::setenv("FOURDOLLAR_WRITE_TOKEN", (*server)->token().c_str(), 1);
  auto run = RunLoadToExit(dir.path(),
                           {"bench", "--quick", "--target", (*server)->ready().url(), "--posts",
                            "20", "--no-find-limit", "--out", out.string()},
                           90000);
  ::unsetenv("FOURDOLLAR_WRITE_TOKEN");
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->exit_code, 0) << run->stdout_text << run->stderr_text;
  EXPECT_FALSE(std::filesystem::exists(out / "server"));  // no local server was started
  EXPECT_NE(run->stdout_text.find((*server)->ready().url()), std::string::npos) << run->stdout_text;
  auto seed = results::ReadResults((out / "seed").string());
  ASSERT_TRUE(seed) << seed.error().message;
  EXPECT_GT(seed->overall.requests, 0u);
  bool scraped = false;
  for (const results::SecondRow& row : seed->seconds) {
    scraped = scraped || row.scrape.count("fourdollar_http_requests_total") > 0;
  }
  EXPECT_TRUE(scraped);
  EXPECT_TRUE(std::filesystem::exists(out / "report.html"));
}

}  // namespace
}  // namespace fourdollar::e2e
