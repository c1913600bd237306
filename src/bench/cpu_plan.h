// Which CPUs the server gets and which the load generator gets (sched_setaffinity).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"

namespace fourdollar::bench {

struct CpuPlan {
  std::vector<int> server_cpus;     // the first `cpus` CPUs this process may use
  std::vector<int> generator_cpus;  // the others; all of them when none are left
  bool shared = false;              // the generator runs on the server's CPUs too
};

// `allowed`: the CPUs this process may use, ascending. An error when `cpus` < 1 or more than
// are allowed.
Result<CpuPlan> PlanCpus(const std::vector<int>& allowed, int cpus);

// The CPUs in this process's affinity mask, ascending.
std::vector<int> AllowedCpus();

// Restricts a process (or, with pid 0, the calling thread and the threads it starts later) to
// `cpus`.
Status PinTo(pid_t pid, const std::vector<int>& cpus);

// "0", "1-3", "0,2,5-6".
std::string DescribeCpus(const std::vector<int>& cpus);

}  // namespace fourdollar::bench
