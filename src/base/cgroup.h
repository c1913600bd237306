// What /proc/self/cgroup says of a process, and the CPU quota its cgroups set: the one reader
// of that file for the server's default thread count, the generator's CPU figures and the
// bench's limits.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fourdollar {

// One line of /proc/PID/cgroup ("4:cpu,cpuacct:/user.slice").
struct CgroupLine {
  std::string controllers;  // "cpu,cpuacct"; "" for the cgroup v2 line ("0::/path")
  std::string path;         // "/user.slice/..."
};

// The lines of /proc/PID/cgroup's text; lines without two colons are left out.
std::vector<CgroupLine> ParseCgroupLines(std::string_view text);

// Whether a comma-separated controller list ("cpu,cpuacct") names `controller`.
bool HasController(std::string_view list, std::string_view controller);

// The CPUs' worth of time the cgroup CPU quotas of this process allow: the smallest of
// quota / period over its cgroup and every cgroup above it, in cgroup v2 (cpu.max) and in cgroup
// v1's cpu hierarchy (cpu.cfs_quota_us over cpu.cfs_period_us). nullopt when none sets one.
std::optional<double> CgroupCpuQuota();
// The same from `self_cgroup_text` (what /proc/self/cgroup holds) and the cgroup file systems
// mounted under `fs_root` (/sys/fs/cgroup).
std::optional<double> CgroupCpuQuota(std::string_view self_cgroup_text, const std::string& fs_root);

}  // namespace fourdollar
