// kill -9 of the server at a random moment while many clients write, twenty times on the same
// database: after each restart every acknowledged post is there, with the id it was acknowledged
// with and its exact title and body, and (SQLite) the file passes PRAGMA integrity_check.
//
// The moment of each kill is a random number of acknowledged posts; the seed is printed and can
// be set with FOURDOLLAR_CRASH_SEED to replay a run.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "e2e/acknowledged_writers.h"
#include "e2e/postgres_cluster.h"
#include "e2e/run_command.h"
#include "e2e/server_process.h"
#include "e2e/sqlite_file.h"

namespace fourdollar::e2e {
namespace {

constexpr int kRounds = 20;
constexpr int kConnections = 8;
constexpr int kPipelineDepth = 4;
// Each round kills after a random count of acknowledged posts in [1, max]; PostgreSQL commits
// fewer posts per second, so its rounds are shorter to keep the test within a minute.
constexpr size_t kMaxPostsBeforeKillSqlite = 1500;
constexpr size_t kMaxPostsBeforeKillPostgres = 500;

uint64_t Seed() {
  if (std::optional<std::string> seed = Env("FOURDOLLAR_CRASH_SEED")) return std::stoull(*seed);
  return std::random_device()();
}

class KillNine : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      options_.args = {"--write-token", kTestToken, "--threads", "2"};
      return;
    }
    std::optional<std::string> url = Env("FOURDOLLAR_TEST_PG_URL");
    if (!url) GTEST_SKIP() << kNoPostgres;
    auto database = CreateDatabase(*url);
    ASSERT_TRUE(database.has_value()) << database.error().message;
    options_ = PostgresServer(*database);
  }

  void Start() {
    auto started = ServerProcess::Start(dir_.path(), options_);
    ASSERT_TRUE(started.has_value()) << started.error().message;
    server_ = std::move(*started);
  }

  // The SQLite file passes the integrity check and holds every post of `posts` with its id,
  // title and body.
  void ExpectInSqliteFile(const std::vector<AcknowledgedPost>& posts) {
    auto contents = ReadSqliteFile((dir_.path() / "blog.db").string());
    ASSERT_TRUE(contents.has_value()) << contents.error().message;
    EXPECT_EQ(contents->integrity, "ok");
    std::vector<std::string> problems = CheckPostsInFile(*contents, posts);
    EXPECT_TRUE(problems.empty()) << problems.size() << " problems of " << posts.size()
                                  << " acknowledged posts, first: " << problems.front();
  }

  ServerOptions options_;
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_P(KillNine, EveryAcknowledgedPostSurvivesTwentyKillsWithItsIdTitleAndBody) {
  const uint64_t seed = Seed();
  std::cout << "FOURDOLLAR_CRASH_SEED=" << seed << "\n";
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<size_t> kill_after(
      1, GetParam() == "sqlite" ? kMaxPostsBeforeKillSqlite : kMaxPostsBeforeKillPostgres);

  std::vector<AcknowledgedPost> all;
  std::map<int64_t, std::string> title_by_id;
  ASSERT_NO_FATAL_FAILURE(Start());
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round) +
                 ", FOURDOLLAR_CRASH_SEED=" + std::to_string(seed));
    std::vector<AcknowledgedPost> acknowledged;
    {
      AcknowledgedWriters writers({server_->host(), server_->port(), kTestToken, kConnections,
                                   kPipelineDepth, "round " + std::to_string(round), random()});
      const size_t target = kill_after(random);
      ASSERT_GE(writers.WaitForAcknowledged(target, 20000), target) << server_->StderrText();
      // Writes are in flight: every connection is still posting when the server dies.
      ASSERT_EQ(writers.Running(), kConnections);
      server_->Kill();
      writers.Join();
      EXPECT_TRUE(writers.unexpected().empty()) << writers.unexpected().front();
      acknowledged = writers.acknowledged();
    }
    for (const AcknowledgedPost& post : acknowledged) {
      auto [it, added] = title_by_id.emplace(post.id, post.title);
      EXPECT_TRUE(added) << "id /" << post.id << " acknowledged for '" << post.title
                         << "' and before for '" << it->second << "'";
    }
    all.insert(all.end(), acknowledged.begin(), acknowledged.end());

    server_.reset();
    ASSERT_NO_FATAL_FAILURE(Start());
    std::vector<std::string> problems =
        CheckPostPages(server_->host(), server_->port(), acknowledged);
    ASSERT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems.front();
    if (GetParam() == "sqlite") {
      ASSERT_NO_FATAL_FAILURE(ExpectInSqliteFile(all));
    }
  }
  // Posts of early rounds are still there after the later kills.
  std::vector<std::string> problems = CheckPostPages(server_->host(), server_->port(), all);
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems.front();
  auto code = server_->Stop();
  ASSERT_TRUE(code.has_value()) << code.error().message;
  EXPECT_EQ(*code, 0) << server_->StderrText();
  std::cout << GetParam() << ": " << all.size() << " acknowledged posts checked across " << kRounds
            << " kill -9 rounds\n";
  RecordProperty("acknowledged_posts_checked", static_cast<int>(all.size()));
}

INSTANTIATE_TEST_SUITE_P(Stores, KillNine, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& store) {
                           return store.param == "sqlite" ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace fourdollar::e2e
