#include "base/cgroup.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace fourdollar {
namespace {

// A folder standing in for a cgroup v2 mount: cgroupfs files are text, read as text.
class CgroupFolder {
 public:
  void Write(const std::string& relative, const std::string& text) {
    const std::filesystem::path file = dir_.path() / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }
  std::string root() const { return dir_.path().string(); }

 private:
  test_support::TempDir dir_{"fourdollar-cgroup"};
};

TEST(ParseCgroupLines, SplitsControllersAndPath) {
  std::vector<CgroupLine> lines = ParseCgroupLines("4:cpu,cpuacct:/a:b\n0::/\nbroken\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].controllers, "cpu,cpuacct");
  EXPECT_EQ(lines[0].path, "/a:b");
  EXPECT_EQ(lines[1].controllers, "");
  EXPECT_EQ(lines[1].path, "/");
  EXPECT_TRUE(HasController("cpu,cpuacct", "cpuacct"));
  EXPECT_FALSE(HasController("cpuset", "cpu"));
}

TEST(CgroupCpuQuota, IsTheSmallestQuotaOfTheCgroupAndThoseAboveIt) {
  CgroupFolder fs;
  fs.Write("cgroup.controllers", "cpu memory\n");
  fs.Write("user.slice/cpu.max", "300000 100000\n");
  fs.Write("user.slice/app/cpu.max", "max 100000\n");
  fs.Write("user.slice/app/web/cpu.max", "150000 100000\n");
  EXPECT_EQ(CgroupCpuQuota("0::/user.slice/app/web\n", fs.root()), 1.5);
  fs.Write("user.slice/cpu.max", "50000 100000\n");
  EXPECT_EQ(CgroupCpuQuota("0::/user.slice/app/web\n", fs.root()), 0.5);
}

TEST(CgroupCpuQuota, NoneWithoutALimit) {
  CgroupFolder fs;
  fs.Write("cgroup.controllers", "cpu memory\n");
  fs.Write("cpu.max", "max 100000\n");
  fs.Write("a/cpu.max", "max 100000\n");
  EXPECT_EQ(CgroupCpuQuota("0::/a\n", fs.root()), std::nullopt);
  // A container's own cgroup namespace shows "/": its limit is the mount's own cpu.max.
  fs.Write("cpu.max", "100000 100000\n");
  EXPECT_EQ(CgroupCpuQuota("0::/\n", fs.root()), 1.0);
  // A v1 cpu line whose hierarchy is not mounted there.
  EXPECT_EQ(CgroupCpuQuota("4:cpu,cpuacct:/a\n", fs.root()), std::nullopt);
  EXPECT_EQ(CgroupCpuQuota("", fs.root()), std::nullopt);
}

TEST(CgroupCpuQuota, ReadsCgroupV1sCpuHierarchy) {
  CgroupFolder fs;
  fs.Write("cpu,cpuacct/job/cpu.cfs_quota_us", "-1\n");
  fs.Write("cpu,cpuacct/job/cpu.cfs_period_us", "100000\n");
  fs.Write("cpu,cpuacct/job/web/cpu.cfs_quota_us", "200000\n");
  fs.Write("cpu,cpuacct/job/web/cpu.cfs_period_us", "100000\n");
  fs.Write("memory/job/web/memory.limit_in_bytes", "1073741824\n");
  EXPECT_EQ(CgroupCpuQuota("4:memory:/job/web\n2:cpu,cpuacct:/job/web\n0::/\n", fs.root()), 2.0);
  // The controller mounted alone, as "cpu".
  CgroupFolder alone;
  alone.Write("cpu/b/cpu.cfs_quota_us", "50000\n");
  alone.Write("cpu/b/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(CgroupCpuQuota("1:cpu:/b\n", alone.root()), 0.5);
}

TEST(CgroupCpuQuota, IgnoresFilesItCannotRead) {
  CgroupFolder fs;
  fs.Write("cgroup.controllers", "cpu memory\n");
  fs.Write("a/cpu.max", "lots 100000\n");
  fs.Write("a/b/cpu.max", "100000 0\n");
  EXPECT_EQ(CgroupCpuQuota("0::/a/b\n", fs.root()), std::nullopt);
}

}  // namespace
}  // namespace fourdollar
