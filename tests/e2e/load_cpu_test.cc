// `fourdollar load` reports its CPU as a share of what its threads can use: one CPU each, but
// no more than the CPUs it may run on. Two threads pinned to one CPU that they keep busy are at
// 100% of it (and so saturated), not at 50% of two.
#include <sched.h>

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "base/cpus.h"
#include "e2e/load_process.h"
#include "e2e/server_fixture.h"
#include "results/results.h"
#include "results/results_files.h"

namespace fourdollar::e2e {
namespace {

class LoadCpu : public ServerTest {};

TEST_F(LoadCpu, TwoThreadsOnOneCpuAreMeasuredAgainstThatOneCpu) {
  const std::vector<int> cpus = AllowedCpus();
  if (cpus.size() < 2) GTEST_SKIP() << "needs two CPUs: one for the server, one for the load";
  ASSERT_NO_FATAL_FAILURE(StartServer());
  // The server (every thread of it) on the second CPU, the load on the first.
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(server_->pid()) + "/task")) {
    ASSERT_TRUE(PinTo(std::stoi(task.path().filename().string()), {cpus[1]}));
  }
  const std::filesystem::path scenario = data_dir_.path() / "get.yaml";
  std::ofstream(scenario) << "vus: 50\nduration: 3s\nscenarios:\n  get:\n    flow:\n"
                             "      - get: /\n";
  const std::filesystem::path out = data_dir_.path() / "out";
  cpu_set_t saved;
  ASSERT_EQ(::sched_getaffinity(0, sizeof saved, &saved), 0);
  ASSERT_TRUE(PinTo(0, {cpus[0]}));  // the child inherits this thread's CPUs
  Result<LoadRun> run = RunLoadToExit(
      data_dir_.path(), {"load", scenario.string(), "--target", server_->ready().url(), "--threads",
                         "2", "--out", out.string()});
  ASSERT_EQ(::sched_setaffinity(0, sizeof saved, &saved), 0);
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->exit_code, 0) << run->stderr_text;
  Result<results::Results> results = results::ReadResults(out.string());
  ASSERT_TRUE(results) << results.error().message;
  // 50 VUs with no pause against a server on another CPU keep the load's one CPU busy most of
  // its busiest second; counted against two CPUs, that could never read above 50%.
  EXPECT_GT(results->run.generator_cpu_max, 60) << run->stdout_text;
  EXPECT_LE(results->run.generator_cpu_max, 101) << run->stdout_text;
  EXPECT_EQ(results->run.threads, 2);
}

}  // namespace
}  // namespace fourdollar::e2e
