// A test spread over three hosts on one machine: `fourdollar serve` in one network namespace,
// two `fourdollar load` generators in two others (segments 1/2 and 2/2 with one --start-at),
// all on one bridge, then `fourdollar report` over both results folders.
#include <time.h>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <regex>

#include "e2e/load_process.h"
#include "e2e/net_namespace.h"
#include "e2e/server_process.h"
#include "results/results.h"
#include "results/results_files.h"
#include "results/results_merge.h"

namespace fourdollar::e2e {
namespace {

int64_t WallUs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// The sum of every fourdollar_http_requests_total sample (all routes and statuses).
double AllRequests(const std::string& metrics) {
  double total = 0;
  std::string_view text = metrics;
  constexpr std::string_view kName = "fourdollar_http_requests_total{";
  for (size_t at = text.find(kName); at != std::string_view::npos; at = text.find(kName, at + 1)) {
    const std::string_view line = text.substr(at, text.find('\n', at) - at);
    total += std::stod(std::string(line.substr(line.rfind(' ') + 1)));
  }
  return total;
}

constexpr const char* kScenario = R"yaml(
arrival: {rate: 100, duration: 3s, max_vus: 50}
scenarios:
  writers:
    weight: 10
    flow:
      - post: /
        name: create post
        headers: {Authorization: "Bearer ${TOKEN}"}
        json: {title: "${random.words(3,8)}", body: "${random.text(20,200)}"}
  readers:
    weight: 90
    flow:
      - get: /
        name: list
      - get: /healthz
        name: health
)yaml";

class DistributedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::optional<std::string> why = WhyNoNetNamespaces()) {
      GTEST_SKIP() << "cannot make network namespaces here: " << *why;
    }
    RemoveStaleNamespaces();
    auto lan = NamespaceLan::Create("10.77.0", 2);
    ASSERT_TRUE(lan) << lan.error().message;
    lan_ = std::move(*lan);
  }

  // The server's /metrics, fetched from the first load host across the bridge.
  Result<std::string> Metrics(const ServerProcess& server) {
    auto connection = ConnectInNamespace(lan_->host(0).path(), server.host(), server.port());
    if (!connection) return tl::unexpected(connection.error());
    auto response = connection->RoundTrip("GET", "/metrics");
    if (!response) return tl::unexpected(response.error());
    return response->body;
  }

  TempDir dir_;
  // Destroyed after everything a test started inside it (test bodies' locals go first).
  std::unique_ptr<NamespaceLan> lan_;
};

TEST_F(DistributedTest, TwoGeneratorsOnTwoHostsAddUpToTheServersCount) {
  ServerOptions options;
  options.listen_on_free_port = false;
  options.args = {"--listen", lan_->hub_address() + ":0"};
  options.net_namespace = lan_->hub().path();
  auto server = ServerProcess::Start(dir_.path(), options);
  ASSERT_TRUE(server) << server.error().message;
  ASSERT_EQ((*server)->host(), lan_->hub_address());
  auto before = Metrics(**server);
  ASSERT_TRUE(before) << before.error().message;

  const std::filesystem::path scenario = dir_.path() / "spread.yaml";
  std::ofstream(scenario) << kScenario;
  // Two seconds ahead, on a whole second, the same text for both generators.
  const int64_t start_s = (WallUs() + 2'500'000) / 1'000'000;
  const std::string start_at = "@" + std::to_string(start_s);
  std::vector<LoadProcess> generators;
  std::vector<std::filesystem::path> outs;
  for (size_t i = 0; i < 2; ++i) {
    const std::filesystem::path host_dir = dir_.path() / ("host" + std::to_string(i));
    std::filesystem::create_directories(host_dir);
    outs.push_back(host_dir / "results");
    auto generator = LoadProcess::Start(
        host_dir,
        {"load", scenario.string(), "--target", (*server)->ready().url(), "--env",
         "TOKEN=" + (*server)->token(), "--segment", std::to_string(i + 1) + "/2", "--start-at",
         start_at, "--out", outs.back().string()},
        lan_->host(i).path());
    ASSERT_TRUE(generator) << generator.error().message;
    generators.push_back(std::move(*generator));
  }
  std::vector<results::Results> segments;
  for (size_t i = 0; i < 2; ++i) {
    auto run = generators[i].Wait(30000);
    ASSERT_TRUE(run) << run.error().message;
    ASSERT_EQ(run->exit_code, 0) << run->stderr_text << run->stdout_text;
    auto results = results::ReadResults(outs[i].string());
    ASSERT_TRUE(results) << results.error().message;
    // Both waited for the same instant, and every request reached the server.
    EXPECT_EQ(results->run.start_unix_ms, start_s * 1000);
    EXPECT_EQ(results->run.start_at_unix_ms, start_s * 1000);
    EXPECT_EQ(results->iterations, 150u);
    EXPECT_EQ(results->overall.failed(), 0u);
    segments.push_back(std::move(*results));
  }
  auto after = Metrics(**server);
  ASSERT_TRUE(after) << after.error().message;
  // Between the two scrapes the server answered both generators and the first scrape.
  const uint64_t served = static_cast<uint64_t>(AllRequests(*after) - AllRequests(*before) - 1);

  // The merged seconds line up: second s of the merge holds second s of each generator.
  auto merged = results::MergeResults(segments);
  ASSERT_TRUE(merged) << merged.error().message;
  ASSERT_EQ(merged->seconds.size(),
            std::max(segments[0].seconds.size(), segments[1].seconds.size()));
  for (size_t s = 0; s < merged->seconds.size(); ++s) {
    uint64_t expected = 0;
    for (const results::Results& segment : segments) {
      if (s >= segment.seconds.size()) continue;
      for (const auto& [index, figures] : segment.seconds[s].data.names) {
        expected += figures.requests;
      }
    }
    uint64_t got = 0;
    for (const auto& [index, figures] : merged->seconds[s].data.names) got += figures.requests;
    EXPECT_EQ(got, expected) << "second " << s;
  }

  auto report = RunLoadToExit(dir_.path(), {"report", outs[0].string(), outs[1].string(), "--out",
                                            (dir_.path() / "report.html").string()});
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->exit_code, 0) << report->stderr_text;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(report->stdout_text, match,
                                std::regex(R"(([0-9]+) requests \(([0-9.]+)/s average)")))
      << report->stdout_text;
  const uint64_t reported = std::stoull(match[1]);
  const double reported_rate = std::stod(match[2]);
  EXPECT_EQ(reported, served) << report->stdout_text;
  EXPECT_EQ(reported, segments[0].overall.requests + segments[1].overall.requests);
  const double rates = segments[0].RatePerSecond(segments[0].overall.requests) +
                       segments[1].RatePerSecond(segments[1].overall.requests);
  // Within the report's rounding (one decimal) and the difference of the generators' durations
  // (the merged duration is the longer one).
  const int64_t d0 = segments[0].run.duration_ms;
  const int64_t d1 = segments[1].run.duration_ms;
  EXPECT_NEAR(reported_rate, rates,
              0.05 + rates * static_cast<double>(std::abs(d0 - d1) + 1) /
                         static_cast<double>(std::min(d0, d1)))
      << report->stdout_text << "durations " << segments[0].run.duration_ms << " and "
      << segments[1].run.duration_ms << " ms";
}

}  // namespace
}  // namespace fourdollar::e2e
