// `fourdollar load` against the real `fourdollar serve`, compared with the server's own counts.
#include <signal.h>
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "base/open_files.h"
#include "e2e/load_process.h"
#include "e2e/prometheus_text.h"
#include "e2e/server_fixture.h"
#include "results/raw_csv.h"
#include "results/results.h"
#include "results/results_csv.h"
#include "results/results_files.h"
#include "results/results_merge.h"

namespace fourdollar::e2e {
namespace {

class LoadTest : public ServerTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartServer()); }

  std::filesystem::path WriteScenario(const std::string& name, const std::string& yaml) {
    std::filesystem::path path = data_dir_.path() / name;
    std::ofstream(path) << yaml;
    return path;
  }

  // A scenario of one GET /healthz per iteration, started as `execution` (YAML lines) says.
  static std::string HealthScenario(const std::string& execution) {
    return execution + "\nscenarios:\n  health:\n    flow:\n      - get: /healthz\n";
  }

  // `fourdollar load` of GET /healthz started as `arrival` (its YAML line) says, results in
  // `out`, running in the background.
  Result<LoadProcess> StartHealthLoad(const std::string& arrival,
                                      const std::filesystem::path& out) {
    const std::filesystem::path scenario =
        WriteScenario(out.filename().string() + ".yaml", HealthScenario(arrival));
    return LoadProcess::Start(data_dir_.path(), {"load", scenario.string(), "--target",
                                                 server_->ready().url(), "--out", out.string()});
  }

  // The sum of a counter's samples with these labels on /metrics.
  double Metric(std::string_view name, const std::map<std::string, std::string>& labels = {}) {
    HttpResponse response = Get("/metrics");
    std::optional<double> value = FindSample(response.body, name, labels);
    return value.value_or(0);
  }

  double AllRequests() {
    HttpResponse response = Get("/metrics");
    double total = 0;
    std::string_view text = response.body;
    constexpr std::string_view kName = "fourdollar_http_requests_total{";
    for (size_t at = text.find(kName); at != std::string_view::npos;
         at = text.find(kName, at + 1)) {
      size_t end = text.find('\n', at);
      std::string_view line = text.substr(at, end - at);
      total += std::stod(std::string(line.substr(line.rfind(' ') + 1)));
    }
    return total;
  }

  Result<results::Results> RunAndRead(const std::filesystem::path& scenario,
                                      std::vector<std::string> extra, int expected_exit = 0) {
    std::filesystem::path out = data_dir_.path() / ("out-" + std::to_string(runs_++));
    std::vector<std::string> args = {"load",  scenario.string(), "--target", server_->ready().url(),
                                     "--out", out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    Result<LoadRun> run = RunLoadToExit(data_dir_.path(), args);
    if (!run) return tl::unexpected(run.error());
    EXPECT_EQ(run->exit_code, expected_exit) << run->stderr_text << run->stdout_text;
    return results::ReadResults(out.string());
  }

  uint64_t RequestsNamed(const results::Results& results, const std::string& name) {
    for (uint32_t i = 0; i < results.run.names.size(); ++i) {
      if (results.run.names[i] == name) {
        auto it = results.names.find(i);
        return it == results.names.end() ? 0 : it->second.requests;
      }
    }
    return 0;
  }

  int runs_ = 0;
};

constexpr const char* kSeedLike = R"yaml(
stages:
  - {duration: 1s, target: 10}
  - {duration: 1s, target: 10}
scenarios:
  writers:
    weight: 10
    flow:
      - post: /
        name: create post
        headers: {Authorization: "Bearer ${TOKEN}"}
        json: {title: "${random.words(3,8)}", body: "${random.text(20,200)}"}
        check: {status: 200}
  readers:
    weight: 90
    flow:
      - get: /
        name: list
        capture: {regex: 'href="/(\d+)"', pick: random, as: post_id}
      - get: /${post_id}
        name: open post
thresholds:
  http_req_failed: ["rate<0.01"]
)yaml";

TEST_F(LoadTest, RequestCountsEqualTheServersCounts) {
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(CreatePost("seed " + std::to_string(i), "body").status, 303);
  double posts_before = Metric("fourdollar_posts_stored_total");
  double requests_before = AllRequests();  // a scrape counts itself only in the next one
  auto results =
      RunAndRead(WriteScenario("seed.yaml", kSeedLike), {"--env", "TOKEN=" + server_->token()});
  ASSERT_TRUE(results) << results.error().message;
  double requests_after = AllRequests();
  // Between the two scrapes the server answered the load's requests and the first scrape.
  EXPECT_EQ(static_cast<uint64_t>(requests_after - requests_before - 1), results->overall.requests);
  uint64_t created = RequestsNamed(*results, "create post");
  EXPECT_GT(created, 0u);
  EXPECT_EQ(static_cast<uint64_t>(Metric("fourdollar_posts_stored_total") - posts_before), created);
  // Every 303 was followed, as its own request.
  EXPECT_EQ(RequestsNamed(*results, "create post (redirect)"), created);
  EXPECT_EQ(results->overall.failed(), 0u);
  EXPECT_GT(RequestsNamed(*results, "open post"), 0u);
}

TEST_F(LoadTest, ArrivalRateIsWithinTwoPercent) {
  auto results = RunAndRead(WriteScenario("rate.yaml", R"yaml(
arrival: {rate: 200, duration: 3s, max_vus: 50}
scenarios:
  health:
    flow:
      - get: /healthz
)yaml"),
                            {});
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_NEAR(static_cast<double>(results->iterations), 600, 12);
  EXPECT_EQ(results->dropped_iterations, 0u);
  // Each of the 3 seconds in the results folder's rows, not only the total, holds the rate (the
  // run's duration ends with its last arrival, 5 ms before the third second's end).
  int full_seconds = 0;
  for (const auto& row : results->seconds) {
    if (row.second >= 3) continue;
    ++full_seconds;
    EXPECT_NEAR(static_cast<double>(row.data.iterations), 200, 4) << "second " << row.second;
  }
  EXPECT_EQ(full_seconds, 3);
}

TEST_F(LoadTest, ArrivalsStartedTogetherAreEachMeasuredFromWhenTheyStarted) {
  // At 20,000 per second arrivals are 50 µs apart, so the generator starts several in one
  // wake-up, some before they are due. A request measured from a due time still ahead would
  // show a duration shorter than its exchange, or below zero on a fast loopback answer.
  auto results = RunAndRead(WriteScenario("batched.yaml", R"yaml(
arrival: {rate: 20000, duration: 500ms, max_vus: 500}
scenarios:
  health:
    flow:
      - get: /healthz
)yaml"),
                            {});
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_NEAR(static_cast<double>(results->iterations + results->dropped_iterations), 10'000, 200);
  EXPECT_EQ(results->overall.failed(), 0u);
  EXPECT_GT(results->overall.duration.min_us(), 0);
}

TEST_F(LoadTest, StalledServerShowsInOpenModelLatency) {
  std::filesystem::path out = data_dir_.path() / "stall";
  auto process = StartHealthLoad("arrival: {rate: 100, duration: 3s, max_vus: 200}", out);
  ASSERT_TRUE(process) << process.error().message;
  // The server stops answering for 500 ms in the middle of the run.
  struct timespec one_second {
    1, 0
  }, half_second{0, 500'000'000};
  nanosleep(&one_second, nullptr);
  kill(server_->pid(), SIGSTOP);
  nanosleep(&half_second, nullptr);
  kill(server_->pid(), SIGCONT);
  auto run = process->Wait(30000);
  ASSERT_TRUE(run) << run.error().message;
  auto results = results::ReadResults(out.string());
  ASSERT_TRUE(results) << results.error().message;
  // Requests due during the stall count the time they waited to be sent (no coordinated
  // omission): the worst is about the stall's length, though each was sent after it.
  EXPECT_GE(results->overall.duration.max_us(), 400'000);
  EXPECT_GE(results->overall.duration.PercentileUs(90), 50'000);
}

// As the server does (Startup.SizesItsDescriptorTableForEveryConnectionBeforeServing), the
// generator sizes its descriptor table for every VU's connection before its threads start, so
// that connecting the VUs never stalls a load thread while the kernel grows the table.
TEST_F(LoadTest, SizesItsDescriptorTableForEveryVuBeforeStarting) {
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  const uint64_t wanted = std::min<uint64_t>(3000 + kDescriptorsBesideConnections, limit.rlim_max);
  ASSERT_GT(wanted, 1024u) << "the hard open-file limit (" << limit.rlim_max << ") is too low";
  std::filesystem::path out = data_dir_.path() / "table";
  // A few VUs at a time of the 3,000 allowed: only the reservation makes the table that large.
  auto process = StartHealthLoad("arrival: {rate: 20, duration: 3s, max_vus: 3000}", out);
  ASSERT_TRUE(process) << process.error().message;
  // Until the table is that large or the run has ended (its status then reads 0).
  uint64_t slots = 0;
  for (int polls = 0; polls < 1000; ++polls) {
    const uint64_t now = FileDescriptorTableSize(process->pid());
    if (now == 0 || now >= wanted) {
      slots = std::max(slots, now);
      break;
    }
    slots = now;
    struct timespec ten_ms {
      0, 10'000'000
    };
    nanosleep(&ten_ms, nullptr);
  }
  EXPECT_GE(slots, wanted);
  auto run = process->Wait(30000);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 0) << run->stderr_text;
}

// The request rows of one metric in a run's raw CSV (its values, in milliseconds).
std::vector<double> RawValues(const std::filesystem::path& out, std::string_view metric) {
  std::ifstream raw(out / "raw-0.csv");
  std::stringstream text;
  text << raw.rdbuf();
  auto records = results::ParseCsv(text.str(), "raw-0.csv");
  std::vector<double> values;
  if (!records) return values;
  for (size_t i = 1; i < records->size(); ++i) {
    if ((*records)[i].fields[0] == metric) values.push_back(std::stod((*records)[i].fields[2]));
  }
  return values;
}

// 20 arrivals a second of a request that takes well under a millisecond (one VU or two at a
// time) with `pre_allocated_vus`: the connections the server accepted for the run, and the
// longest `connecting` phase of its requests (ms).
struct PreAllocatedRun {
  double connections = 0;
  double longest_connecting_ms = 0;
};

class PreAllocatedTest : public LoadTest {
 protected:
  PreAllocatedRun Run(int pre_allocated_vus) {
    const double before = Metric("fourdollar_http_connections_total");
    auto results = RunAndRead(
        WriteScenario("pre.yaml", HealthScenario("arrival: {rate: 20, duration: 1s, max_vus: 100, "
                                                 "pre_allocated_vus: " +
                                                 std::to_string(pre_allocated_vus) + "}")),
        {"--raw-csv"});
    EXPECT_TRUE(results) << results.error().message;
    if (!results) return {};
    EXPECT_EQ(results->dropped_iterations, 0u);
    EXPECT_EQ(results->overall.failed(), 0u);
    const std::vector<double> connecting =
        RawValues(data_dir_.path() / ("out-" + std::to_string(runs_ - 1)), "http_req_connecting");
    EXPECT_EQ(connecting.size(), results->overall.requests);
    PreAllocatedRun run;
    // Less the scrape that reads the count.
    run.connections = Metric("fourdollar_http_connections_total") - before - 1;
    if (!connecting.empty()) {
      run.longest_connecting_ms = *std::max_element(connecting.begin(), connecting.end());
    }
    return run;
  }
};

TEST_F(PreAllocatedTest, VusConnectBeforeTheFirstArrival) {
  PreAllocatedRun run = Run(30);
  EXPECT_EQ(run.connections, 30);
  // Every request went out on a connection already open.
  EXPECT_EQ(run.longest_connecting_ms, 0.0);
}

TEST_F(PreAllocatedTest, WithoutThemEachNewVuConnectsOnItsFirstRequest) {
  PreAllocatedRun run = Run(0);
  EXPECT_GE(run.connections, 1);
  EXPECT_LT(run.connections, 30);
  EXPECT_GT(run.longest_connecting_ms, 0.0);
}

TEST_F(LoadTest, FailedThresholdExitsWith99) {
  auto results = RunAndRead(WriteScenario("strict.yaml", R"yaml(
vus: 2
duration: 1s
scenarios:
  health:
    flow:
      - get: /healthz
thresholds:
  http_req_duration: ["p(95)<0.0001"]
)yaml"),
                            {}, 99);
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_EQ(results->thresholds.size(), 1u);
  EXPECT_FALSE(results->thresholds[0].passed);
}

TEST_F(LoadTest, ScenarioErrorNamesFileLineAndNothingRuns) {
  std::filesystem::path scenario = WriteScenario(
      "bad.yaml",
      "vus: 2\nduration: 1s\nscenarios:\n  a:\n    flow:\n      - get: /\n        thinc: 1s\n");
  double before = AllRequests();
  auto run = RunLoadToExit(data_dir_.path(),
                           {"load", scenario.string(), "--target", server_->ready().url()});
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 2);
  EXPECT_NE(run->stderr_text.find("bad.yaml:7:"), std::string::npos) << run->stderr_text;
  EXPECT_NE(run->stderr_text.find("thinc"), std::string::npos) << run->stderr_text;
  EXPECT_EQ(AllRequests() - before, 1);  // only the scrape in between
}

TEST_F(LoadTest, SegmentsTogetherMakeTheWholeLoad) {
  std::filesystem::path scenario = WriteScenario("segments.yaml", R"yaml(
arrival: {rate: 100, duration: 2s, max_vus: 50}
scenarios:
  health:
    flow:
      - get: /healthz
)yaml");
  std::vector<results::Results> parts;
  std::vector<LoadProcess> processes;
  for (const char* segment : {"1/2", "2/2"}) {
    std::filesystem::path dir = data_dir_.path() / (std::string("seg") + segment[0]);
    std::filesystem::create_directories(dir);
    auto process =
        LoadProcess::Start(dir, {"load", scenario.string(), "--target", server_->ready().url(),
                                 "--segment", segment, "--out", (dir / "out").string()});
    ASSERT_TRUE(process) << process.error().message;
    processes.push_back(std::move(*process));
  }
  for (size_t i = 0; i < processes.size(); ++i) {
    auto run = processes[i].Wait(30000);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->exit_code, 0) << run->stderr_text;
    auto results = results::ReadResults(
        (data_dir_.path() / (std::string("seg") + (i == 0 ? "1" : "2")) / "out").string());
    ASSERT_TRUE(results) << results.error().message;
    EXPECT_EQ(results->iterations, 100u);
    parts.push_back(std::move(*results));
  }
  auto merged = results::MergeResults(parts);
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ(merged->iterations, 200u);
  EXPECT_EQ(merged->overall.requests, 200u);
}

TEST_F(LoadTest, RawCsvHasK6sNineRowsPerRequest) {
  auto results =
      RunAndRead(WriteScenario("raw.yaml", HealthScenario("vus: 2\nduration: 1s")), {"--raw-csv"});
  ASSERT_TRUE(results) << results.error().message;
  std::ifstream raw(data_dir_.path() / ("out-" + std::to_string(runs_ - 1)) / "raw-0.csv");
  std::string line;
  ASSERT_TRUE(std::getline(raw, line));
  EXPECT_EQ(line.rfind("metric_name,timestamp,metric_value,", 0), 0u) << line;
  uint64_t rows = 0;
  while (std::getline(raw, line)) ++rows;
  EXPECT_EQ(rows, results::kRawCsvRowsPerRequest * results->overall.requests);
}

TEST_F(LoadTest, WatchesAndScrapesTheServer) {
  auto results = RunAndRead(WriteScenario("watch.yaml", R"yaml(
vus: 2
duration: 2s
scenarios:
  health:
    flow:
      - get: /healthz
        think: 5ms
)yaml"),
                            {"--watch-pid", std::to_string(server_->pid()), "--scrape",
                             server_->ready().url() + "/metrics"});
  ASSERT_TRUE(results) << results.error().message;
  bool watched = false, scraped = false;
  for (const results::SecondRow& row : results->seconds) {
    watched = watched || (row.server_rss_bytes.value_or(0) > 1'000'000);
    auto it = row.scrape.find("fourdollar_http_requests_total");
    scraped = scraped || (it != row.scrape.end() && it->second > 0);
  }
  EXPECT_TRUE(watched);
  EXPECT_TRUE(scraped);
}

TEST_F(LoadTest, InterruptStopsEarlyAndKeepsResults) {
  std::filesystem::path out = data_dir_.path() / "interrupted";
  auto process = LoadProcess::Start(data_dir_.path(),
                                    {"load",
                                     WriteScenario("long.yaml", R"yaml(
vus: 5
duration: 60s
scenarios:
  health:
    flow:
      - get: /healthz
        think: 10ms
)yaml")
                                         .string(),
                                     "--target", server_->ready().url(), "--out", out.string()});
  ASSERT_TRUE(process) << process.error().message;
  struct timespec one_second {
    1, 0
  };
  nanosleep(&one_second, nullptr);
  process->Signal(SIGINT);
  auto run = process->Wait(10000);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 0) << run->stderr_text;
  auto results = results::ReadResults(out.string());
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_TRUE(results->run.interrupted);
  EXPECT_GT(results->overall.requests, 0u);
  EXPECT_LT(results->run.duration_ms, 10000);
}

// Release builds only (label "memory"): a sanitizer's shadow memory multiplies what is read.
class LoadMemory : public LoadTest {
 protected:
  // The process's anonymous resident memory (RssAnon), in KiB; 0 once it is gone.
  static uint64_t AnonymousKib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("RssAnon:", 0) == 0) return std::stoull(line.substr(8));
    }
    return 0;
  }
};

// docs/benchmarks.md's target for idle virtual users: at most 2 KB each, counting the process's
// own memory among them. Each holds its connection open and thinks a second between requests.
TEST_F(LoadMemory, ThousandsOfIdleVirtualUsersHoldUnderTwoKilobytesEach) {
  constexpr uint64_t kVus = 5000;
  std::filesystem::path out = data_dir_.path() / "idle";
  auto process = LoadProcess::Start(data_dir_.path(),
                                    {"load",
                                     WriteScenario("idle.yaml", R"yaml(
stages:
  - {duration: 1s, target: 5000}
  - {duration: 3s, target: 5000}
scenarios:
  idle:
    flow:
      - get: /healthz
        think: 1s
)yaml")
                                         .string(),
                                     "--target", server_->ready().url(), "--out", out.string()});
  ASSERT_TRUE(process) << process.error().message;
  // Sampled through the hold, once every VU has started; the largest figure counts.
  uint64_t most_kib = 0;
  struct timespec tenth {
    0, 100'000'000
  };
  for (int i = 0; i < 30; ++i) {
    nanosleep(&tenth, nullptr);
    if (i >= 15) most_kib = std::max(most_kib, AnonymousKib(process->pid()));
  }
  auto run = process->Wait(30000);
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->exit_code, 0) << run->stderr_text;
  auto results = results::ReadResults(out.string());
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_EQ(results->overall.failed(), 0u);
  // Every VU was there during the samples: each sent at least two requests in the hold.
  ASSERT_GE(results->overall.requests, 2 * kVus);
  ASSERT_GT(most_kib, 0u);
  std::cout << most_kib << " KiB anonymous for " << kVus << " VUs: " << most_kib * 1024 / kVus
            << " bytes per VU\n";
  EXPECT_LE(most_kib * 1024 / kVus, 2048u) << most_kib << " KiB anonymous for " << kVus << " VUs";
}

}  // namespace
}  // namespace fourdollar::e2e
