// Which CPUs the server gets and which the load generator gets (sched_setaffinity).
#pragma once

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

}  // namespace fourdollar::bench
