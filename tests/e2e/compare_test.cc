// `fourdollar report --compare` on runs made by the test: the same run twice compares at 1.00,
// and a run against a server paused again and again (SIGSTOP) fails a p95 gate.
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "e2e/load_process.h"
#include "e2e/server_process.h"
#include "support/temp_dir.h"

namespace fourdollar::e2e {
namespace {

using test_support::TempDir;

std::string ReadFileForTest(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// 3 s at 200 iterations/s reading the list.
std::filesystem::path Scenario(const std::filesystem::path& dir, const std::string& url) {
  const std::filesystem::path path = dir / "read.yaml";
  std::ofstream(path) << "target: " << url
                      << "\narrival: {rate: 200, duration: 3s, max_vus: 400}\nscenarios:\n"
                         "  readers:\n    flow:\n      - get: /\n        name: list\n";
  return path;
}

TEST(Compare, TheSameRunComparesAtOneAndASlowedServerFailsTheGate) {
  TempDir dir;
  auto server = ServerProcess::Start(dir.path() / "server", {});
  ASSERT_TRUE(server) << server.error().message;
  const std::string scenario = Scenario(dir.path(), (*server)->ready().url()).string();
  const std::string a = (dir.path() / "a").string();
  const std::string b = (dir.path() / "b").string();
  auto run_a = RunLoadToExit(dir.path(), {"load", scenario, "--out", a});
  ASSERT_TRUE(run_a && run_a->exit_code == 0) << (run_a ? run_a->stderr_text : "");

  auto same = RunLoadToExit(dir.path(),
                            {"report", "--compare", a, a, "--fail-if", "p95 > 1.10x", "--fail-if",
                             "rps < 0.9x", "--out", (dir.path() / "same.html").string()});
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_EQ(same->exit_code, 0) << same->stdout_text << same->stderr_text;
  EXPECT_NE(same->stdout_text.find("1.00x"), std::string::npos) << same->stdout_text;
  EXPECT_EQ(same->stdout_text.find("FAILED"), std::string::npos) << same->stdout_text;

  // The server stopped for 150 ms out of every 250 ms while B runs.
  std::atomic<bool> done = false;
  std::thread pauser([&] {
    while (!done) {
      kill((*server)->pid(), SIGSTOP);
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      kill((*server)->pid(), SIGCONT);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  auto run_b = RunLoadToExit(dir.path(), {"load", scenario, "--out", b});
  done = true;
  pauser.join();
  kill((*server)->pid(), SIGCONT);
  ASSERT_TRUE(run_b) << run_b.error().message;
  ASSERT_TRUE(std::filesystem::exists(b + "/summary.json")) << run_b->stderr_text;

  auto gate = RunLoadToExit(dir.path(), {"report", "--compare", a, b, "--fail-if", "p95 > 1.10x",
                                         "--out", (dir.path() / "gate.html").string()});
  ASSERT_TRUE(gate) << gate.error().message;
  EXPECT_EQ(gate->exit_code, 99) << gate->stdout_text << gate->stderr_text;
  EXPECT_NE(gate->stdout_text.find("FAILED p95 > 1.10x: B "), std::string::npos)
      << gate->stdout_text;
  EXPECT_NE(ReadFileForTest(dir.path() / "gate.html").find("compare-data"), std::string::npos);
}

TEST(Compare, ABadConditionIsRefusedNamingIt) {
  TempDir dir;
  auto run = RunLoadToExit(dir.path(), {"report", "--compare", "/nonexistent/a", "/nonexistent/b",
                                        "--fail-if", "p95 > 10%"});
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 2);
  EXPECT_NE(run->stderr_text.find("--fail-if 'p95 > 10%': the bound must be a factor"),
            std::string::npos)
      << run->stderr_text;
}

}  // namespace
}  // namespace fourdollar::e2e
