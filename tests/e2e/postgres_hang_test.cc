// A PostgreSQL that accepts connections but answers nothing (every process of the cluster
// stopped with SIGSTOP): the server stays responsive. Reads that are not cached fail with 503 and
// Retry-After once --pg-read-timeout-ms has passed, cached pages are served meanwhile, even on
// the same loop thread as a read that waits, writes are refused rather than left waiting, and
// everything works again by itself once PostgreSQL answers (SIGCONT).
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <string>

#include "e2e/postgres_cluster.h"

namespace fourdollar::e2e {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Waits, bounded, until `target` answers `status` on a new connection.
bool Answers(const ServerProcess& server, const std::string& method, const std::string& target,
             int status, std::chrono::milliseconds limit, const Headers& headers = {},
             const std::string& body = "") {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    auto response = Fetch(server.host(), server.port(), method, target, headers, body);
    if (response.has_value() && response->status == status) return true;
  }
  return false;
}

class PostgresHang : public ::testing::Test {
 protected:
  void SetUp() override { StartPrivateDatabase(cluster_, db_url_); }
  void TearDown() override {
    // A stopped cluster cannot be shut down: always let it go on first.
    if (cluster_ && stopped_) (void)cluster_->SignalAll("CONT");
  }

  void Hang() {
    auto sent = cluster_->SignalAll("STOP");
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    stopped_ = true;
  }
  void Resume() {
    auto sent = cluster_->SignalAll("CONT");
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
    stopped_ = false;
  }

  std::unique_ptr<PrivateCluster> cluster_;
  std::string db_url_;
  bool stopped_ = false;
  TempDir dir_;
};

TEST_F(PostgresHang, ServerStaysResponsiveAndRecoversByItself) {
  constexpr int kReadTimeoutMs = 2000;
  ServerOptions options = PostgresServer(db_url_);
  // One loop thread, so that the waiting read and the cached page share it.
  options.args = {"--db",      db_url_, "--write-token",        kTestToken,
                  "--threads", "1",     "--pg-read-timeout-ms", std::to_string(kReadTimeoutMs)};
  auto started = ServerProcess::Start(dir_.path(), options);
  ASSERT_TRUE(started.has_value()) << started.error().message;
  ServerProcess& server = **started;
  // So that the page cached below stays cached.
  ASSERT_TRUE(WaitForNotifyListener(server)) << "the NOTIFY listener did not connect within 15 s";
  auto created = Fetch(server.host(), server.port(), "POST", "/", JsonHeaders(kTestToken),
                       PostJson("cached", "a page read before the hang"));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  ASSERT_EQ(created->status, 303) << created->body;
  // A post's page never changes, so once read it is served from the cache (the list page may
  // be dropped by a generation bump at any time).
  std::optional<int64_t> id = ParseStoredId(created->body);
  ASSERT_TRUE(id.has_value()) << created->body;
  const std::string cached = PostPath(*id);
  ASSERT_EQ(Fetch(server.host(), server.port(), "GET", cached)->status, 200);

  ASSERT_NO_FATAL_FAILURE(Hang());

  // A read that is not cached waits for PostgreSQL at most the read timeout, then 503.
  auto waiting = HttpConnection::Connect(server.host(), server.port(), 20000);
  ASSERT_TRUE(waiting.has_value()) << waiting.error().message;
  const auto asked = Clock::now();
  ASSERT_TRUE(waiting->Send(FormatRequest("GET", "/999999")).has_value());

  // Meanwhile the cached page is served on the same (only) loop thread, while the read waits.
  auto page = Fetch(server.host(), server.port(), "GET", cached);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->status, 200);
  pollfd pending{.fd = waiting->fd(), .events = POLLIN, .revents = 0};
  EXPECT_EQ(::poll(&pending, 1, 0), 0) << "the uncached read was answered before its timeout";

  auto refused = waiting->ReadResponse();
  const int64_t waited_ms = MsSince(asked);
  ASSERT_TRUE(refused.has_value()) << refused.error().message;
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_FALSE(refused->Header("Retry-After").empty());
  EXPECT_GE(waited_ms, kReadTimeoutMs - 50);
  EXPECT_LT(waited_ms, kReadTimeoutMs + 2000) << "a read outlived its timeout by far";
  std::printf("uncached read answered 503 after %lld ms (timeout %d ms)\n",
              static_cast<long long>(waited_ms), kReadTimeoutMs);

  // Another read right after: the connection is being made again with backoff, so it fails at
  // once or after at most its own timeout, never the 3 s of a connection attempt on top.
  const auto again = Clock::now();
  auto second = Fetch(server.host(), server.port(), "GET", "/999998");
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(second->status, 503);
  EXPECT_LT(MsSince(again), kReadTimeoutMs + 2000);

  // A write is refused (503 with Retry-After) after the writer's statement deadline, not left
  // waiting for as long as PostgreSQL sleeps.
  const auto posted = Clock::now();
  auto write = Fetch(server.host(), server.port(), "POST", "/", JsonHeaders(kTestToken),
                     PostJson("during the hang", "refused"));
  ASSERT_TRUE(write.has_value()) << write.error().message;
  EXPECT_EQ(write->status, 503) << write->body;
  EXPECT_FALSE(write->Header("Retry-After").empty());
  EXPECT_LT(MsSince(posted), 15000);

  ASSERT_NO_FATAL_FAILURE(Resume());
  // Back by itself: reads and writes within the reconnection backoff (at most 2 s) and more.
  EXPECT_TRUE(Answers(server, "GET", "/999999", 404, std::chrono::seconds(15)));
  EXPECT_TRUE(Answers(server, "POST", "/", 303, std::chrono::seconds(15), JsonHeaders(kTestToken),
                      PostJson("after the hang", "stored")));
  auto list = Fetch(server.host(), server.port(), "GET", "/");
  ASSERT_TRUE(list.has_value());
  EXPECT_NE(list->body.find("after the hang"), std::string::npos);
  EXPECT_EQ(list->body.find("during the hang"), std::string::npos);
}

}  // namespace
}  // namespace fourdollar::e2e
