// Several instances on one PostgreSQL database: caches stay coherent, concurrent writers on
// both lose and duplicate nothing, and kill -9 of an instance loses no acknowledged post.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include <fstream>
#include <set>

#include "e2e/load_process.h"
#include "e2e/postgres_cluster.h"
#include "results/results_files.h"

namespace fourdollar::e2e {
namespace {

class PostgresInstances : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> admin = Env("FOURDOLLAR_TEST_PG_URL");
    if (!admin) GTEST_SKIP() << kNoPostgres;
    auto url = CreateDatabase(*admin);
    ASSERT_TRUE(url.has_value()) << url.error().message;
    db_url_ = *url;
  }

  std::unique_ptr<ServerProcess> StartInstance(const TempDir& dir) {
    auto started = ServerProcess::Start(dir.path(), PostgresServer(db_url_));
    if (!started) {
      ADD_FAILURE() << started.error().message;
      return nullptr;
    }
    return std::move(*started);
  }

  static bool Lists(const ServerProcess& server, const std::string& title) {
    auto page = Fetch(server.host(), server.port(), "GET", "/");
    if (!page || page->status != 200) return false;
    for (const PostLink& link : ParseListLinks(page->body)) {
      if (link.title == title) return true;
    }
    return false;
  }

  std::string db_url_;
  TempDir dir_a_;
  TempDir dir_b_;
};

TEST_F(PostgresInstances, PostAcknowledgedByOneIsOnTheOthersListWithin100Ms) {
  auto a = StartInstance(dir_a_);
  auto b = StartInstance(dir_b_);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->ready().store.find("postgres://"), std::string::npos)
      << serve::FormatReadyLine(a->ready());
  constexpr auto kLimit = std::chrono::milliseconds(100);
  for (int i = 0; i < 10; ++i) {
    // Alternate directions; each reader's list page is cached before the write.
    ServerProcess& writer = i % 2 == 0 ? *a : *b;
    ServerProcess& reader = i % 2 == 0 ? *b : *a;
    ASSERT_EQ(Fetch(reader.host(), reader.port(), "GET", "/")->status, 200);
    const std::string title = "coherent " + std::to_string(i);
    auto created = Fetch(writer.host(), writer.port(), "POST", "/", JsonHeaders(kTestToken),
                         PostJson(title, "body"));
    ASSERT_TRUE(created.has_value()) << created.error().message;
    ASSERT_EQ(created->status, 303) << created->body;
    const auto acknowledged = std::chrono::steady_clock::now();
    bool seen = false;
    while (!seen && std::chrono::steady_clock::now() - acknowledged < kLimit) {
      seen = Lists(reader, title);
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - acknowledged);
    EXPECT_TRUE(seen) << title << " not on the other instance's list after " << elapsed.count()
                      << " us";
  }
}

TEST_F(PostgresInstances, EditAndDeleteOnOneAreOnTheOthersPagesWithin100Ms) {
  auto a = StartInstance(dir_a_);
  auto b = StartInstance(dir_b_);
  ASSERT_TRUE(a && b);
  auto created =
      Fetch(a->host(), a->port(), "POST", "/", JsonHeaders(kTestToken), PostJson("v1", "body"));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  ASSERT_EQ(created->status, 303) << created->body;
  const std::string path = created->Header("Content-Location");
  ASSERT_FALSE(path.empty());
  // Both instances cache the post's page and the list.
  for (ServerProcess* server : {a.get(), b.get()}) {
    ASSERT_EQ(Fetch(server->host(), server->port(), "GET", path)->status, 200);
    ASSERT_TRUE(Lists(*server, "v1"));
  }
  constexpr auto kLimit = std::chrono::milliseconds(100);
  auto shows = [&](ServerProcess& server, int status, const std::string& title) {
    auto page = Fetch(server.host(), server.port(), "GET", path);
    return page && page->status == status &&
           (title.empty() || page->body.find(title) != std::string::npos);
  };
  auto within_limit = [&](auto&& condition) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < kLimit) {
      if (condition()) return true;
    }
    return condition();
  };

  auto edited = Fetch(a->host(), a->port(), "PUT", path, JsonHeaders(kTestToken),
                      PostJson("v2 edited", "body"));
  ASSERT_TRUE(edited.has_value());
  ASSERT_EQ(edited->status, 303) << edited->body;
  EXPECT_TRUE(within_limit([&] { return shows(*b, 200, "v2 edited"); }))
      << "the edit is not on the other instance's page";
  EXPECT_TRUE(within_limit([&] { return Lists(*b, "v2 edited"); }));

  auto deleted = Fetch(b->host(), b->port(), "DELETE", path,
                       {{"Authorization", std::string("Bearer ") + kTestToken}});
  ASSERT_TRUE(deleted.has_value());
  ASSERT_EQ(deleted->status, 204) << deleted->body;
  EXPECT_TRUE(within_limit([&] { return shows(*a, 410, ""); }))
      << "the delete is not on the other instance's page";
  EXPECT_TRUE(within_limit([&] { return !Lists(*a, "v2 edited"); }));
}

TEST_F(PostgresInstances, WritersOnBothInstancesLoseAndDuplicateNothing) {
  auto a = StartInstance(dir_a_);
  auto b = StartInstance(dir_b_);
  ASSERT_TRUE(a && b);
  std::vector<AcknowledgedPost> acknowledged;
  {
    AcknowledgedWriters writers({.host = a->host(),
                                 .port = a->port(),
                                 .token = kTestToken,
                                 .connections = 8,
                                 .pipeline_depth = 1,
                                 .tag = "both",
                                 .more_targets = {{b->host(), b->port()}},
                                 .rounds = 250,
                                 .reconnect = true});
    writers.Join();
    EXPECT_TRUE(writers.unexpected().empty()) << writers.unexpected().front();
    EXPECT_EQ(writers.unavailable(), 0);
    acknowledged = writers.acknowledged();
  }
  EXPECT_EQ(acknowledged.size(), 8u * 250u);
  ASSERT_NO_FATAL_FAILURE(ExpectEachListedOnce(*a, acknowledged));
  auto listed_on_b = ListAllPosts(b->host(), b->port());
  ASSERT_TRUE(listed_on_b.has_value()) << listed_on_b.error().message;
  EXPECT_EQ(listed_on_b->size(), acknowledged.size());
}

TEST_F(PostgresInstances, FourdollarLoadOnBothInstancesLosesAndDuplicatesNothing) {
  auto a = StartInstance(dir_a_);
  auto b = StartInstance(dir_b_);
  ASSERT_TRUE(a && b);
  // Unique titles: the VU's global number and its iteration.
  std::filesystem::path scenario = dir_a_.path() / "writers.yaml";
  std::ofstream(scenario) << R"yaml(
vus: 8
duration: 2s
scenarios:
  writers:
    flow:
      - post: /
        name: create post
        headers: {Authorization: "Bearer ${TOKEN}"}
        json: {title: "load ${vu}-${iteration}", body: "${random.text(10,100)}"}
        check: {status: 200}
)yaml";
  // Two generators, one per instance, each half of the VUs (different VU numbers).
  std::vector<LoadProcess> processes;
  std::vector<std::filesystem::path> outs;
  int segment = 1;
  for (ServerProcess* instance : {a.get(), b.get()}) {
    TempDir& dir = segment == 1 ? dir_a_ : dir_b_;
    outs.push_back(dir.path() / "out");
    auto process = LoadProcess::Start(
        dir.path(), {"load", scenario.string(), "--target", instance->ready().url(), "--env",
                     std::string("TOKEN=") + kTestToken, "--segment",
                     std::to_string(segment) + "/2", "--out", outs.back().string()});
    ASSERT_TRUE(process) << process.error().message;
    processes.push_back(std::move(*process));
    ++segment;
  }
  uint64_t created = 0;
  for (size_t i = 0; i < processes.size(); ++i) {
    auto run = processes[i].Wait(60000);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->exit_code, 0) << run->stderr_text << run->stdout_text;
    auto results = results::ReadResults(outs[i].string());
    ASSERT_TRUE(results) << results.error().message;
    EXPECT_EQ(results->overall.failed(), 0u);
    for (const auto& [index, figures] : results->names) {
      if (results->run.names[index] == "create post") created += figures.by_status.at(303);
    }
  }
  ASSERT_GT(created, 0u);
  auto listed = ListAllPosts(b->host(), b->port());
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  std::set<std::string> titles;
  for (const PostLink& link : *listed) titles.insert(link.title);
  EXPECT_EQ(listed->size(), created);  // none lost
  EXPECT_EQ(titles.size(), created);   // none duplicated
}

TEST_F(PostgresInstances, KillNineOfAnInstanceLosesNoAcknowledgedPost) {
  auto a = StartInstance(dir_a_);
  ASSERT_TRUE(a);
  std::vector<AcknowledgedPost> acknowledged;
  {
    AcknowledgedWriters writers({.host = a->host(),
                                 .port = a->port(),
                                 .token = kTestToken,
                                 .connections = 16,
                                 .pipeline_depth = 1,
                                 .tag = "kill",
                                 .rounds = 1000,
                                 .reconnect = false});
    ASSERT_GE(writers.WaitForAcknowledged(500, 20000), 500u);
    a->Kill();
    writers.Join();
    EXPECT_TRUE(writers.unexpected().empty()) << writers.unexpected().front();
    acknowledged = writers.acknowledged();
  }
  auto b = StartInstance(dir_b_);
  ASSERT_TRUE(b);
  ASSERT_NO_FATAL_FAILURE(ExpectEachListedOnce(*b, acknowledged));
  auto created = Fetch(b->host(), b->port(), "POST", "/", JsonHeaders(kTestToken),
                       PostJson("after the crash", "still writing"));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->status, 303);
}

}  // namespace
}  // namespace fourdollar::e2e
