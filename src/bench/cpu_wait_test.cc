#include "bench/cpu_wait.h"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace fourdollar::bench {
namespace {

// Processes spinning on one CPU for as long as the object lives; each killed and reaped by pid.
class Spinners {
 public:
  Spinners(int cpu, int count) {
    for (int i = 0; i < count; ++i) {
      const pid_t pid = fork();
      if (pid == 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
        volatile unsigned long spin = 0;
        for (;;) spin = spin + 1;
      }
      if (pid > 0) pids_.push_back(pid);
    }
  }
  ~Spinners() {
    for (pid_t pid : pids_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  Spinners(const Spinners&) = delete;
  Spinners& operator=(const Spinners&) = delete;
  pid_t first() const { return pids_.front(); }

 private:
  std::vector<pid_t> pids_;
};

int SomeAllowedCpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) return cpu;
  }
  return 0;
}

// Waits (bounded) until `pid` has had `seconds` of run delay, or 2 s pass.
void WaitForDelay(pid_t pid, double start, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    Result<double> delay = RunDelaySeconds(pid);
    if (delay && *delay - start >= seconds) return;
    usleep(20'000);
  }
}

TEST(CpuWait, AProcessSharingItsCpuWithBusyLoopsWaitsForIt) {
  // Four processes always ready to run on one CPU: each runs about a quarter of the time and
  // waits for the CPU the rest (other work on the machine only adds to the wait).
  Spinners spinners(SomeAllowedCpu(), 4);
  CpuWait wait(spinners.first());
  wait.Start();
  Result<double> start = RunDelaySeconds(spinners.first());
  ASSERT_TRUE(start) << start.error().message;
  const auto begin = std::chrono::steady_clock::now();
  WaitForDelay(spinners.first(), *start, 0.5);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  EXPECT_GE(wait.Percent(1, seconds), 50);
}

TEST(CpuWait, ASleepingProcessDoesNotWait) {
  CpuWait wait(0);
  wait.Start();
  usleep(500'000);  // the interval measured: this process sleeps through it
  // Only its waking at the end may wait for a CPU, for a few tens of milliseconds when other
  // tests keep both CPUs busy (30 ms seen under ASan); sleep counted as waiting would read
  // about 100%.
  EXPECT_GE(wait.Percent(1, 0.5), 0);
  EXPECT_LT(wait.Percent(1, 0.5), 25);
}

TEST(CpuWait, AProcessThatIsGoneIsUnknown) {
  EXPECT_FALSE(RunDelaySeconds(999'999'999));
  CpuWait wait(999'999'999);
  wait.Start();
  EXPECT_EQ(wait.Percent(1, 1), -1);
}

}  // namespace
}  // namespace fourdollar::bench
