// A CPU quota and a memory limit for the server, through a child of this process's cgroup:
// cgroup v2 (cpu.max, memory.max) when its controllers can be used, else cgroup v1
// (cpu.cfs_quota_us, memory.limit_in_bytes). Where the kernel or the container does not allow
// it, nothing is applied and the description says why; the CPU is then limited by affinity
// only.
//
// Owns the cgroups it made and removes them on destruction (they must be empty by then: stop
// the server first). Not thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace fourdollar::bench {

struct CgroupRequest {
  int cpus = 1;               // quota: cpus x 100 ms per 100 ms
  uint64_t memory_bytes = 0;  // 0: no memory limit
  std::string name;           // the child cgroup's folder name, e.g. "fourdollar-bench-1234"
};

// Where to look: the text of /proc/self/cgroup and the cgroup mount root. Tests point these
// at a folder of their own.
struct CgroupSystem {
  std::string self_cgroup_text;
  std::string fs_root = "/sys/fs/cgroup";
  static CgroupSystem Current();
};

class CgroupLimits {
 public:
  // Applies what it can; never fails (see the descriptions).
  static CgroupLimits Create(const CgroupRequest& request, const CgroupSystem& system);

  CgroupLimits(CgroupLimits&& other) noexcept;
  CgroupLimits& operator=(CgroupLimits&&) = delete;
  CgroupLimits(const CgroupLimits&) = delete;
  CgroupLimits& operator=(const CgroupLimits&) = delete;
  ~CgroupLimits();

  // Moves a process into every cgroup made (cgroup.procs).
  Status Join(pid_t pid) const;

  bool cpu_applied() const { return cpu_applied_; }
  bool memory_applied() const { return memory_applied_; }
  // "CPU quota: cgroup v2 cpu.max \"100000 100000\" (1 CPU)" or why not.
  const std::string& cpu_description() const { return cpu_description_; }
  // "memory: cgroup v1 memory.limit_in_bytes 536870912 (512 MiB)", "memory: no limit" or why
  // not.
  const std::string& memory_description() const { return memory_description_; }
  // The folders made, for tests.
  const std::vector<std::string>& dirs() const { return dirs_; }

 private:
  CgroupLimits() = default;
  std::vector<std::string> dirs_;
  bool cpu_applied_ = false;
  bool memory_applied_ = false;
  std::string cpu_description_;
  std::string memory_description_;
};

}  // namespace fourdollar::bench
