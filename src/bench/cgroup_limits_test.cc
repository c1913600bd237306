#include "bench/cgroup_limits.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "base/cpus.h"

namespace fourdollar::bench {
namespace {

// A folder standing in for /sys/fs/cgroup: plain files, so the test sees what was written.
class FakeCgroupRoot {
 public:
  FakeCgroupRoot() {
    std::random_device random;
    root_ = std::filesystem::temp_directory_path() /
            ("fourdollar-cgroup-test-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(root_);
  }
  ~FakeCgroupRoot() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  void Write(const std::string& relative, const std::string& text) {
    std::filesystem::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << text;
  }
  std::string Read(const std::string& relative) const {
    std::ifstream in(root_ / relative);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  CgroupSystem System(const std::string& self_cgroup) const {
    return {.self_cgroup_text = self_cgroup, .fs_root = root_.string()};
  }

 private:
  std::filesystem::path root_;
};

TEST(CgroupLimits, UsesCgroupV2WhenItsControllersAreAvailable) {
  FakeCgroupRoot root;
  root.Write("cgroup.controllers", "cpuset cpu io memory pids\n");
  root.Write("svc/cgroup.controllers", "cpuset cpu io memory pids\n");
  root.Write("svc/cgroup.subtree_control", "");
  CgroupLimits limits = CgroupLimits::Create({.cpus = 2, .memory_bytes = 512u << 20, .name = "b1"},
                                             root.System("0::/svc\n"));
  EXPECT_TRUE(limits.cpu_applied()) << limits.cpu_description();
  EXPECT_TRUE(limits.memory_applied()) << limits.memory_description();
  EXPECT_EQ(root.Read("svc/cgroup.subtree_control"), "+cpu +memory");
  EXPECT_EQ(root.Read("svc/b1/cpu.max"), "200000 100000");
  EXPECT_EQ(root.Read("svc/b1/memory.max"), "536870912");
  EXPECT_NE(limits.cpu_description().find("cgroup v2"), std::string::npos);
}

TEST(CgroupLimits, FallsBackToCgroupV1) {
  FakeCgroupRoot root;
  root.Write("unified/cgroup.controllers", "");
  root.Write("cpu,cpuacct/job/cpu.shares", "1024");
  root.Write("memory/mem/memory.usage_in_bytes", "0");
  CgroupLimits limits =
      CgroupLimits::Create({.cpus = 1, .memory_bytes = 1u << 30, .name = "b2"},
                           root.System("4:memory:/mem\n2:cpu,cpuacct:/job\n0::/\n"));
  EXPECT_TRUE(limits.cpu_applied()) << limits.cpu_description();
  EXPECT_TRUE(limits.memory_applied()) << limits.memory_description();
  EXPECT_EQ(root.Read("cpu,cpuacct/job/b2/cpu.cfs_quota_us"), "100000");
  EXPECT_EQ(root.Read("cpu,cpuacct/job/b2/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(root.Read("memory/mem/b2/memory.limit_in_bytes"), "1073741824");
}

TEST(CgroupLimits, SaysWhyWhenNothingCanBeApplied) {
  FakeCgroupRoot root;
  CgroupLimits limits = CgroupLimits::Create({.cpus = 1, .name = "b3"}, root.System("0::/\n"));
  EXPECT_FALSE(limits.cpu_applied());
  EXPECT_NE(limits.cpu_description().find("CPU limited by affinity only"), std::string::npos)
      << limits.cpu_description();
  EXPECT_EQ(limits.memory_description(), "memory: no limit (--memory not given)");
  EXPECT_TRUE(limits.dirs().empty());
}

TEST(CgroupLimits, JoinWritesThePidIntoEveryCgroupMade) {
  FakeCgroupRoot root;
  root.Write("cpu/x", "");
  root.Write("memory/x", "");
  CgroupLimits limits = CgroupLimits::Create({.cpus = 1, .memory_bytes = 64u << 20, .name = "b4"},
                                             root.System("3:cpu:/\n4:memory:/\n"));
  ASSERT_EQ(limits.dirs().size(), 2u);
  ASSERT_TRUE(limits.Join(4242));
  EXPECT_EQ(root.Read("cpu/b4/cgroup.procs"), "4242");
  EXPECT_EQ(root.Read("memory/b4/cgroup.procs"), "4242");
}

// The real thing: a child process joined to a 1-CPU quota made here counts one CPU, whatever its
// affinity allows (so `fourdollar serve` in such a cgroup starts one loop thread, and the
// generator measures its CPU against that one).
TEST(CgroupLimits, AProcessUnderAOneCpuQuotaCountsOneCpu) {
  cpu_set_t affinity;
  ASSERT_EQ(sched_getaffinity(0, sizeof affinity, &affinity), 0);
  if (CPU_COUNT(&affinity) < 2) GTEST_SKIP() << "one CPU: a 1-CPU quota would change nothing";
  CgroupLimits limits = CgroupLimits::Create(
      {.cpus = 1, .name = "fourdollar-test-" + std::to_string(getpid())}, CgroupSystem::Current());
  if (!limits.cpu_applied()) GTEST_SKIP() << "no cgroup to make here: " << limits.cpu_description();
  int go[2], answer[2];
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(answer), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char byte = 0;
    int cpus = -1;
    if (read(go[0], &byte, 1) == 1) cpus = AllowedCpuCount();
    _exit(write(answer[1], &cpus, sizeof cpus) == sizeof cpus ? 0 : 1);
  }
  const Status joined = limits.Join(child);
  const char byte = 1;
  EXPECT_EQ(write(go[1], &byte, 1), 1);
  int cpus = 0;
  EXPECT_EQ(read(answer[0], &cpus, sizeof cpus), static_cast<ssize_t>(sizeof cpus));
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, 0), child);
  for (int fd : {go[0], go[1], answer[0], answer[1]}) close(fd);
  ASSERT_TRUE(joined) << joined.error().message;
  EXPECT_EQ(cpus, 1);
  EXPECT_EQ(CPU_COUNT(&affinity), AllowedCpuCount()) << "this process is not under the quota";
}

}  // namespace
}  // namespace fourdollar::bench
