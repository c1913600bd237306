// PostgreSQL stopped (fast and immediate) and started again during a write load: the instance
// stays up, answers 503 with Retry-After meanwhile, recovers by itself, and every acknowledged
// post is in the database exactly once. Each test runs a cluster of its own, which it stops.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include "e2e/postgres_cluster.h"

namespace fourdollar::e2e {
namespace {

// Each loop thread reconnects its read connection on its own backoff (at most 2 s): waits,
// bounded, until 20 list requests in a row on new connections (spread over the threads)
// succeed. Not the front page: the writer's commits keep its posts in memory, so it is served
// without a read connection.
bool ReadsRecover(const ServerProcess& server, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int in_a_row = 0;
  while (in_a_row < 20 && std::chrono::steady_clock::now() < deadline) {
    auto list = Fetch(server.host(), server.port(), "GET", "/?before=9223372036854775807");
    in_a_row = list.has_value() && list->status == 200 ? in_a_row + 1 : 0;
  }
  return in_a_row == 20;
}

class PostgresOutage : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { StartPrivateDatabase(cluster_, db_url_); }

  std::unique_ptr<PrivateCluster> cluster_;
  std::string db_url_;
  TempDir dir_;
};

TEST_P(PostgresOutage, ServerAnswers503MeanwhileAndRecoversWithEveryAcknowledgedPost) {
  auto started = ServerProcess::Start(dir_.path(), PostgresServer(db_url_));
  ASSERT_TRUE(started.has_value()) << started.error().message;
  ServerProcess& server = **started;
  ASSERT_EQ(Fetch(server.host(), server.port(), "GET", "/")->status, 200);

  std::vector<AcknowledgedPost> acknowledged;
  {
    AcknowledgedWriters writers({.host = server.host(),
                                 .port = server.port(),
                                 .token = kTestToken,
                                 .connections = 8,
                                 .pipeline_depth = 1,
                                 .tag = "outage",
                                 .rounds = 0,
                                 .reconnect = true});
    ASSERT_GE(writers.WaitForAcknowledged(200, 20000), 200u);
    auto stopped = cluster_->Stop(GetParam());
    ASSERT_TRUE(stopped.has_value()) << stopped.error().message;
    EXPECT_GT(writers.WaitForUnavailable(20, 20000), 0);
    // Reads: the cached list page or 503, never an error page or a dead server.
    auto list = Fetch(server.host(), server.port(), "GET", "/");
    ASSERT_TRUE(list.has_value()) << list.error().message;
    EXPECT_TRUE(list->status == 200 || list->status == 503) << list->status;
    auto missing_page = Fetch(server.host(), server.port(), "GET", "/999999999");
    ASSERT_TRUE(missing_page.has_value()) << missing_page.error().message;
    EXPECT_EQ(missing_page->status, 503);

    const size_t before_restart = writers.WaitForAcknowledged(0, 0);
    auto restarted = cluster_->Start();
    ASSERT_TRUE(restarted.has_value()) << restarted.error().message;
    // Back by itself: writes are acknowledged again within the bound.
    EXPECT_GE(writers.WaitForAcknowledged(before_restart + 200, 30000), before_restart + 200)
        << server.StderrText();
    writers.Stop();
    writers.Join();
    EXPECT_TRUE(writers.unexpected().empty()) << writers.unexpected().front();
    acknowledged = writers.acknowledged();
  }
  EXPECT_EQ(::kill(server.pid(), 0), 0) << "the server is gone: " << server.StderrText();
  ASSERT_TRUE(ReadsRecover(server, std::chrono::seconds(10)));
  ASSERT_NO_FATAL_FAILURE(ExpectEachListedOnce(server, acknowledged));

  auto metrics = Fetch(server.host(), server.port(), "GET", "/metrics");
  ASSERT_TRUE(metrics.has_value()) << metrics.error().message;
  EXPECT_EQ(metrics->body.find("fourdollar_pg_reconnects_total{connection=\"writer\"} 0\n"),
            std::string::npos)
      << metrics->body;
}

std::string StopModeName(const ::testing::TestParamInfo<std::string>& mode) {
  return mode.param == "fast" ? "Fast" : "Immediate";
}

INSTANTIATE_TEST_SUITE_P(StopModes, PostgresOutage, ::testing::Values("fast", "immediate"),
                         StopModeName);

}  // namespace
}  // namespace fourdollar::e2e
