// The server and the load generator on the io_uring backend, through real sockets; the backend
// a whole test run asked for (FOURDOLLAR_IO_BACKEND) is the one the servers use.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "e2e/load_process.h"
#include "e2e/prometheus_text.h"
#include "e2e/run_command.h"
#include "e2e/server_fixture.h"
#include "results/results_files.h"

namespace fourdollar::e2e {
namespace {

class IoUringServe : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartServer({.args = {"--io-backend", "io_uring", "--threads", "2"}}));
  }
  double Sample(std::string_view name, const std::map<std::string, std::string>& labels = {}) {
    return FindSample(Get("/metrics").body, name, labels).value_or(0);
  }
};

TEST_F(IoUringServe, SaysSoAtStartUpAndInMetrics) {
  // On this machine io_uring must work: a fallback here is a failure, not a skip.
  EXPECT_NE(server_->StderrText().find("fourdollar: io backend: io_uring\n"), std::string::npos)
      << server_->StderrText();
  EXPECT_EQ(Sample("fourdollar_io_backend", {{"backend", "io_uring"}}), 1);
}

TEST_F(IoUringServe, WritesAndReadsOnManyKeptAliveConnections) {
  const int64_t id = CreatePostAndFindId("over io_uring", "a body read back");
  const std::map<std::string, std::string> post_ok = {
      {"route", "post"}, {"method", "GET"}, {"status", "200"}};
  const double before = Sample("fourdollar_http_requests_total", post_ok);
  std::vector<HttpConnection> connections;
  for (int i = 0; i < 20; ++i) {
    Result<HttpConnection> connection = Connect();
    ASSERT_TRUE(connection) << connection.error().message;
    connections.push_back(std::move(*connection));
  }
  for (int round = 0; round < 3; ++round) {
    for (HttpConnection& connection : connections) {
      Result<HttpResponse> page = connection.RoundTrip("GET", "/" + std::to_string(id));
      ASSERT_TRUE(page) << page.error().message;
      EXPECT_EQ(page->status, 200);
      EXPECT_NE(page->body.find("a body read back"), std::string::npos);
    }
  }
  connections.clear();
  EXPECT_EQ(Sample("fourdollar_http_requests_total", post_ok) - before, 60);
}

TEST_F(IoUringServe, LoadGeneratorOnIoUringGetsEveryAnswer) {
  const std::filesystem::path scenario = data_dir_.path() / "reads.yaml";
  std::ofstream(scenario) << "stages:\n  - {duration: 1s, target: 8}\n"
                             "scenarios:\n  readers:\n    flow:\n      - get: /\n";
  const std::filesystem::path out = data_dir_.path() / "out";
  const double before = Sample("fourdollar_http_requests_total",
                               {{"route", "list"}, {"method", "GET"}, {"status", "200"}});
  Result<LoadRun> run = RunLoadToExit(
      data_dir_.path(), {"load", scenario.string(), "--target", server_->ready().url(), "--out",
                         out.string(), "--io-backend", "io_uring"});
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->exit_code, 0) << run->stderr_text;
  EXPECT_NE(run->stderr_text.find("fourdollar: io backend: io_uring\n"), std::string::npos)
      << run->stderr_text;
  Result<results::Results> results = results::ReadResults(out.string());
  ASSERT_TRUE(results) << results.error().message;
  EXPECT_GT(results->overall.requests, 0u);
  EXPECT_EQ(results->overall.failed(), 0u);
  const double after = Sample("fourdollar_http_requests_total",
                              {{"route", "list"}, {"method", "GET"}, {"status", "200"}});
  EXPECT_EQ(static_cast<uint64_t>(after - before), results->overall.requests);
}

// scripts/test.sh runs a selection of the end-to-end tests again with FOURDOLLAR_IO_BACKEND set:
// this is the proof that the servers of that run use it.
TEST_F(ServerTest, ServerUsesTheBackendOfTheTestRun) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string expected = Env("FOURDOLLAR_IO_BACKEND").value_or("epoll");
  HttpResponse metrics = Get("/metrics");
  EXPECT_EQ(FindSample(metrics.body, "fourdollar_io_backend", {{"backend", expected}}), 1)
      << metrics.body;
}

}  // namespace
}  // namespace fourdollar::e2e
