#include "bench/cpu_plan.h"

#include <sched.h>

#include <cerrno>

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

std::vector<int> AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return {0};
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

Status PinTo(pid_t pid, const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) CPU_SET(cpu, &set);
  if (sched_setaffinity(pid, sizeof set, &set) != 0) {
    return ErrnoError("sched_setaffinity to CPUs " + DescribeCpus(cpus), errno);
  }
  return {};
}

std::string DescribeCpus(const std::vector<int>& cpus) {
  std::string text;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!text.empty()) text += ",";
    text += std::to_string(cpus[i]);
    if (j > i) text += "-" + std::to_string(cpus[j]);
    i = j + 1;
  }
  return text;
}

}  // namespace fourdollar::bench
