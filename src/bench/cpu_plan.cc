#include "bench/cpu_plan.h"

#include "base/cpus.h"

namespace fourdollar::bench {

Result<CpuPlan> PlanCpus(const std::vector<int>& allowed, int cpus) {
  if (cpus < 1) return MakeError(ErrorCode::kInvalidArgument, "--cpus must be at least 1");
  if (static_cast<size_t>(cpus) > allowed.size()) {
    return MakeError(ErrorCode::kInvalidArgument, "--cpus " + std::to_string(cpus) +
                                                      ": this process may use only " +
                                                      std::to_string(allowed.size()) + " CPU(s) (" +
                                                      DescribeCpus(allowed) + ")");
  }
  CpuPlan plan;
  plan.server_cpus.assign(allowed.begin(), allowed.begin() + cpus);
  plan.generator_cpus.assign(allowed.begin() + cpus, allowed.end());
  if (plan.generator_cpus.empty()) {
    plan.generator_cpus = allowed;
    plan.shared = true;
  }
  return plan;
}

}  // namespace fourdollar::bench
