#include "bench/cpu_wait.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/process_stats.h"

namespace fourdollar::bench {

Result<double> RunDelaySeconds(pid_t pid) {
  const std::string tasks = ProcDir(pid) + "/task";
  std::error_code ec;
  std::filesystem::directory_iterator it(tasks, ec);
  if (ec) return MakeError(ErrorCode::kUnavailable, tasks + ": " + ec.message());
  double total_ns = 0;
  bool any = false;
  for (const auto& task : it) {
    // "<ns on a CPU> <ns waiting on a run queue> <timeslices>"; a thread that ended meanwhile
    // is skipped.
    std::ifstream file(task.path() / "schedstat");
    uint64_t on_cpu_ns = 0, waiting_ns = 0;
    if (file >> on_cpu_ns >> waiting_ns) {
      total_ns += static_cast<double>(waiting_ns);
      any = true;
    }
  }
  if (!any) return MakeError(ErrorCode::kUnavailable, tasks + ": no schedstat");
  return total_ns / 1e9;
}

void CpuWait::Start() {
  Result<double> delay = RunDelaySeconds(pid_);
  start_delay_s_ = delay ? *delay : -1;
}

double CpuWait::Percent(int cpus, double load_seconds, double ended_threads_wait_s) const {
  if (start_delay_s_ < 0 || load_seconds <= 0) return -1;
  Result<double> delay = RunDelaySeconds(pid_);
  if (!delay) return -1;
  return (std::max(0.0, *delay - start_delay_s_) + ended_threads_wait_s) * 100.0 /
         (load_seconds * std::max(1, cpus));
}

}  // namespace fourdollar::bench
