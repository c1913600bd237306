// End-to-end support for the PostgreSQL store (header only, included by the postgres_*_test.cc
// files): a fresh database per test on the cluster named by FOURDOLLAR_TEST_PG_URL, a private
// cluster of a test's own (scripts/postgres-cluster.sh, named by FOURDOLLAR_TEST_PG_SCRIPT) that
// the test may stop and start, server options for a PostgreSQL-backed instance, and client
// threads that post to several instances and record what was acknowledged.
//
// scripts/test.sh sets both variables; without them the tests skip, saying why.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "e2e/blog_pages.h"
#include "e2e/http_client.h"
#include "e2e/run_command.h"
#include "e2e/server_process.h"

namespace fourdollar::e2e {

inline constexpr const char* kNoPostgres =
    "FOURDOLLAR_TEST_PG_URL is not set: no PostgreSQL to test against (scripts/test.sh starts a "
    "private cluster and sets it)";
inline constexpr const char* kNoClusterScript =
    "FOURDOLLAR_TEST_PG_SCRIPT is not set: cannot start a cluster to stop and restart "
    "(scripts/test.sh sets it to scripts/postgres-cluster.sh)";
inline constexpr const char* kTestToken = "postgres-e2e-token";

// `url` (postgres://USER@HOST:PORT/DB, as the cluster script prints) naming another database.
inline std::string WithDatabase(const std::string& url, const std::string& database) {
  std::string result = url.substr(0, url.rfind('/'));
  result.append("/").append(database);
  return result;
}

// Creates an empty database with a random name through `admin_url`; returns its URL.
inline Result<std::string> CreateDatabase(const std::string& admin_url) {
  std::random_device random;
  const std::string name = "e2e_" + std::to_string(random()) + "_" + std::to_string(random());
  auto created = RunCommand("psql -X -q -v ON_ERROR_STOP=1 -d '" + admin_url +
                            "' -c 'CREATE DATABASE " + name + "'");
  if (!created) return tl::unexpected(created.error());
  return WithDatabase(admin_url, name);
}

// An instance on `db_url` with the test token and two loop threads.
inline ServerOptions PostgresServer(const std::string& db_url) {
  ServerOptions options;
  options.sqlite_in_data_dir = false;
  options.args = {"--db", db_url, "--write-token", kTestToken, "--threads", "2"};
  return options;
}

// A cluster of the test's own in a folder it owns; stopped at destruction.
class PrivateCluster {
 public:
  explicit PrivateCluster(std::string script) : script_(std::move(script)) {}
  ~PrivateCluster() { (void)Stop("fast"); }
  PrivateCluster(const PrivateCluster&) = delete;
  PrivateCluster& operator=(const PrivateCluster&) = delete;

  // Creates it the first time, starts it again on the same port later; returns its URL.
  Result<std::string> Start() {
    return RunCommand("bash '" + script_ + "' start '" + dir_.path().string() + "'");
  }
  // `mode`: "fast" or "immediate".
  Result<std::string> Stop(const std::string& mode) {
    return RunCommand("bash '" + script_ + "' stop '" + dir_.path().string() + "' " + mode);
  }

 private:
  std::string script_;
  TempDir dir_;
};

struct SentPost {
  std::string title;
  std::string body;
};

// Client threads that post unique titles on keep-alive connections, each thread to the servers
// in turn, until Stop(), their count, or (when `stop_when_gone`) the first transport error.
// They record every post answered 303, count 503 answers, and count anything else as
// unexpected. After a transport error a thread reconnects and goes on unless `stop_when_gone`.
class SpreadWriters {
 public:
  struct Target {
    std::string host;
    uint16_t port = 0;
  };

  SpreadWriters(std::vector<Target> targets, int threads, int posts_per_thread, bool stop_when_gone)
      : targets_(std::move(targets)) {
    running_ = threads;
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, t, posts_per_thread, stop_when_gone] {
        Run(t, posts_per_thread, stop_when_gone);
      });
    }
  }
  ~SpreadWriters() {
    Stop();
    Join();
  }
  SpreadWriters(const SpreadWriters&) = delete;
  SpreadWriters& operator=(const SpreadWriters&) = delete;

  // Waits until `count` posts were acknowledged in all, or every thread ended, or the time is
  // up; returns the acknowledged count.
  size_t WaitForAcknowledged(size_t count, int timeout_ms) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [&] { return acknowledged_.size() >= count || running_ == 0; });
    return acknowledged_.size();
  }
  // Waits until `count` 503 answers arrived, or the time is up; returns the count.
  int WaitForUnavailable(int count, int timeout_ms) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [&] { return unavailable_ >= count || running_ == 0; });
    return unavailable_;
  }

  void Stop() { stopping_ = true; }
  void Join() {
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  // Call after Join.
  const std::vector<SentPost>& acknowledged() const { return acknowledged_; }
  int unavailable() const { return unavailable_; }
  const std::vector<std::string>& unexpected() const { return unexpected_; }

 private:
  void Run(int thread, int posts, bool stop_when_gone) {
    std::vector<std::optional<HttpConnection>> connections(targets_.size());
    for (int i = 0; i < posts && !stopping_; ++i) {
      const size_t target = static_cast<size_t>(thread + i) % targets_.size();
      std::optional<HttpConnection>& connection = connections[target];
      if (!connection) {
        // Longer than the server's 10 s for settling a batch whose COMMIT answer was lost (it
        // answers 503 after that), so a slow settlement is not taken for a hang.
        auto connected =
            HttpConnection::Connect(targets_[target].host, targets_[target].port, 20000);
        if (!connected) {
          if (stop_when_gone) break;
          Record(thread, "connect: " + connected.error().message);
          continue;
        }
        connection.emplace(std::move(*connected));
      }
      const std::string id = std::to_string(thread) + "." + std::to_string(i);
      SentPost post{"writer post " + id, "body of writer post " + id};
      auto response = connection->RoundTrip("POST", "/", JsonHeaders(kTestToken),
                                            PostJson(post.title, post.body));
      if (!response) {
        connection.reset();
        if (stop_when_gone) break;
        Record(thread, response.error().message);
        continue;
      }
      std::lock_guard lock(mutex_);
      if (response->status == 303) {
        acknowledged_.push_back(std::move(post));
      } else if (response->status == 503 && !response->Header("Retry-After").empty()) {
        ++unavailable_;
      } else {
        unexpected_.push_back(std::to_string(response->status) + " " + response->body);
      }
      changed_.notify_all();
    }
    std::lock_guard lock(mutex_);
    --running_;
    changed_.notify_all();
  }

  void Record(int thread, const std::string& what) {
    std::lock_guard lock(mutex_);
    unexpected_.push_back("writer " + std::to_string(thread) + ": " + what);
  }

  const std::vector<Target> targets_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<SentPost> acknowledged_;   // guarded by mutex_
  std::vector<std::string> unexpected_;  // guarded by mutex_
  int unavailable_ = 0;                  // guarded by mutex_
  int running_ = 0;                      // guarded by mutex_
  std::vector<std::thread> threads_;
};

// Every post of `posts` is listed by the server exactly once, with its body on its page, and
// nothing is listed twice. Reports through GoogleTest; call inside ASSERT_NO_FATAL_FAILURE.
inline void ExpectEachListedOnce(const ServerProcess& server, const std::vector<SentPost>& posts) {
  auto listed = ListAllPosts(server.host(), server.port());
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  std::map<std::string, int64_t> ids;
  for (const PostLink& link : *listed) {
    EXPECT_TRUE(ids.emplace(link.title, link.id).second) << "listed twice: " << link.title;
  }
  auto connection = HttpConnection::Connect(server.host(), server.port());
  ASSERT_TRUE(connection.has_value()) << connection.error().message;
  size_t missing = 0;
  for (const SentPost& post : posts) {
    auto it = ids.find(post.title);
    if (it == ids.end()) {
      if (++missing <= 10) ADD_FAILURE() << "acknowledged post missing: " << post.title;
      continue;
    }
    auto page = connection->RoundTrip("GET", PostPath(it->second));
    ASSERT_TRUE(page.has_value()) << page.error().message;
    EXPECT_EQ(page->status, 200) << post.title;
    EXPECT_NE(page->body.find(post.body), std::string::npos) << post.title << ": " << page->body;
  }
  EXPECT_EQ(missing, 0u) << "of " << posts.size() << " acknowledged posts";
}

}  // namespace fourdollar::e2e
