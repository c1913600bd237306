// End-to-end support for the PostgreSQL store (header only, included by the postgres_*_test.cc
// files): a fresh database per test on the cluster named by FOURDOLLAR_TEST_PG_URL, a private
// cluster of a test's own (scripts/postgres-cluster.sh, named by FOURDOLLAR_TEST_PG_SCRIPT) that
// the test may stop and start, server options for a PostgreSQL-backed instance, and the check
// that acknowledged posts are all listed once.
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
#include "e2e/acknowledged_writers.h"
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

// An instance on `db_url` with the test token and two loop threads. Its reads wait up to 10 s for
// PostgreSQL (not the 250 ms default), so that a loaded test machine is not taken for a hung
// database; the hang test sets its own.
inline ServerOptions PostgresServer(const std::string& db_url) {
  ServerOptions options;
  options.sqlite_in_data_dir = false;
  options.args = {"--db",      db_url, "--write-token",        kTestToken,
                  "--threads", "2",    "--pg-read-timeout-ms", "10000"};
  return options;
}

// Waits (bounded) until `server`'s NOTIFY listener has connected. When it connects, it drops
// every cached post page (whatever was committed before its LISTEN), so a test that counts
// what stays cached waits for it first.
inline bool WaitForNotifyListener(const ServerProcess& server, int timeout_ms = 15000) {
  const auto by = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    auto metrics = Fetch(server.host(), server.port(), "GET", "/metrics");
    if (metrics && metrics->body.find("fourdollar_pg_connected{connection=\"listener\"} 1") !=
                       std::string::npos) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= by) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
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
  // Sends `signal_name` ("STOP", "CONT") to the postmaster and every process it started: with
  // STOP the cluster still accepts TCP connections (the kernel does) but answers nothing.
  Result<std::string> SignalAll(const std::string& signal_name) {
    const std::string pid_file = (dir_.path() / "data" / "postmaster.pid").string();
    return RunCommand("pid=$(head -n 1 '" + pid_file + "') && kill -" + signal_name +
                      " \"$pid\" && { pkill -" + signal_name + " -P \"$pid\" || true; }");
  }
  // `mode`: "fast" or "immediate".
  Result<std::string> Stop(const std::string& mode) {
    return RunCommand("bash '" + script_ + "' stop '" + dir_.path().string() + "' " + mode);
  }

 private:
  std::string script_;
  TempDir dir_;
};

// Starts a cluster of the test's own (FOURDOLLAR_TEST_PG_SCRIPT) into `cluster` and creates a
// fresh database on it, its URL into `db_url`. Skips, saying why, without the script; reports a
// failure otherwise. For SetUp: GoogleTest runs no test body after either.
inline void StartPrivateDatabase(std::unique_ptr<PrivateCluster>& cluster, std::string& db_url) {
  std::optional<std::string> script = Env("FOURDOLLAR_TEST_PG_SCRIPT");
  if (!script) GTEST_SKIP() << kNoClusterScript;
  cluster = std::make_unique<PrivateCluster>(*script);
  auto admin = cluster->Start();
  ASSERT_TRUE(admin.has_value()) << admin.error().message;
  auto url = CreateDatabase(*admin);
  ASSERT_TRUE(url.has_value()) << url.error().message;
  db_url = *url;
}

// Every post of `posts` is listed by the server exactly once and served with its title and
// body (CheckEachListedOnce). Reports through GoogleTest.
inline void ExpectEachListedOnce(const ServerProcess& server,
                                 const std::vector<AcknowledgedPost>& posts) {
  for (const std::string& problem : CheckEachListedOnce(server.host(), server.port(), posts)) {
    ADD_FAILURE() << problem;
  }
}

}  // namespace fourdollar::e2e
