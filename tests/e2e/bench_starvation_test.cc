// `fourdollar bench` names the side that ran out of CPU. On a machine with two CPUs the bench
// gives the server the first and the generator the second; busy loops pinned to one of them take
// most of that CPU, and the answer must blame that side: the generator (with the server's
// estimate labelled as one) or the server.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/cpus.h"
#include "e2e/load_process.h"
#include "e2e/server_process.h"

namespace fourdollar::e2e {
namespace {

// Processes that spin on one CPU until destroyed.
class BusyLoops {
 public:
  BusyLoops(int cpu, int count) {
    for (int i = 0; i < count; ++i) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        if (!PinTo(0, {cpu})) ::_exit(1);
        ::alarm(300);  // never outlives a test that forgot it
        volatile uint64_t spin = 0;
        while (true) spin = spin + 1;
      }
      if (pid > 0) pids_.push_back(pid);
    }
  }
  ~BusyLoops() {
    for (pid_t pid : pids_) ::kill(pid, SIGKILL);
    for (pid_t pid : pids_) ::waitpid(pid, nullptr, 0);
  }
  BusyLoops(const BusyLoops&) = delete;
  BusyLoops& operator=(const BusyLoops&) = delete;

  size_t running() const { return pids_.size(); }

 private:
  std::vector<pid_t> pids_;
};

constexpr int kBusyLoops = 8;

// Runs a quick bench with the busy loops on `starved_cpu` (0: the server's CPU, 1: the
// generator's, indexes into the allowed CPUs); returns what it printed.
std::string BenchWithStarvedCpu(const TempDir& dir, size_t starved) {
  const std::vector<int> cpus = AllowedCpus();
  if (cpus.size() < 2) return {};
  BusyLoops loops(cpus[starved], kBusyLoops);
  EXPECT_EQ(loops.running(), static_cast<size_t>(kBusyLoops));
  auto run = RunLoadToExit(
      dir.path(), {"bench", "--quick", "--posts", "50", "--out", (dir.path() / "bench").string()},
      150000);
  EXPECT_TRUE(run) << run.error().message;
  if (!run) return {};
  EXPECT_EQ(run->exit_code, 0) << run->stdout_text << run->stderr_text;
  return run->stdout_text;
}

TEST(BenchStarvation, AGeneratorShortOfCpuIsNamedAndTheServersLimitIsOnlyAnEstimate) {
  if (AllowedCpus().size() < 2)
    GTEST_SKIP() << "needs two CPUs: one for the server, one for the generator";
  TempDir dir;
  const std::string said = BenchWithStarvedCpu(dir, 1);
  EXPECT_NE(said.find("Cause: the load generator "), std::string::npos) << said;
  EXPECT_EQ(said.find("Cause: the server's CPU"), std::string::npos) << said;
  EXPECT_NE(said.find("Limiting resource: the load generator's CPU"), std::string::npos) << said;
  // The estimate, when the server's CPU was measured, is called one and never a knee.
  if (said.find("an estimate of its limit") != std::string::npos) {
    EXPECT_NE(said.find("(an estimate, not a measured knee)"), std::string::npos) << said;
  }
}

TEST(BenchStarvation, AServerShortOfCpuIsNamed) {
  if (AllowedCpus().size() < 2)
    GTEST_SKIP() << "needs two CPUs: one for the server, one for the generator";
  TempDir dir;
  const std::string said = BenchWithStarvedCpu(dir, 0);
  EXPECT_NE(said.find("Cause: the server's CPU"), std::string::npos) << said;
  EXPECT_EQ(said.find("Cause: the load generator"), std::string::npos) << said;
  EXPECT_NE(said.find("Limiting resource: the server's CPU."), std::string::npos) << said;
}

}  // namespace
}  // namespace fourdollar::e2e
